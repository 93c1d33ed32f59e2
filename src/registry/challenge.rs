//! `WWW-Authenticate` challenges (RFC 7235), as registries send them with a 401.
//!
//! A registry says how to authenticate in the challenge:
//! `Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/app:pull"`
//! means "ask `realm` for a token for `service` and `scope`". Values are quoted strings that may
//! hold commas (`scope="repository:a/b:pull,push"`), so the header cannot be split on commas.

/// One challenge: a scheme (`Bearer`, `Basic`) and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    /// Lower-cased: schemes are case-insensitive.
    pub scheme: String,
    /// Names lower-cased (they are case-insensitive too), values unquoted and unescaped.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of a parameter, by its lower-case name.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Every challenge in one header value (a header may carry several, separated by commas).
/// Malformed parts are skipped rather than failing the whole header: the caller only needs to
/// find one usable challenge.
pub(crate) fn parse_challenges(header: &str) -> Vec<Challenge> {
    let mut parser = Parser {
        rest: header.as_bytes(),
    };
    let mut challenges = Vec::new();
    loop {
        parser.skip_separators();
        let Some(scheme) = parser.token() else {
            // Not a scheme: skip one character and look again, so garbage cannot stop us.
            if parser.bump().is_none() {
                return challenges;
            }
            continue;
        };
        let mut challenge = Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params: Vec::new(),
        };
        parser.skip_whitespace();
        // `Basic dXNlcjpwYXNz`: a token68 instead of parameters. We never need its value.
        if !parser.at_param() {
            parser.token68();
        }
        while parser.at_param() {
            let Some((name, value)) = parser.param() else {
                break;
            };
            challenge.params.push((name.to_ascii_lowercase(), value));
            parser.skip_whitespace();
            // After a comma comes either the next parameter or the next challenge's scheme.
            if parser.peek() == Some(b',') {
                parser.skip_separators();
            } else {
                break;
            }
        }
        challenges.push(challenge);
    }
}

struct Parser<'a> {
    rest: &'a [u8],
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let (&first, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(first)
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.bump();
        }
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b',')) {
            self.bump();
        }
    }

    /// An RFC 7230 token (`tchar+`).
    fn token(&mut self) -> Option<String> {
        let len = self.rest.iter().take_while(|&&b| is_tchar(b)).count();
        if len == 0 {
            return None;
        }
        let (token, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(String::from_utf8_lossy(token).into_owned())
    }

    /// Whether a `name=value` parameter starts here (as opposed to the next challenge's scheme).
    fn at_param(&self) -> bool {
        let len = self.rest.iter().take_while(|&&b| is_tchar(b)).count();
        if len == 0 {
            return false;
        }
        let after = &self.rest[len..];
        let after = &after[after
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count()..];
        // `name=` followed by `=` again would be the padding of a token68, not a parameter.
        after.first() == Some(&b'=') && after.get(1) != Some(&b'=')
    }

    fn param(&mut self) -> Option<(String, String)> {
        let name = self.token()?;
        self.skip_whitespace();
        if self.bump() != Some(b'=') {
            return None;
        }
        self.skip_whitespace();
        let value = if self.peek() == Some(b'"') {
            self.quoted_string()
        } else {
            // RFC 7235 wants a token here, but some servers send an unquoted URL
            // (`realm=https://host/token`): read up to the next separator.
            let len = self
                .rest
                .iter()
                .take_while(|&&b| !matches!(b, b',' | b' ' | b'\t'))
                .count();
            let (value, rest) = self.rest.split_at(len);
            self.rest = rest;
            String::from_utf8_lossy(value).into_owned()
        };
        Some((name, value))
    }

    /// A quoted string, with `\` escaping the next character; an unterminated one runs to the end.
    fn quoted_string(&mut self) -> String {
        self.bump(); // the opening quote
        let mut value = Vec::new();
        while let Some(b) = self.bump() {
            match b {
                b'"' => break,
                b'\\' => {
                    if let Some(escaped) = self.bump() {
                        value.push(escaped);
                    }
                }
                _ => value.push(b),
            }
        }
        String::from_utf8_lossy(&value).into_owned()
    }

    fn token68(&mut self) {
        while matches!(self.peek(), Some(b) if is_tchar(b) || b == b'/' || b == b'=') {
            self.bump();
        }
    }
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(challenge: &Challenge) -> Vec<(&str, &str)> {
        challenge
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    #[test]
    fn ghcr_challenge() {
        let challenges = parse_challenges(
            r#"Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/app:pull""#,
        );
        assert_eq!(challenges.len(), 1);
        assert_eq!(challenges[0].scheme, "bearer");
        assert_eq!(
            params(&challenges[0]),
            [
                ("realm", "https://ghcr.io/token"),
                ("service", "ghcr.io"),
                ("scope", "repository:acme/app:pull"),
            ]
        );
    }

    #[test]
    fn commas_inside_quoted_values_stay_in_the_value() {
        let challenges = parse_challenges(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push",error="insufficient_scope""#,
        );
        assert_eq!(challenges.len(), 1);
        assert_eq!(
            challenges[0].param("scope"),
            Some("repository:library/alpine:pull,push")
        );
        assert_eq!(challenges[0].param("error"), Some("insufficient_scope"));
    }

    #[test]
    fn spaces_case_and_escapes_are_tolerated() {
        let challenges = parse_challenges(
            r#"bearer Realm = "https://r.example/token" ,  SERVICE="r.example", scope="a\"b""#,
        );
        assert_eq!(challenges[0].scheme, "bearer");
        assert_eq!(
            challenges[0].param("realm"),
            Some("https://r.example/token")
        );
        assert_eq!(challenges[0].param("service"), Some("r.example"));
        assert_eq!(challenges[0].param("scope"), Some("a\"b"));
    }

    #[test]
    fn several_challenges_in_one_header() {
        // A registry offering both Basic (htpasswd) and Bearer.
        let challenges = parse_challenges(
            r#"Basic realm="Registry Realm", Bearer realm="https://auth.example/token",service="reg""#,
        );
        assert_eq!(challenges.len(), 2);
        assert_eq!(challenges[0].scheme, "basic");
        assert_eq!(challenges[0].param("realm"), Some("Registry Realm"));
        assert_eq!(challenges[1].scheme, "bearer");
        assert_eq!(challenges[1].param("service"), Some("reg"));
    }

    #[test]
    fn unquoted_values_and_token68() {
        let challenges =
            parse_challenges("Bearer realm=https://r.example/token,service=reg, Negotiate abc+/==");
        assert_eq!(challenges.len(), 2);
        assert_eq!(
            challenges[0].param("realm"),
            Some("https://r.example/token")
        );
        assert_eq!(challenges[0].param("service"), Some("reg"));
        assert_eq!(challenges[1].scheme, "negotiate");
        assert!(challenges[1].params.is_empty());
    }

    #[test]
    fn a_bare_scheme_and_garbage_do_not_panic() {
        assert_eq!(parse_challenges("Bearer")[0].scheme, "bearer");
        assert!(parse_challenges("").is_empty());
        let challenges = parse_challenges(r#"=,"" Bearer realm="unterminated"#);
        let bearer = challenges.iter().find(|c| c.scheme == "bearer").unwrap();
        assert_eq!(bearer.param("realm"), Some("unterminated"));
    }
}
