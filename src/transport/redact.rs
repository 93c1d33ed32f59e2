//! Keeping the run's secrets out of what servers say.
//!
//! A server's error message is data we store (the `failed` output, the report file) and show
//! (the summary, the log). When a server echoes a request back, that message holds the token,
//! and once it is escaped for markdown (`ghp\_…`) the runner's masking no longer recognises it.
//! So every text a server sent is passed through [`Redactor::redact`] where it enters the
//! program, before anything stores or escapes it.
//!
//! ```
//! use package_warden::transport::redact::{REDACTED, Redactor};
//!
//! let redactor = Redactor::default();
//! redactor.add("ghp_s3cretToken");
//! assert_eq!(
//!     redactor.redact("Bad header: Bearer ghp_s3cretToken (or ghp\\_s3cretToken)"),
//!     format!("Bad header: Bearer {REDACTED} (or {REDACTED})")
//! );
//! ```

use std::sync::{PoisonError, RwLock};

/// What a secret is replaced with: the runner's own mask.
pub const REDACTED: &str = "***";

/// Secrets shorter than this are not searched for in text: they would match ordinary words, and
/// no token GitHub issues is that short.
const MIN_SECRET_LEN: usize = 6;

/// The secrets a run knows (the token, registry tokens it was given), in every form a server
/// might send them back in. Shared by every client of a run through the transport; secrets learnt
/// during the run are added as they arrive.
#[derive(Debug, Default)]
pub struct Redactor {
    /// Every form of every secret, longest first, so that a form containing another is replaced
    /// whole.
    forms: RwLock<Vec<String>>,
}

impl Redactor {
    /// Remembers `secret`: from now on [`redact`](Self::redact) replaces it, raw,
    /// markdown-escaped (`\` before punctuation) and percent-encoded.
    pub fn add(&self, secret: &str) {
        if secret.chars().count() < MIN_SECRET_LEN {
            return;
        }
        let mut forms = self.forms.write().unwrap_or_else(PoisonError::into_inner);
        for form in forms_of(secret) {
            if !forms.contains(&form) {
                forms.push(form);
            }
        }
        forms.sort_by_key(|form| std::cmp::Reverse(form.len()));
    }

    /// `text` with every known secret replaced by [`REDACTED`].
    pub fn redact(&self, text: &str) -> String {
        let forms = self.forms.read().unwrap_or_else(PoisonError::into_inner);
        let mut text = text.to_string();
        for form in forms.iter() {
            if text.contains(form.as_str()) {
                text = text.replace(form.as_str(), REDACTED);
            }
        }
        text
    }

    /// [`redact`](Self::redact) in place.
    pub fn redact_in_place(&self, text: &mut String) {
        let redacted = self.redact(text);
        if redacted != *text {
            *text = redacted;
        }
    }
}

/// The forms a secret can come back in: as sent, with markdown's backslash before each ASCII
/// punctuation character (what a server that renders markdown, or our own summary, would make of
/// it), and percent-encoded (what a URL would carry).
fn forms_of(secret: &str) -> Vec<String> {
    let mut escaped = String::with_capacity(secret.len() * 2);
    for c in secret.chars() {
        if c.is_ascii_punctuation() {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    let encoded: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    let mut forms = vec![secret.to_string()];
    for form in [escaped, encoded] {
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_of_a_secret_is_redacted() {
        let redactor = Redactor::default();
        redactor.add("ghp_abc/def+ghi");
        let text = "raw ghp_abc/def+ghi, escaped ghp\\_abc\\/def\\+ghi, \
                    encoded ghp_abc%2Fdef%2Bghi.";
        assert_eq!(redactor.redact(text), "raw ***, escaped ***, encoded ***.");
    }

    #[test]
    fn secrets_learnt_later_are_redacted_too_and_short_ones_are_not_searched() {
        let redactor = Redactor::default();
        redactor.add("");
        redactor.add("abc");
        assert_eq!(redactor.redact("abc stays"), "abc stays");
        redactor.add("registry-bearer-123");
        let mut text = "Bearer registry-bearer-123".to_string();
        redactor.redact_in_place(&mut text);
        assert_eq!(text, "Bearer ***");
    }

    #[test]
    fn a_secret_inside_another_is_replaced_whole() {
        let redactor = Redactor::default();
        redactor.add("token123");
        redactor.add("token123456");
        assert_eq!(redactor.redact("x token123456 y"), "x *** y");
    }
}
