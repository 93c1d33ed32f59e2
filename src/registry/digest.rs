//! Content digests, the names registries give manifests and blobs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256, Sha512};

/// A content digest as registries write it, `<algorithm>:<encoded>`: for example
/// `sha256:1a2b…` (64 lower-case hex digits). A container version's `name` in the Packages API is
/// the digest of its manifest.
///
/// Parsing checks the grammar of the OCI image spec, and for `sha256` and `sha512` (the
/// algorithms we can verify) the exact length and lower-case hex, so two `Digest`s of the same
/// content always compare equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Digest(String);

/// A string that is not a digest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a digest: {reason} (expected `sha256:` and 64 lower-case hex digits)")]
pub struct DigestError {
    pub value: String,
    pub reason: &'static str,
}

impl Digest {
    /// Checks and wraps `text`, e.g. `sha256:` followed by 64 lower-case hex digits.
    pub fn parse(text: &str) -> Result<Digest, DigestError> {
        let fail = |reason| DigestError {
            value: text.chars().take(100).collect(),
            reason,
        };
        let (algorithm, encoded) = text.split_once(':').ok_or_else(|| fail("no `:`"))?;
        // OCI: algorithm-component ([a-z0-9]+) joined by one of `+._-`.
        let algorithm_ok = !algorithm.is_empty()
            && algorithm
                .split(['+', '.', '_', '-'])
                .all(|part| !part.is_empty() && part.bytes().all(is_lower_alnum));
        if !algorithm_ok {
            return Err(fail("the algorithm must be lower-case letters and digits"));
        }
        let hex_len = match algorithm {
            "sha256" => Some(64),
            "sha512" => Some(128),
            _ => None,
        };
        match hex_len {
            Some(len) if encoded.len() != len => {
                return Err(fail("the hex part has the wrong length"));
            }
            Some(_) if !encoded.bytes().all(is_lower_hex) => {
                return Err(fail("the hex part must be lower-case hex digits"));
            }
            Some(_) => {}
            None if encoded.is_empty()
                || !encoded
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'=' | b'_' | b'-')) =>
            {
                return Err(fail("the encoded part has characters a digest cannot have"));
            }
            None => {}
        }
        Ok(Digest(text.to_string()))
    }

    /// The sha256 digest of `bytes`.
    pub fn sha256(bytes: &[u8]) -> Digest {
        Digest(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
    }

    /// `sha256`, `sha512`, …
    pub fn algorithm(&self) -> &str {
        self.0
            .split_once(':')
            .map_or("", |(algorithm, _)| algorithm)
    }

    /// The part after the `:`, e.g. the 64 hex digits of a sha256 digest.
    pub fn encoded(&self) -> &str {
        self.0.split_once(':').map_or("", |(_, encoded)| encoded)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The digest of `bytes` computed with this digest's algorithm, to compare with this one;
    /// `None` for an algorithm we cannot compute.
    pub fn recompute(&self, bytes: &[u8]) -> Option<Digest> {
        match self.algorithm() {
            "sha256" => Some(Digest::sha256(bytes)),
            "sha512" => Some(Digest(format!(
                "sha512:{}",
                hex::encode(Sha512::digest(bytes))
            ))),
            _ => None,
        }
    }
}

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

fn is_lower_hex(b: u8) -> bool {
    b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Digest {
    type Err = DigestError;

    fn from_str(text: &str) -> Result<Digest, DigestError> {
        Digest::parse(text)
    }
}

impl TryFrom<String> for Digest {
    type Error = DigestError;

    fn try_from(text: String) -> Result<Digest, DigestError> {
        Digest::parse(&text)
    }
}

impl From<Digest> for String {
    fn from(digest: Digest) -> String {
        digest.0
    }
}

impl AsRef<str> for Digest {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// So that a digest compares directly with a version name from the Packages API.
impl PartialEq<str> for Digest {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Digest {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Digest {
    fn eq(&self, other: &String) -> bool {
        &self.0 == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sha256 of the empty string.
    const EMPTY: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn sha256_of_bytes_is_the_well_known_value() {
        assert_eq!(Digest::sha256(b""), EMPTY);
        let digest = Digest::parse(EMPTY).unwrap();
        assert_eq!(digest.algorithm(), "sha256");
        assert_eq!(digest.encoded().len(), 64);
        assert_eq!(digest.recompute(b""), Some(digest.clone()));
        assert_ne!(digest.recompute(b"x"), Some(digest));
    }

    #[test]
    fn sha512_is_recomputed_with_its_own_algorithm() {
        let digest = Digest::parse(&format!("sha512:{}", "0".repeat(128))).unwrap();
        let computed = digest.recompute(b"").unwrap();
        assert_eq!(computed.algorithm(), "sha512");
        assert!(computed.as_str().starts_with("sha512:cf83e1357eefb8bd"));
    }

    #[test]
    fn malformed_digests_are_refused_with_the_reason() {
        for (text, reason) in [
            ("v1.2.3", "no `:`"),
            ("sha256:abc", "wrong length"),
            (
                &EMPTY.to_uppercase().replace("SHA256", "sha256"),
                "lower-case hex",
            ),
            ("SHA256:abc", "algorithm"),
            ("sha256--abc:x", "algorithm"),
            ("md5:", "characters"),
        ] {
            let err = Digest::parse(text).unwrap_err();
            assert!(err.to_string().contains(reason), "{text}: {err}");
        }
        // An algorithm we cannot verify still parses; it just cannot be recomputed.
        let other =
            Digest::parse("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8")
                .unwrap();
        assert_eq!(other.recompute(b""), None);
    }

    #[test]
    fn serde_round_trips_and_checks() {
        let digest: Digest = serde_json::from_str(&format!("\"{EMPTY}\"")).unwrap();
        assert_eq!(
            serde_json::to_string(&digest).unwrap(),
            format!("\"{EMPTY}\"")
        );
        assert!(serde_json::from_str::<Digest>("\"latest\"").is_err());
    }
}
