//! The `Link` header GitHub paginates with: `<https://…?page=2>; rel="next", <…>; rel="last"`.

/// The pagination links of one response. Unknown relations are ignored, never an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageLinks {
    pub next: Option<String>,
    pub last: Option<String>,
    pub first: Option<String>,
    pub prev: Option<String>,
}

impl PageLinks {
    pub fn parse(header: &str) -> PageLinks {
        let mut links = PageLinks::default();
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let Some(target) = parts.next().map(str::trim) else {
                continue;
            };
            let Some(url) = target.strip_prefix('<').and_then(|t| t.strip_suffix('>')) else {
                continue;
            };
            for param in parts {
                let Some((key, value)) = param.split_once('=') else {
                    continue;
                };
                if key.trim() != "rel" {
                    continue;
                }
                // A rel value may list several relations: rel="next last".
                for rel in value.trim().trim_matches('"').split_whitespace() {
                    let slot = match rel {
                        "next" => &mut links.next,
                        "last" => &mut links.last,
                        "first" => &mut links.first,
                        "prev" => &mut links.prev,
                        _ => continue,
                    };
                    *slot = Some(url.to_string());
                }
            }
        }
        links
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_githubs_links_and_ignores_the_unknown() {
        let header = r#"<https://api.github.com/user/packages?page=2>; rel="next", <https://api.github.com/user/packages?page=5>; rel="last", <https://x/y>; rel="alternate", garbage"#;
        let links = PageLinks::parse(header);
        assert_eq!(
            links.next.as_deref(),
            Some("https://api.github.com/user/packages?page=2")
        );
        assert_eq!(
            links.last.as_deref(),
            Some("https://api.github.com/user/packages?page=5")
        );
        assert_eq!(links.prev, None);
        assert_eq!(PageLinks::parse(""), PageLinks::default());
    }
}
