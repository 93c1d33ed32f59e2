//! GitHub's page-number pagination: `page` and `per_page` in, a page of items and a `Link`
//! header out.

use axum::http::HeaderValue;

use super::extract::RequestUrl;

/// `per_page` when the request does not say.
const DEFAULT_PER_PAGE: usize = 30;
/// The largest `per_page` GitHub honours; larger values are served as this.
const MAX_PER_PAGE: usize = 100;

/// The page a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageRequest {
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

impl PageRequest {
    /// Reads `page` and `per_page` as GitHub does: values that are missing, not numbers or below
    /// 1 fall back to the defaults, and `per_page` is capped at 100.
    pub fn new(page: Option<&str>, per_page: Option<&str>) -> PageRequest {
        let positive = |text: Option<&str>| {
            text.and_then(|text| text.trim().parse::<usize>().ok())
                .filter(|&n| n >= 1)
        };
        PageRequest {
            page: positive(page).unwrap_or(1),
            per_page: positive(per_page)
                .unwrap_or(DEFAULT_PER_PAGE)
                .min(MAX_PER_PAGE),
        }
    }

    /// How far into the result set the page reaches: GitHub caps package listings at
    /// `page * per_page <= 10000`.
    pub fn reach(self) -> usize {
        self.page.saturating_mul(self.per_page)
    }

    /// Cuts this page out of `items` and builds the `Link` header for it: `prev` and `first` on
    /// every page after the first, `next` and `last` on every page before the last, no header
    /// when everything fits on one page. The links repeat the request's URL with only `page`
    /// changed, so other parameters (and the `/api/v3` prefix) are kept.
    pub fn apply<T>(self, items: Vec<T>, url: &RequestUrl) -> (Vec<T>, Option<HeaderValue>) {
        let total = items.len();
        let last = total.div_ceil(self.per_page).max(1);
        let start = (self.page - 1).saturating_mul(self.per_page).min(total);
        let page: Vec<T> = items.into_iter().skip(start).take(self.per_page).collect();

        let mut links = Vec::new();
        if self.page > 1 {
            links.push((self.page - 1, "prev"));
        }
        if self.page < last {
            links.push((self.page + 1, "next"));
            links.push((last, "last"));
        }
        if self.page > 1 {
            links.push((1, "first"));
        }
        let header = links
            .iter()
            .map(|&(page, rel)| format!("<{}>; rel=\"{rel}\"", page_url(url, page)))
            .collect::<Vec<_>>()
            .join(", ");
        (
            page,
            HeaderValue::from_str(&header)
                .ok()
                .filter(|_| !links.is_empty()),
        )
    }
}

/// The request's URL with `page` set to `page`, placed last as GitHub places it.
fn page_url(url: &RequestUrl, page: usize) -> String {
    let mut pairs: Vec<&str> = url
        .query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty() && pair.split('=').next() != Some("page"))
        .collect();
    let page = format!("page={page}");
    pairs.push(&page);
    format!("{}{}?{}", url.origin, url.path, pairs.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(query: &str) -> RequestUrl {
        RequestUrl {
            origin: "http://127.0.0.1:9".into(),
            path: "/api/v3/orgs/acme/packages/container/team%2Fapp/versions".into(),
            query: Some(query.into()),
        }
    }

    #[test]
    fn page_parameters_fall_back_like_github() {
        assert_eq!(
            PageRequest::new(None, None),
            PageRequest {
                page: 1,
                per_page: 30
            }
        );
        assert_eq!(
            PageRequest::new(Some("0"), Some("1000")),
            PageRequest {
                page: 1,
                per_page: 100
            }
        );
        assert_eq!(
            PageRequest::new(Some("x"), Some("-3")),
            PageRequest {
                page: 1,
                per_page: 30
            }
        );
    }

    #[test]
    fn middle_pages_link_every_way_and_keep_other_parameters() {
        let request = PageRequest::new(Some("2"), Some("10"));
        let (page, link) =
            request.apply((0..35).collect(), &url("per_page=10&page=2&state=active"));
        assert_eq!(page, (10..20).collect::<Vec<_>>());
        let base = "http://127.0.0.1:9/api/v3/orgs/acme/packages/container/team%2Fapp/versions";
        let expected = format!(
            "<{base}?per_page=10&state=active&page=1>; rel=\"prev\", \
             <{base}?per_page=10&state=active&page=3>; rel=\"next\", \
             <{base}?per_page=10&state=active&page=4>; rel=\"last\", \
             <{base}?per_page=10&state=active&page=1>; rel=\"first\""
        );
        assert_eq!(link.expect("a Link header"), expected.as_str());
    }

    #[test]
    fn a_single_page_has_no_link_header() {
        let (page, link) = PageRequest::new(None, None).apply(vec![1, 2, 3], &url(""));
        assert_eq!((page, link), (vec![1, 2, 3], None));
    }

    #[test]
    fn pages_past_the_end_are_empty() {
        let (page, link) =
            PageRequest::new(Some("9"), Some("10")).apply((0..15).collect(), &url(""));
        assert!(page.is_empty());
        let link = link.expect("a Link header");
        assert!(
            link.to_str()
                .is_ok_and(|l| l.contains("page=8>; rel=\"prev\""))
        );
    }
}
