//! Reading logs over a long block range from endpoints that cap it. Public
//! RPC endpoints refuse `eth_getLogs` over too many blocks (or with too many
//! results), each with its own limit and message, so the range is walked in
//! windows, oldest first, and a refused window is halved and asked again.
//! When even the smallest window is refused, or the budget of requests is
//! spent, the walk stops and says how far it got.

use std::ops::RangeInclusive;

/// The first window tried: wide enough for a young contract in one request.
pub const FIRST_WINDOW_BLOCKS: u64 = 50_000;
/// Refused at this size, the endpoint will not answer for this range at all.
const SMALLEST_WINDOW_BLOCKS: u64 = 16;
/// Requests one walk may make, so a contract deployed long ago on a chain
/// whose endpoint allows tiny windows cannot keep the page busy for ever.
pub const MAX_REQUESTS: u32 = 400;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogWindows {
    next_from: u64,
    last: u64,
    window: u64,
    requests: u32,
    stopped: Option<StopReason>,
}

/// Why a walk ended before its last block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The endpoint refused even the smallest window.
    Refused,
    /// [`MAX_REQUESTS`] were made.
    OutOfRequests,
}

impl LogWindows {
    /// Walks `first..=last`.
    pub fn new(first: u64, last: u64) -> Self {
        LogWindows {
            next_from: first,
            last,
            window: FIRST_WINDOW_BLOCKS,
            requests: 0,
            stopped: None,
        }
    }

    /// The next window to ask for; `None` when the walk is over.
    pub fn next_window(&mut self) -> Option<RangeInclusive<u64>> {
        if self.stopped.is_some() || self.next_from > self.last {
            return None;
        }
        if self.requests >= MAX_REQUESTS {
            self.stopped = Some(StopReason::OutOfRequests);
            return None;
        }
        self.requests += 1;
        let end = self
            .next_from
            .saturating_add(self.window - 1)
            .min(self.last);
        Some(self.next_from..=end)
    }

    /// The window was answered: move past it.
    pub fn answered(&mut self, window: &RangeInclusive<u64>) {
        match window.end().checked_add(1) {
            Some(next) => self.next_from = next,
            // The very last block there can be: nothing is left.
            None => self.last = 0,
        }
    }

    /// The window was refused: halve it, or stop when it is already the
    /// smallest.
    pub fn refused(&mut self) {
        if self.window <= SMALLEST_WINDOW_BLOCKS {
            self.stopped = Some(StopReason::Refused);
        } else {
            self.window = (self.window / 2).max(SMALLEST_WINDOW_BLOCKS);
        }
    }

    /// `None` when every block was read; else why not, and the first block
    /// not read.
    pub fn incomplete(&self) -> Option<(StopReason, u64)> {
        self.stopped.map(|reason| (reason, self.next_from))
    }

    pub fn requests(&self) -> u32 {
        self.requests
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Walks with an endpoint that refuses windows wider than `cap`.
    fn walk(first: u64, last: u64, cap: u64) -> (Vec<RangeInclusive<u64>>, LogWindows) {
        let mut windows = LogWindows::new(first, last);
        let mut read = Vec::new();
        while let Some(window) = windows.next_window() {
            if window.end() - window.start() + 1 > cap {
                windows.refused();
            } else {
                windows.answered(&window);
                read.push(window);
            }
        }
        (read, windows)
    }

    #[test]
    fn an_endpoint_without_a_cap_is_read_in_one_window() {
        let (read, windows) = walk(100, 20_000, u64::MAX);
        assert_eq!(read, vec![100..=20_000]);
        assert_eq!(windows.incomplete(), None);
    }

    #[test]
    fn a_capped_endpoint_is_read_in_windows_that_shrink_to_fit_and_cover_every_block() {
        let (read, windows) = walk(1, 120_000, 10_000);
        assert_eq!(windows.incomplete(), None);
        assert_eq!(*read.first().unwrap().start(), 1);
        assert_eq!(*read.last().unwrap().end(), 120_000);
        for pair in read.windows(2) {
            assert_eq!(*pair[0].end() + 1, *pair[1].start(), "no gap, no overlap");
        }
        assert!(read
            .iter()
            .all(|window| window.end() - window.start() < 10_000));
        // Three refusals (50,000 → 25,000 → 12,500 → 6,250), then it fits.
        assert_eq!(windows.requests() as usize, read.len() + 3);
    }

    #[test]
    fn an_endpoint_that_refuses_every_window_leaves_the_walk_incomplete_where_it_stopped() {
        let (read, windows) = walk(500, 90_000, 0);
        assert!(read.is_empty());
        assert_eq!(windows.incomplete(), Some((StopReason::Refused, 500)));
    }

    #[test]
    fn a_walk_stops_when_its_request_budget_is_spent() {
        let (read, windows) = walk(0, 100_000_000, 16);
        assert_eq!(windows.requests(), MAX_REQUESTS);
        let (reason, from) = windows.incomplete().unwrap();
        assert_eq!(reason, StopReason::OutOfRequests);
        assert_eq!(from, *read.last().unwrap().end() + 1);
    }

    #[test]
    fn an_empty_range_needs_no_request() {
        let mut windows = LogWindows::new(10, 9);
        assert_eq!(windows.next_window(), None);
        assert_eq!(windows.incomplete(), None);
    }
}
