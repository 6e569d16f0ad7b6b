//! Server-side paging: the browser asks for one page, sorted and filtered, and gets it
//! with the total so it can show "21–40 of 153".

use serde::{Deserialize, Serialize};

pub const DEFAULT_PER_PAGE: u32 = 25;
pub const MAX_PER_PAGE: u32 = 200;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    /// A column name from the list's own allow-list; unknown names fall back to its default.
    pub sort: String,
    pub descending: bool,
    pub search: String,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            sort: String::new(),
            descending: false,
            search: String::new(),
        }
    }
}

impl PageRequest {
    pub fn limit(&self) -> i64 {
        i64::from(self.per_page.clamp(1, MAX_PER_PAGE))
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page.max(1) - 1) * self.limit()
    }

    /// Reads `page`, `per_page`, `sort`, `desc` and `q` from a query string map.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Self {
        PageRequest {
            page: get("page").and_then(|p| p.parse().ok()).unwrap_or(1).max(1),
            per_page: get("per_page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(DEFAULT_PER_PAGE)
                .clamp(1, MAX_PER_PAGE),
            sort: get("sort").unwrap_or_default(),
            descending: get("desc").is_some_and(|d| d == "1" || d == "true"),
            search: get("q").unwrap_or_default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    /// `total` is a lower bound: counting stopped there (big lists count only so far).
    #[serde(default)]
    pub total_capped: bool,
    pub page: u32,
    pub per_page: u32,
}

impl<T> Page<T> {
    pub fn new(items: Vec<T>, total: i64, request: &PageRequest) -> Self {
        Page {
            items,
            total,
            total_capped: false,
            page: request.page.max(1),
            per_page: request.per_page.clamp(1, MAX_PER_PAGE),
        }
    }

    pub fn last_page(&self) -> u32 {
        let per_page = i64::from(self.per_page.max(1));
        u32::try_from((self.total + per_page - 1) / per_page)
            .unwrap_or(1)
            .max(1)
    }

    /// 1-based index of the first and last item shown.
    pub fn range(&self) -> (i64, i64) {
        if self.items.is_empty() {
            return (0, 0);
        }
        let first = i64::from(self.page - 1) * i64::from(self.per_page) + 1;
        let count = i64::try_from(self.items.len()).unwrap_or(0);
        (first, first + count - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_ranges() {
        let request = PageRequest {
            page: 3,
            per_page: 20,
            ..Default::default()
        };
        assert_eq!((request.limit(), request.offset()), (20, 40));
        let page = Page::new(vec![1; 13], 53, &request);
        assert_eq!(page.range(), (41, 53));
        assert_eq!(page.last_page(), 3);
        let empty: Page<u8> = Page::new(vec![], 0, &PageRequest::default());
        assert_eq!((empty.range(), empty.last_page()), ((0, 0), 1));
    }

    #[test]
    fn query_values_are_clamped() {
        let request = PageRequest::from_query(|k| match k {
            "page" => Some("0".into()),
            "per_page" => Some("100000".into()),
            "desc" => Some("1".into()),
            _ => None,
        });
        assert_eq!(
            (request.page, request.per_page, request.descending),
            (1, MAX_PER_PAGE, true)
        );
    }
}
