//! Choosing names and tags by lists of patterns, as users write them in workflow inputs: globs
//! matched against the whole name, or `/regular expressions/` matched anywhere in it.
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
use regex::{Regex, RegexBuilder};

/// How large a compiled regular expression may grow: patterns come from workflow inputs, and a
/// pathological one must fail to compile rather than eat the runner's memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// One pattern of a list.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    matcher: Matcher,
    /// The pattern has no wildcard, so it names exactly one thing.
    literal: bool,
}

#[derive(Clone)]
enum Matcher {
    /// Matched against the whole name.
    Glob(GlobMatcher),
    /// Matched anywhere in the name, unless anchored with `^` and `$`.
    Regex(Regex),
}

impl Pattern {
    /// Parses `/regex/` as a regular expression and anything else as a glob.
    pub fn parse(source: &str) -> Result<Pattern, PatternError> {
        let error = |reason: String| PatternError {
            pattern: source.to_string(),
            reason,
        };
        if let Some(expression) = source
            .strip_prefix('/')
            .and_then(|rest| rest.strip_suffix('/'))
            .filter(|expression| !expression.is_empty())
        {
            let regex = RegexBuilder::new(expression)
                .size_limit(REGEX_SIZE_LIMIT)
                .dfa_size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|err| error(first_line(&err.to_string())))?;
            return Ok(Pattern {
                source: source.to_string(),
                matcher: Matcher::Regex(regex),
                literal: false,
            });
        }
        // `*` matches `/` too: container names such as `api/build-cache` are one name, not a path.
        let glob: Glob = GlobBuilder::new(source)
            .literal_separator(false)
            .backslash_escape(true)
            .build()
            .map_err(|err| error(err.kind().to_string()))?;
        Ok(Pattern {
            source: source.to_string(),
            matcher: Matcher::Glob(glob.compile_matcher()),
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
        match &self.matcher {
            Matcher::Glob(glob) => glob.is_match(name),
            Matcher::Regex(regex) => regex.is_match(name),
        }
    }
}

/// The regex crate's messages span several lines with a caret diagram; the last line says why.
fn first_line(message: &str) -> String {
    message
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .unwrap_or(message)
        .trim()
        .trim_start_matches("error: ")
        .to_string()
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

/// A plain list of patterns (no `!`), for inputs such as `tags` and `exclude-tags`.
#[derive(Debug, Clone)]
pub struct PatternList {
    patterns: Vec<Pattern>,
}

impl PatternList {
    /// Parses a list separated by commas or newlines. An empty list is `None`.
    pub fn parse(list: &str) -> Result<Option<PatternList>, PatternError> {
        let patterns = split_list(list)
            .map(Pattern::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok((!patterns.is_empty()).then_some(PatternList { patterns }))
    }

    /// The list that matches everything (`*`).
    pub fn everything() -> PatternList {
        PatternList {
            patterns: vec![Pattern::parse("*").expect("`*` is a valid glob")],
        }
    }

    /// The first pattern that matches `name`.
    pub fn first_match(&self, name: &str) -> Option<&Pattern> {
        self.patterns.iter().find(|p| p.matches(name))
    }

    /// The first (name, pattern) pair where one of `names` matches.
    pub fn first_match_among<'n>(&self, names: &'n [String]) -> Option<(&'n str, &Pattern)> {
        names
            .iter()
            .find_map(|name| Some((name.as_str(), self.first_match(name)?)))
    }
}

impl fmt::Display for PatternList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sources: Vec<&str> = self.patterns.iter().map(Pattern::as_str).collect();
        f.write_str(&sources.join(", "))
    }
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
                // `!` alone would exclude nothing and so, as a list of excludes alone, choose
                // every package: the opposite of what anyone writing it means.
                Some(excluded) if excluded.trim().is_empty() => {
                    return Err(PatternError {
                        pattern: item.to_string(),
                        reason: "`!` needs a pattern after it (`!legacy-*`)".to_string(),
                    });
                }
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
                matcher: Matcher::Glob(
                    Glob::new(&escaped)
                        .expect("an escaped name is a valid glob")
                        .compile_matcher(),
                ),
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

    /// The include patterns that match none of `names` (the names chosen).
    pub fn includes_matching_none(&self, names: &[&str]) -> Vec<&str> {
        self.include
            .iter()
            .filter(|pattern| !names.iter().any(|name| pattern.matches(name)))
            .map(Pattern::as_str)
            .collect()
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

impl fmt::Display for NameSelector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let includes = self.include.iter().map(|p| p.as_str().to_string());
        let excludes = self.exclude.iter().map(|p| format!("!{}", p.as_str()));
        f.write_str(&includes.chain(excludes).collect::<Vec<_>>().join(", "))
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
        assert_eq!(NameSelector::parse("/^api$/").unwrap().exact_names(), None);
        assert_eq!(exact.exact_names(), Some(vec!["we[ird]"]));
        assert!(exact.matches("we[ird]"));
        assert!(!exact.matches("wei"));
    }

    #[test]
    fn slashes_around_a_pattern_make_it_a_regex() {
        let selector = NameSelector::parse(r"/^v\d+\.\d+$/, !/rc/").unwrap();
        assert!(selector.matches("v1.2"));
        assert!(!selector.matches("v1.2.3"));
        assert!(!selector.matches("xv1.2"));
        let unanchored = Pattern::parse("/cache/").unwrap();
        assert!(unanchored.matches("api-cache-7"));
    }

    #[test]
    fn a_bad_or_huge_regex_is_refused_with_the_reason() {
        let err = Pattern::parse("/v(1/").unwrap_err();
        assert!(err.reason.contains("unclosed group"), "{err}");
        let err = Pattern::parse("/(a{1000}){1000}/").unwrap_err();
        assert!(err.reason.contains("size limit"), "{err}");
    }

    #[test]
    fn a_broken_pattern_says_which_and_why() {
        let err = NameSelector::parse("ok, [unclosed").unwrap_err();
        assert_eq!(err.pattern, "[unclosed");
        assert!(err.to_string().contains("unclosed"), "{err}");
    }
}
