//! Where each pin request stands, and when to ask again: a request goes
//! `requesting → queued → pinning → pinned`, or ends `failed` with the
//! service's reason; the status is asked again after 1, 2, 4 … s, at most
//! every 30 s, until the service is done or [`MAX_POLLING`] has passed.

use std::time::Duration;

use super::psa_answer::{PinStatus, Status};
use super::PinError;

/// The longest wait between two status checks.
pub const MAX_POLL_WAIT: Duration = Duration::from_secs(30);
/// How long a page keeps asking; a service may take longer, and says so
/// when asked later.
pub const MAX_POLLING: Duration = Duration::from_secs(60 * 60);

/// The wait before status check number `poll` (1-based): 1, 2, 4 … 30 s.
pub fn poll_wait(poll: u32) -> Duration {
    Duration::from_secs(1 << poll.saturating_sub(1).min(5)).min(MAX_POLL_WAIT)
}

/// The waits of one pin request, until [`MAX_POLLING`] is spent.
#[derive(Debug, Default, Clone)]
pub struct PollSchedule {
    polls: u32,
    waited: Duration,
}

impl PollSchedule {
    /// The next wait, or `None` when the page should stop asking.
    pub fn next_wait(&mut self) -> Option<Duration> {
        if self.waited >= MAX_POLLING {
            return None;
        }
        self.polls += 1;
        let wait = poll_wait(self.polls);
        self.waited += wait;
        Some(wait)
    }

    pub fn waited(&self) -> Duration {
        self.waited
    }
}

/// One pin request to one service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinPhase {
    /// `POST /pins` sent, no answer yet.
    Requesting,
    /// What the service last said, while it is not done.
    Waiting(Status),
    Pinned,
    Failed(PinError),
}

impl PinPhase {
    /// The phase after the service answered with `answer`; a `failed` pin
    /// carries the service's reason from `info`.
    pub fn after(service: &str, answer: Result<PinStatus, PinError>) -> PinPhase {
        match answer {
            Ok(PinStatus {
                status: Status::Pinned,
                ..
            }) => PinPhase::Pinned,
            Ok(PinStatus {
                status: Status::Failed,
                info,
                ..
            }) => PinPhase::Failed(PinError::Failed {
                service: service.to_owned(),
                reason: info.unwrap_or_else(|| "it gave no reason".into()),
            }),
            Ok(PinStatus { status, .. }) => PinPhase::Waiting(status),
            Err(error) => PinPhase::Failed(error),
        }
    }

    /// Whether nothing more will happen to it in this session.
    pub fn is_done(&self) -> bool {
        matches!(self, PinPhase::Pinned | PinPhase::Failed(_))
    }

    /// The word the page shows, and its `data-status`.
    pub fn label(&self) -> &'static str {
        match self {
            PinPhase::Requesting => "requesting",
            PinPhase::Waiting(status) => status.as_spec(),
            PinPhase::Pinned => "pinned",
            PinPhase::Failed(_) => "failed",
        }
    }
}

/// One sentence for screen readers about a set of pin requests.
pub fn summary<'a>(phases: impl IntoIterator<Item = &'a PinPhase>) -> String {
    let (mut total, mut pinned, mut failed) = (0, 0, 0);
    for phase in phases {
        total += 1;
        match phase {
            PinPhase::Pinned => pinned += 1,
            PinPhase::Failed(_) => failed += 1,
            _ => {}
        }
    }
    let working = total - pinned - failed;
    let mut text = format!("Pinned {pinned} of {total}");
    if failed > 0 {
        text.push_str(&format!(", {failed} failed"));
    }
    if working > 0 {
        text.push_str(&format!(", {working} in progress"));
    }
    text.push('.');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(status: Status, info: Option<&str>) -> Result<PinStatus, PinError> {
        Ok(PinStatus {
            requestid: "r".into(),
            status,
            info: info.map(str::to_owned),
        })
    }

    #[test]
    fn waits_double_from_one_second_up_to_thirty() {
        let waits: Vec<u64> = (1..=8).map(|poll| poll_wait(poll).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 30, 30, 30]);
    }

    #[test]
    fn polling_stops_after_an_hour() {
        let mut schedule = PollSchedule::default();
        let mut polls = 0;
        while schedule.next_wait().is_some() {
            polls += 1;
        }
        assert!(schedule.waited() >= MAX_POLLING);
        assert!(schedule.waited() < MAX_POLLING + MAX_POLL_WAIT);
        // 1+2+4+8+16 = 31 s, then every 30 s.
        assert_eq!(polls, 5 + (3600 - 31 + 29) / 30);
    }

    #[test]
    fn the_status_goes_queued_pinning_pinned() {
        let phases: Vec<PinPhase> = [Status::Queued, Status::Pinning, Status::Pinned]
            .into_iter()
            .map(|s| PinPhase::after("A", status(s, None)))
            .collect();
        assert_eq!(
            phases.iter().map(PinPhase::label).collect::<Vec<_>>(),
            ["queued", "pinning", "pinned"]
        );
        assert_eq!(
            phases.iter().map(PinPhase::is_done).collect::<Vec<_>>(),
            [false, false, true]
        );
        assert_eq!(PinPhase::Requesting.label(), "requesting");
    }

    #[test]
    fn a_failed_pin_carries_the_services_reason() {
        let failed = PinPhase::after(
            "Pinata",
            status(Status::Failed, Some("reason: no provider found")),
        );
        assert_eq!(
            failed,
            PinPhase::Failed(PinError::Failed {
                service: "Pinata".into(),
                reason: "reason: no provider found".into()
            })
        );
        assert!(failed.is_done());
        let PinPhase::Failed(error) = PinPhase::after("B", status(Status::Failed, None)) else {
            panic!("failed")
        };
        assert_eq!(error.to_string(), "B could not pin it: it gave no reason");
        let unauthorized = PinPhase::after(
            "B",
            Err(PinError::Unauthorized {
                service: "B".into(),
            }),
        );
        assert_eq!(unauthorized.label(), "failed");
    }

    #[test]
    fn the_summary_counts_what_is_done() {
        let phases = [
            PinPhase::Pinned,
            PinPhase::Waiting(Status::Pinning),
            PinPhase::Failed(PinError::Unauthorized {
                service: "A".into(),
            }),
            PinPhase::Pinned,
        ];
        assert_eq!(summary(&phases), "Pinned 2 of 4, 1 failed, 1 in progress.");
        assert_eq!(summary(&phases[..1]), "Pinned 1 of 1.");
    }
}
