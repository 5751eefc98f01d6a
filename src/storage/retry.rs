//! When an upload is tried again, as the nft.storage client did: at most 6
//! attempts, waiting 1, 2, 4, 8 and 16 s (with jitter) between them, or as
//! long as the service's `Retry-After` asks. Network failures, 408, 429 and
//! 5xx are worth another try; 400, 401, 403 and 413 never are, since the same
//! request would fail the same way. An attempt that sends no progress for
//! [`UPLOAD_IDLE_TIMEOUT`] is stalled: the idle watchdog aborts it, and it is
//! tried again like a dropped connection.

use std::fmt;
use std::time::Duration;

pub const MAX_ATTEMPTS: u32 = 6;

/// The longest `Retry-After` honoured; a longer one ends the retries, since
/// nobody waits minutes watching a progress bar.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// The idle watchdog: an attempt with no progress event (bytes sent or
/// answered) for this long is aborted and counts as a retryable failure.
pub const UPLOAD_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// The watchdog's limit for this build. `test_override` is the build-time
/// `MINTY_TEST_UPLOAD_IDLE_SECS`, which only the local stack's test mode
/// sets (see `minty-devstack`); it can only shorten the limit, never to
/// zero, and `honour_override` is false in release builds, so a production
/// build ignores it even when the variable leaks into its environment.
pub fn upload_idle_timeout(test_override: Option<&str>, honour_override: bool) -> Duration {
    test_override
        .filter(|_| honour_override)
        .and_then(|value| value.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
        .filter(|asked| !asked.is_zero() && *asked < UPLOAD_IDLE_TIMEOUT)
        .unwrap_or(UPLOAD_IDLE_TIMEOUT)
}

/// How an attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptFailure {
    /// No answer and no byte sent: the service could not be reached (a
    /// refused connection, a wrong address, a CORS refusal).
    Unreachable,
    /// No answer after bytes were sent: the connection dropped mid-upload.
    Dropped,
    /// The idle watchdog aborted an attempt that made no progress.
    Stalled,
    Status(u16),
}

impl AttemptFailure {
    /// Reads how an attempt ended: its HTTP status (0 for none), how many
    /// bytes of the body had been sent, and whether the watchdog stopped it.
    /// `None` means it succeeded (2xx).
    pub fn of_attempt(status: u16, bytes_sent: u64, stalled: bool) -> Option<Self> {
        match status {
            _ if stalled => Some(AttemptFailure::Stalled),
            0 if bytes_sent > 0 => Some(AttemptFailure::Dropped),
            0 => Some(AttemptFailure::Unreachable),
            200..=299 => None,
            status => Some(AttemptFailure::Status(status)),
        }
    }

    pub fn is_retryable(self) -> bool {
        match self {
            AttemptFailure::Unreachable | AttemptFailure::Dropped | AttemptFailure::Stalled => true,
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
            AttemptFailure::Unreachable => write!(f, "Could not reach {service}")?,
            AttemptFailure::Dropped => {
                write!(f, "The connection to {service} dropped during the upload")?
            }
            AttemptFailure::Stalled => write!(f, "{service} stopped sending progress")?,
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
        let wait = next_wait(3, AttemptFailure::Dropped, None, 0.999).unwrap();
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
        for failure in [
            AttemptFailure::Unreachable,
            AttemptFailure::Dropped,
            AttemptFailure::Stalled,
        ] {
            assert!(failure.is_retryable(), "{failure:?}");
        }
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

    #[test]
    fn status_zero_is_a_drop_only_once_bytes_were_sent() {
        assert_eq!(
            AttemptFailure::of_attempt(0, 0, false),
            Some(AttemptFailure::Unreachable)
        );
        assert_eq!(
            AttemptFailure::of_attempt(0, 65_536, false),
            Some(AttemptFailure::Dropped)
        );
        assert_eq!(AttemptFailure::of_attempt(200, 10, false), None);
        assert_eq!(
            AttemptFailure::of_attempt(503, 10, false),
            Some(AttemptFailure::Status(503))
        );
    }

    #[test]
    fn an_attempt_the_watchdog_aborted_is_stalled_whatever_its_status() {
        // Aborting an XMLHttpRequest leaves status 0, with or without bytes sent.
        for sent in [0, 1 << 20] {
            assert_eq!(
                AttemptFailure::of_attempt(0, sent, true),
                Some(AttemptFailure::Stalled)
            );
        }
        assert!(next_wait(1, AttemptFailure::Stalled, None, 0.0).is_some());
    }

    #[test]
    fn the_watchdog_waits_a_minute_unless_a_test_build_shortens_it() {
        assert_eq!(UPLOAD_IDLE_TIMEOUT, Duration::from_secs(60));
        assert_eq!(upload_idle_timeout(None, true), UPLOAD_IDLE_TIMEOUT);
        assert_eq!(
            upload_idle_timeout(Some("10"), true),
            Duration::from_secs(10)
        );
        // A release build ignores the test hook entirely.
        assert_eq!(upload_idle_timeout(Some("10"), false), UPLOAD_IDLE_TIMEOUT);
        // It can only shorten the limit, and never to nothing.
        for odd in ["0", "600", "ten", ""] {
            assert_eq!(
                upload_idle_timeout(Some(odd), true),
                UPLOAD_IDLE_TIMEOUT,
                "{odd:?}"
            );
        }
    }

    #[test]
    fn each_failure_without_an_answer_has_its_own_sentence() {
        let notice = |failure| {
            RetryNotice {
                service: "127.0.0.1:8787".into(),
                failure,
                wait: Duration::from_secs(2),
                next_attempt: 2,
            }
            .to_string()
        };
        assert_eq!(
            notice(AttemptFailure::Dropped),
            "The connection to 127.0.0.1:8787 dropped during the upload, retrying in 2 s (attempt 2 of 6)"
        );
        assert_eq!(
            notice(AttemptFailure::Stalled),
            "127.0.0.1:8787 stopped sending progress, retrying in 2 s (attempt 2 of 6)"
        );
        assert_eq!(
            notice(AttemptFailure::Unreachable),
            "Could not reach 127.0.0.1:8787, retrying in 2 s (attempt 2 of 6)"
        );
    }
}
