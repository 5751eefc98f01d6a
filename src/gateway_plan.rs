//! Which gateway to ask, and when to ask again: the configured gateway
//! first, then the fallbacks in order, with pauses that grow between tries
//! of a gateway that is busy or failing. Pure, so the policy is tested
//! natively; the `gateway` shell and `show` follow it.

use std::time::Duration;

/// How long one request may take, answer and body, before it is given up:
/// a gateway that hangs must not hold the page. A raw block is at most a
/// little over 1 MiB, so a working gateway is well inside this.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// Tries of one gateway, the first included, for answers worth waiting out
/// (HTTP 429 and 5xx).
pub const TRIES_PER_GATEWAY: u32 = 3;

/// The pause before the second try; it doubles for each try after that.
const FIRST_PAUSE: Duration = Duration::from_millis(500);
const LONGEST_PAUSE: Duration = Duration::from_secs(8);

/// What went wrong with one request, as far as choosing a gateway goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// An HTTP status other than success.
    Status(u16),
    /// No answer within [`REQUEST_TIMEOUT`].
    TimedOut,
    /// No connection, a refusal under CORS, or a body that broke off.
    Unreachable,
    /// Bytes that do not hash to their CID: nothing more is taken from it.
    Altered,
    /// It does not serve raw blocks (`?format=raw`), so it cannot be checked.
    NoRawBlocks,
}

impl Failure {
    /// Busy (429) and server errors often pass; anything else will answer
    /// the same way again, and a gateway that hung is not given a second
    /// timeout's worth of the user's time.
    fn worth_retrying(self) -> bool {
        matches!(self, Failure::Status(429 | 500 | 502 | 503 | 504))
    }
}

/// What to do after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Ask the same gateway again after this pause.
    Retry(Duration),
    /// Ask the next gateway in the list, now [`GatewayPlan::current`].
    Switch,
    /// Every gateway has failed.
    GiveUp,
}

/// The pause before try `try_number` (2 for the first retry) of a gateway.
pub fn pause_before(try_number: u32) -> Duration {
    let doublings = try_number.saturating_sub(2).min(16);
    FIRST_PAUSE
        .saturating_mul(1 << doublings)
        .min(LONGEST_PAUSE)
}

/// The gateways to ask for one read, in order, and where the read is in
/// that list. A read moves on from a gateway that failed and never comes
/// back to it, so one dead gateway costs one timeout, not one per block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayPlan {
    gateways: Vec<String>,
    current: usize,
    /// Tries of the current gateway that failed since it last answered.
    failed_tries: u32,
}

impl GatewayPlan {
    /// A plan over `gateways` in order, each asked once however often it is
    /// listed. An empty list is a plan that gives up at once.
    pub fn new<S: AsRef<str>>(gateways: impl IntoIterator<Item = S>) -> Self {
        let mut unique: Vec<String> = Vec::new();
        for gateway in gateways {
            let gateway = gateway.as_ref();
            if !unique.iter().any(|known| same_gateway(known, gateway)) {
                unique.push(gateway.to_owned());
            }
        }
        Self {
            gateways: unique,
            current: 0,
            failed_tries: 0,
        }
    }

    /// The same plan with `answered` moved to the front: the gateway that
    /// just served the metadata is the best bet for the asset.
    pub fn preferring(&self, answered: &str) -> Self {
        let preferred = self
            .gateways
            .iter()
            .filter(|gateway| same_gateway(gateway, answered));
        let others = self
            .gateways
            .iter()
            .filter(|gateway| !same_gateway(gateway, answered));
        Self::new(preferred.chain(others))
    }

    /// The gateway to ask now; `None` once every one has failed.
    pub fn current(&self) -> Option<&str> {
        self.gateways.get(self.current).map(String::as_str)
    }

    #[cfg(test)]
    pub fn gateways(&self) -> &[String] {
        &self.gateways
    }

    /// The current gateway answered: its failed tries are forgiven.
    pub fn answered(&mut self) {
        self.failed_tries = 0;
    }

    /// The current gateway failed this way: wait and ask it again, move to
    /// the next one, or give up.
    pub fn failed(&mut self, failure: Failure) -> Next {
        if self.current().is_none() {
            return Next::GiveUp;
        }
        self.failed_tries += 1;
        if failure.worth_retrying() && self.failed_tries < TRIES_PER_GATEWAY {
            return Next::Retry(pause_before(self.failed_tries + 1));
        }
        self.current += 1;
        self.failed_tries = 0;
        match self.current() {
            Some(_) => Next::Switch,
            None => Next::GiveUp,
        }
    }
}

/// `…/ipfs` and `…/ipfs/` are one gateway.
fn same_gateway(a: &str, b: &str) -> bool {
    a.trim_end_matches('/') == b.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIGURED: &str = "https://gw.example/ipfs/";
    const FIRST: &str = "https://trustless.example/ipfs/";
    const SECOND: &str = "https://dweb.example/ipfs/";

    fn plan() -> GatewayPlan {
        GatewayPlan::new([CONFIGURED, FIRST, SECOND])
    }

    #[test]
    fn the_configured_gateway_comes_first_and_each_is_listed_once() {
        let plan = GatewayPlan::new([CONFIGURED, FIRST, "https://gw.example/ipfs", SECOND, FIRST]);
        assert_eq!(plan.gateways(), [CONFIGURED, FIRST, SECOND]);
        assert_eq!(plan.current(), Some(CONFIGURED));
    }

    #[test]
    fn a_server_error_is_retried_with_growing_pauses_then_the_next_gateway_is_asked() {
        let mut plan = plan();
        assert_eq!(
            plan.failed(Failure::Status(500)),
            Next::Retry(Duration::from_millis(500))
        );
        assert_eq!(
            plan.failed(Failure::Status(503)),
            Next::Retry(Duration::from_millis(1000))
        );
        assert_eq!(plan.failed(Failure::Status(500)), Next::Switch);
        assert_eq!(plan.current(), Some(FIRST));
    }

    #[test]
    fn a_busy_gateway_is_waited_out_too() {
        let mut plan = plan();
        assert!(matches!(plan.failed(Failure::Status(429)), Next::Retry(_)));
    }

    #[test]
    fn pauses_double_up_to_a_ceiling() {
        let pauses: Vec<u64> = (2..9).map(|n| pause_before(n).as_millis() as u64).collect();
        assert_eq!(pauses, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(pause_before(u32::MAX), LONGEST_PAUSE);
    }

    #[test]
    fn a_hang_an_alteration_a_refusal_or_no_raw_blocks_moves_on_at_once() {
        for failure in [
            Failure::TimedOut,
            Failure::Altered,
            Failure::Unreachable,
            Failure::NoRawBlocks,
            Failure::Status(404),
            Failure::Status(501),
        ] {
            let mut plan = plan();
            assert_eq!(plan.failed(failure), Next::Switch, "{failure:?}");
            assert_eq!(plan.current(), Some(FIRST), "{failure:?}");
        }
    }

    #[test]
    fn when_the_last_gateway_fails_the_read_gives_up_and_stays_given_up() {
        let mut plan = plan();
        assert_eq!(plan.failed(Failure::TimedOut), Next::Switch);
        assert_eq!(plan.failed(Failure::TimedOut), Next::Switch);
        assert_eq!(plan.current(), Some(SECOND));
        assert_eq!(plan.failed(Failure::TimedOut), Next::GiveUp);
        assert_eq!(plan.current(), None);
        assert_eq!(plan.failed(Failure::Status(500)), Next::GiveUp);
    }

    #[test]
    fn an_answer_forgives_earlier_failed_tries() {
        let mut plan = plan();
        plan.failed(Failure::Status(500));
        plan.failed(Failure::Status(500));
        plan.answered();
        // The next block starts over with the full number of tries.
        assert!(matches!(plan.failed(Failure::Status(500)), Next::Retry(_)));
        assert!(matches!(plan.failed(Failure::Status(500)), Next::Retry(_)));
        assert_eq!(plan.current(), Some(CONFIGURED));
    }

    #[test]
    fn the_gateway_that_answered_is_asked_first_next_time() {
        let preferred = plan().preferring("https://trustless.example/ipfs");
        assert_eq!(preferred.gateways(), [FIRST, CONFIGURED, SECOND]);
        // A gateway not in the list changes nothing.
        assert_eq!(
            plan().preferring("https://other.example/").gateways(),
            plan().gateways()
        );
    }

    #[test]
    fn no_gateways_gives_up_at_once() {
        let mut plan = GatewayPlan::new(Vec::<String>::new());
        assert_eq!(plan.current(), None);
        assert_eq!(plan.failed(Failure::TimedOut), Next::GiveUp);
    }
}
