//! Choosing names by lists of glob patterns, as users write them in workflow inputs.
//!
//! ```
//! use package_warden::selector::NameSelector;
//!
//! let packages = NameSelector::parse("api*, !api/build-cache").unwrap();
//! assert!(packages.matches("api"));
//! assert!(packages.matches("api/worker"));
//! assert!(!packages.matches("api/build-cache"));
//! ```

use std::fmt;

use globset::{Glob, GlobBuilder, GlobMatcher};

/// One pattern of a list: a glob matched against the whole name.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    matcher: GlobMatcher,
    /// The pattern has no wildcard, so it names exactly one thing.
    literal: bool,
}

impl Pattern {
    fn parse(source: &str) -> Result<Pattern, PatternError> {
        // `*` matches `/` too: container names such as `api/build-cache` are one name, not a path.
        let glob: Glob = GlobBuilder::new(source)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|err| PatternError {
                pattern: source.to_string(),
                reason: err.kind().to_string(),
            })?;
        Ok(Pattern {
            source: source.to_string(),
            matcher: glob.compile_matcher(),
            literal: !source.contains(['*', '?', '[', ']', '{', '}', '\\']),
        })
    }

    /// The pattern as the user wrote it.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// True when the pattern has no wildcard, so it names exactly one thing.
    pub fn is_literal(&self) -> bool {
        self.literal
    }

    pub fn matches(&self, name: &str) -> bool {
        self.matcher.is_match(name)
    }
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.source)
    }
}

/// A pattern that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a list of names or glob patterns (`*`, `?`, `[a-z]`, `{{a,b}}`), `!pattern` to exclude; `{pattern}`: {reason}"
)]
pub struct PatternError {
    pub pattern: String,
    pub reason: String,
}

/// Names chosen by patterns: a name is chosen when it matches an include and no exclude.
#[derive(Debug, Clone)]
pub struct NameSelector {
    include: Vec<Pattern>,
    exclude: Vec<Pattern>,
}

impl NameSelector {
    /// Parses a list separated by commas or newlines; `!pattern` excludes. A list of excludes
    /// alone chooses everything else.
    pub fn parse(list: &str) -> Result<NameSelector, PatternError> {
        let mut include = Vec::new();
        let mut exclude = Vec::new();
        for item in split_list(list) {
            match item.strip_prefix('!') {
                Some(excluded) => exclude.push(Pattern::parse(excluded.trim())?),
                None => include.push(Pattern::parse(item)?),
            }
        }
        if include.is_empty() {
            include.push(Pattern::parse("*")?);
        }
        Ok(NameSelector { include, exclude })
    }

    /// Exactly one name.
    pub fn exact(name: String) -> NameSelector {
        let escaped = globset::escape(&name);
        NameSelector {
            include: vec![Pattern {
                matcher: Glob::new(&escaped)
                    .expect("an escaped name is a valid glob")
                    .compile_matcher(),
                source: name,
                literal: true,
            }],
            exclude: Vec::new(),
        }
    }

    /// Every name.
    pub fn everything() -> NameSelector {
        NameSelector::parse("*").expect("`*` is a valid glob")
    }

    pub fn matches(&self, name: &str) -> bool {
        self.include.iter().any(|p| p.matches(name))
            && !self.exclude.iter().any(|p| p.matches(name))
    }

    /// The names, when every include is a plain name: they can then be fetched one by one
    /// instead of listing the owner's packages, which `GITHUB_TOKEN` is not allowed to do.
    pub fn exact_names(&self) -> Option<Vec<&str>> {
        if !self.include.iter().all(Pattern::is_literal) {
            return None;
        }
        Some(
            self.include
                .iter()
                .map(Pattern::as_str)
                .filter(|name| self.matches(name))
                .collect(),
        )
    }
}

/// Splits an input list on commas and newlines, trimming spaces and dropping empty items.
pub fn split_list(list: &str) -> impl Iterator<Item = &str> {
    list.split([',', '\n'])
        .map(str::trim)
        .filter(|item| !item.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_names_including_slashes() {
        let selector = NameSelector::parse("api*\n web-?").unwrap();
        assert!(selector.matches("api"));
        assert!(selector.matches("api/build-cache"));
        assert!(selector.matches("web-1"));
        assert!(!selector.matches("web-10"));
        assert!(!selector.matches("my-api"));
    }

    #[test]
    fn excludes_win_and_alone_mean_everything_else() {
        let selector = NameSelector::parse("!*-cache, !legacy").unwrap();
        assert!(selector.matches("api"));
        assert!(!selector.matches("api-cache"));
        assert!(!selector.matches("legacy"));
    }

    #[test]
    fn literal_lists_are_fetched_by_name() {
        let selector = NameSelector::parse("api, team/app, !app").unwrap();
        assert_eq!(selector.exact_names(), Some(vec!["api", "team/app"]));
        assert_eq!(
            NameSelector::parse("api, web*").unwrap().exact_names(),
            None
        );
        let exact = NameSelector::exact("we[ird]".to_string());
        assert_eq!(exact.exact_names(), Some(vec!["we[ird]"]));
        assert!(exact.matches("we[ird]"));
        assert!(!exact.matches("wei"));
    }

    #[test]
    fn a_broken_pattern_says_which_and_why() {
        let err = NameSelector::parse("ok, [unclosed").unwrap_err();
        assert_eq!(err.pattern, "[unclosed");
        assert!(err.to_string().contains("unclosed"), "{err}");
    }
}
