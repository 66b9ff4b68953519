//! Page-number paging for the short lists that are read whole (departments, areas, members,
//! tokens); long lists page by keyset through the list engine (`list`).

pub const DEFAULT_PER_PAGE: u32 = 50;
pub const MAX_PER_PAGE: u32 = 500;
/// No list is browsed deeper than this.
pub const MAX_PAGE: u32 = 1_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// 1-based page number.
    pub page: u32,
    pub per_page: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { page: 1, per_page: DEFAULT_PER_PAGE }
    }
}

impl PageRequest {
    /// Clamps user-supplied values into the allowed range.
    pub fn new(page: Option<u32>, per_page: Option<u32>) -> Self {
        Self { page: page.unwrap_or(1).max(1), per_page: per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE) }
    }

    /// Checks client-supplied values (the API): out of range is an error, not clamped.
    pub fn checked(page: Option<u32>, per_page: Option<u32>) -> Result<Self, crate::CoreError> {
        let mut c = crate::validate::Checks::new();
        if page.is_some_and(|p| !(1..=MAX_PAGE).contains(&p)) {
            c.fail("page", &format!("must be from 1 to {MAX_PAGE}"));
        }
        if per_page.is_some_and(|n| !(1..=MAX_PER_PAGE).contains(&n)) {
            c.fail("per_page", &format!("must be from 1 to {MAX_PER_PAGE}"));
        }
        c.finish()?;
        Ok(Self::new(page, per_page))
    }

    pub fn offset(&self) -> i64 {
        (self.page as i64 - 1) * self.per_page as i64
    }

    pub fn limit(&self) -> i64 {
        self.per_page as i64
    }
}
