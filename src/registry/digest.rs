//! Content digests, the names registries give manifests and blobs.

use sha2::{Digest as _, Sha256, Sha512};

pub use crate::model::{Digest, DigestError};

/// Computing digests, to verify what a registry served: the type itself is the model's.
impl Digest {
    /// The sha256 digest of `bytes`.
    pub fn sha256(bytes: &[u8]) -> Digest {
        trusted(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
    }

    /// The digest of `bytes` computed with this digest's algorithm, to compare with this one;
    /// `None` for an algorithm we cannot compute.
    pub fn recompute(&self, bytes: &[u8]) -> Option<Digest> {
        match self.algorithm() {
            "sha256" => Some(Digest::sha256(bytes)),
            "sha512" => Some(trusted(format!(
                "sha512:{}",
                hex::encode(Sha512::digest(bytes))
            ))),
            _ => None,
        }
    }
}

/// A digest we computed ourselves, which is well formed by construction.
fn trusted(text: String) -> Digest {
    Digest::parse(&text).expect("the hex of a sha256 or sha512 sum is a digest")
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
    fn an_algorithm_we_cannot_verify_parses_but_is_not_recomputed() {
        let other =
            Digest::parse("multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8")
                .unwrap();
        assert_eq!(other.recompute(b""), None);
    }
}
