//! Which tokens a gallery page shows. An enumerable ERC-721 numbers its
//! tokens 0..total (all of them, or one owner's); a page lists 50 of them,
//! newest first, so page 1 starts at the last index.

use std::ops::Range;

/// Tokens shown on one gallery page.
pub const TOKENS_PER_PAGE: u64 = 50;

/// A 1-based page number, as the address shows it (`?page=2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PageNumber(u64);

impl PageNumber {
    pub const FIRST: PageNumber = PageNumber(1);

    /// The `page` query value as written; anything but a positive whole
    /// number is the first page, so a mangled link still shows something.
    pub fn from_query(value: Option<&str>) -> Self {
        value
            .and_then(|text| text.trim().parse::<u64>().ok())
            .filter(|page| *page >= 1)
            .map_or(Self::FIRST, PageNumber)
    }

    pub fn get(self) -> u64 {
        self.0
    }

    pub fn previous(self) -> Option<Self> {
        (self.0 > 1).then(|| PageNumber(self.0 - 1))
    }

    pub fn next(self) -> Self {
        PageNumber(self.0.saturating_add(1))
    }
}

/// How many pages `total` tokens fill; an empty listing still has one.
pub fn page_count(total: u64) -> u64 {
    total.div_ceil(TOKENS_PER_PAGE).max(1)
}

/// The enumeration indices on `page`, newest (highest) first; empty past
/// the last page.
pub fn page_indices(total: u64, page: PageNumber) -> Vec<u64> {
    let skipped = (page.get() - 1).saturating_mul(TOKENS_PER_PAGE);
    let end = total.saturating_sub(skipped);
    let start = end.saturating_sub(TOKENS_PER_PAGE);
    Range { start, end }.rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_page_lists_the_newest_fifty() {
        let indices = page_indices(120, PageNumber::FIRST);
        assert_eq!(indices.len(), 50);
        assert_eq!(indices.first(), Some(&119));
        assert_eq!(indices.last(), Some(&70));
    }

    #[test]
    fn the_last_page_holds_the_rest_down_to_the_oldest() {
        let third = PageNumber::from_query(Some("3"));
        assert_eq!(page_indices(120, third), (0..20).rev().collect::<Vec<_>>());
        assert_eq!(page_count(120), 3);
    }

    #[test]
    fn past_the_end_and_empty_listings_show_nothing() {
        assert!(page_indices(120, PageNumber::from_query(Some("4"))).is_empty());
        assert!(page_indices(0, PageNumber::FIRST).is_empty());
        assert_eq!(page_count(0), 1);
        assert_eq!(page_count(50), 1);
        assert_eq!(page_count(51), 2);
    }

    #[test]
    fn a_mangled_page_number_is_the_first_page() {
        for query in [
            None,
            Some(""),
            Some("0"),
            Some("-2"),
            Some("two"),
            Some("1e3"),
        ] {
            assert_eq!(
                PageNumber::from_query(query),
                PageNumber::FIRST,
                "{query:?}"
            );
        }
        assert_eq!(PageNumber::from_query(Some(" 7 ")).get(), 7);
    }

    #[test]
    fn huge_page_numbers_do_not_overflow() {
        let far = PageNumber::from_query(Some(&u64::MAX.to_string()));
        assert!(page_indices(u64::MAX, far).len() <= TOKENS_PER_PAGE as usize);
        assert_eq!(far.next(), far);
        assert_eq!(PageNumber::FIRST.previous(), None);
    }
}
