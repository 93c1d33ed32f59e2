//! The API token, kept out of every log, output and error message.

use std::fmt;

/// A GitHub token. Opaque: it is passed as given and never judged by its shape. `Debug` and
/// `Display` print a placeholder so that a token cannot leak through a log line or an error.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(token: String) -> Token {
        Token(token)
    }

    /// The secret itself: for the `Authorization` header and `::add-mask::` only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_secret() {
        let token = Token::new("ghp_secret123".into());
        assert!(!format!("{token:?} {token}").contains("secret123"));
        assert_eq!(token.expose(), "ghp_secret123");
    }
}
