//! Page and page size of the list routes: one rule and one error for all of them.

use crate::problem::ApiError;

/// A validated page request: `page` from 1, `per_page` from 1 to the route's maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub per_page: i64,
}

impl Paging {
    /// `page` (default 1) and `per_page` (default `default`, at most `max`), or 422
    /// `invalid_query`.
    pub fn parse(
        page: Option<i64>,
        per_page: Option<i64>,
        default: i64,
        max: i64,
    ) -> Result<Paging, ApiError> {
        let page = page.unwrap_or(1);
        let per_page = per_page.unwrap_or(default);
        if page < 1 || !(1..=max).contains(&per_page) {
            return Err(ApiError::invalid(
                "invalid_query",
                format!("page must be ≥ 1 and per_page 1 to {max}"),
            ));
        }
        Ok(Paging { page, per_page })
    }

    /// The rows to skip before this page.
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_bounds_and_offset() {
        let paging = Paging::parse(None, None, 100, 500).unwrap();
        assert_eq!((paging.page, paging.per_page, paging.offset()), (1, 100, 0));
        let paging = Paging::parse(Some(3), Some(500), 100, 500).unwrap();
        assert_eq!(paging.offset(), 1000);
        assert!(Paging::parse(Some(0), None, 100, 500).is_err());
        assert!(Paging::parse(None, Some(501), 100, 500).is_err());
        assert!(Paging::parse(None, Some(0), 100, 500).is_err());
    }
}
