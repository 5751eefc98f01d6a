//! When an upload is tried again, as the nft.storage client did: at most 6
//! attempts, waiting 1, 2, 4, 8 and 16 s (with jitter) between them, or as
//! long as the service's `Retry-After` asks. Network failures, 408, 429 and
//! 5xx are worth another try; 400, 401, 403 and 413 never are, since the same
//! request would fail the same way.

use std::fmt;
use std::time::Duration;

pub const MAX_ATTEMPTS: u32 = 6;

/// The longest `Retry-After` honoured; a longer one ends the retries, since
/// nobody waits minutes watching a progress bar.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// How an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptFailure {
    /// No answer: a refused or dropped connection.
    Network,
    Status(u16),
}

impl AttemptFailure {
    pub fn is_retryable(self) -> bool {
        match self {
            AttemptFailure::Network => true,
            AttemptFailure::Status(status) => {
                matches!(status, 408 | 429) || (500..600).contains(&status)
            }
        }
    }
}

/// `Retry-After` in delta-seconds (RFC 9110 §10.2.3). The HTTP-date form is
/// not read: the backoff applies instead.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// The wait after failed attempt number `attempt` (1-based), or `None` to
/// stop. `jitter` is a random number in [0, 1), spreading clients apart.
pub fn next_wait(
    attempt: u32,
    failure: AttemptFailure,
    retry_after: Option<Duration>,
    jitter: f64,
) -> Option<Duration> {
    if attempt >= MAX_ATTEMPTS || !failure.is_retryable() {
        return None;
    }
    if let Some(asked) = retry_after {
        return (asked <= MAX_RETRY_AFTER).then_some(asked);
    }
    let base = Duration::from_secs(1 << (attempt - 1).min(4));
    Some(base.mul_f64(1.0 + 0.25 * jitter.clamp(0.0, 1.0)))
}

/// What the page says while it waits to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryNotice {
    pub service: String,
    pub failure: AttemptFailure,
    pub wait: Duration,
    /// The attempt about to be made, 2..=MAX_ATTEMPTS.
    pub next_attempt: u32,
}

impl fmt::Display for RetryNotice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let service = &self.service;
        match self.failure {
            AttemptFailure::Status(429) => write!(f, "Rate limited by {service}")?,
            AttemptFailure::Status(status) => write!(f, "{service} had a problem (HTTP {status})")?,
            AttemptFailure::Network => write!(f, "The connection to {service} dropped")?,
        }
        write!(
            f,
            ", retrying in {} s (attempt {} of {MAX_ATTEMPTS})",
            self.wait.as_secs_f64().round().max(1.0),
            self.next_attempt
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_one_second_for_five_retries() {
        let waits: Vec<u64> = (1..MAX_ATTEMPTS)
            .map(|attempt| {
                next_wait(attempt, AttemptFailure::Status(503), None, 0.0)
                    .unwrap()
                    .as_secs()
            })
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16]);
        assert_eq!(
            next_wait(MAX_ATTEMPTS, AttemptFailure::Status(503), None, 0.0),
            None,
            "six attempts in all"
        );
    }

    #[test]
    fn jitter_only_lengthens_a_wait_by_a_quarter_at_most() {
        let wait = next_wait(3, AttemptFailure::Network, None, 0.999).unwrap();
        assert!(wait > Duration::from_secs(4) && wait < Duration::from_secs(5));
    }

    #[test]
    fn retry_after_is_honoured_within_reason() {
        let asked = Some(Duration::from_secs(7));
        assert_eq!(next_wait(1, AttemptFailure::Status(429), asked, 0.5), asked);
        assert_eq!(
            next_wait(
                1,
                AttemptFailure::Status(429),
                Some(Duration::from_secs(3600)),
                0.5
            ),
            None
        );
        assert_eq!(parse_retry_after(" 8 "), Some(Duration::from_secs(8)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }

    #[test]
    fn only_failures_that_may_pass_next_time_are_retried() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(AttemptFailure::Status(status).is_retryable(), "{status}");
        }
        assert!(AttemptFailure::Network.is_retryable());
        for status in [400, 401, 403, 404, 413] {
            assert!(!AttemptFailure::Status(status).is_retryable(), "{status}");
            assert_eq!(
                next_wait(1, AttemptFailure::Status(status), None, 0.0),
                None
            );
        }
    }

    #[test]
    fn the_notice_says_why_how_long_and_which_attempt() {
        let notice = RetryNotice {
            service: "Pinata".into(),
            failure: AttemptFailure::Status(429),
            wait: Duration::from_secs(8),
            next_attempt: 3,
        };
        assert_eq!(
            notice.to_string(),
            "Rate limited by Pinata, retrying in 8 s (attempt 3 of 6)"
        );
    }
}
