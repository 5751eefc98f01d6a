//! The replication job, Minty's `pin <token-id>`: every enabled pinning
//! service is asked to pin each of a token's CIDs, and each request is
//! followed until the service says `pinned` or `failed`. It lives at the
//! app's root, so leaving the page does not stop the polling or lose what
//! the services said; any view showing those CIDs picks the progress up.

use std::collections::BTreeMap;

use cid::Cid;
use leptos::prelude::*;

use crate::code_split::{code_not_loaded_is, run_split, LocalRun};
use crate::nft::token_roots::token_roots;
use crate::pinning::progress::{PinPhase, PollSchedule};
use crate::pinning::psa::PsaClient;
use crate::pinning::services::{load_services, PinningService};
use crate::pinning::PinError;
use crate::wallet::transactions::sleep;

/// One CID of a token, as the page names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinTarget {
    /// "Metadata" or "Asset".
    pub role: &'static str,
    pub cid: Cid,
    /// The name the pin is saved under at the service.
    pub name: String,
}

impl PinTarget {
    /// The CIDs of token `id`: its metadata's and its asset's (the roots
    /// of their `ipfs://` URIs, as Minty's `pin` takes them), each once.
    /// An address that is not on IPFS has nothing to pin.
    pub fn of_token(id: &str, metadata_uri: &str, asset_uri: Option<&str>) -> Vec<PinTarget> {
        token_roots(metadata_uri, asset_uri)
            .into_iter()
            .map(|root| PinTarget {
                role: root.role.label(),
                cid: root.cid,
                name: format!("Minty token #{id} {}", root.role.label().to_lowercase()),
            })
            .collect()
    }
}

/// One service's request for one CID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PinKey {
    pub endpoint: String,
    pub cid: Cid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinEntry {
    /// The service's name, as saved in Settings.
    pub service: String,
    pub phase: PinPhase,
    /// Why the page is waiting to ask again, while it is.
    pub retry: Option<String>,
}

#[derive(Clone)]
struct PinTask {
    service: PinningService,
    target: PinTarget,
}

impl PinTask {
    fn key(&self) -> PinKey {
        PinKey {
            endpoint: self.service.endpoint.clone(),
            cid: self.target.cid,
        }
    }
}

#[derive(Clone, Copy)]
pub struct PinJob {
    pub pins: RwSignal<BTreeMap<PinKey, PinEntry>>,
    run: Action<PinTask, ()>,
}

/// Nothing to ask: no pinning service is enabled in Settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Add a pinning service and its access token in Settings first, then pin again.")]
pub struct NoServices;

impl PinJob {
    /// Call under the app root's owner.
    pub(super) fn new() -> Self {
        let pins = RwSignal::new(BTreeMap::new());
        let run = Action::new_local(move |task: &PinTask| {
            let task = task.clone();
            async move {
                let key = task.key();
                if let Err(problem) = run_split(fetch_pin_request(pins, task)).await {
                    pins.update(|pins| {
                        if let Some(entry) = pins.get_mut(&key) {
                            entry.phase = PinPhase::Failed(problem);
                        }
                    });
                }
            }
        });
        PinJob { pins, run }
    }

    /// Asks every enabled service to pin each target, skipping the requests
    /// already pinned or under way (a failed one is asked again). Returns
    /// how many requests it started.
    pub fn start(self, targets: &[PinTarget]) -> Result<usize, NoServices> {
        let services: Vec<PinningService> =
            load_services().into_iter().filter(|s| s.enabled).collect();
        if services.is_empty() {
            return Err(NoServices);
        }
        let mut started = 0;
        for service in &services {
            for target in targets {
                let key = PinKey {
                    endpoint: service.endpoint.clone(),
                    cid: target.cid,
                };
                let busy_or_done = self.pins.with_untracked(|pins| {
                    pins.get(&key)
                        .is_some_and(|entry| !matches!(entry.phase, PinPhase::Failed(_)))
                });
                if busy_or_done {
                    continue;
                }
                self.pins.update(|pins| {
                    pins.insert(
                        key,
                        PinEntry {
                            service: service.name.clone(),
                            phase: PinPhase::Requesting,
                            retry: None,
                        },
                    );
                });
                self.run.dispatch_local(PinTask {
                    service: service.clone(),
                    target: target.clone(),
                });
                started += 1;
            }
        }
        Ok(started)
    }
}

/// A split point: the Pinning Services client loads with the first pin.
#[leptos::wasm_split::wasm_split(pin_request, wasm_split_path = ::leptos::wasm_split, fallible)]
fn fetch_pin_request(
    pins: RwSignal<BTreeMap<PinKey, PinEntry>>,
    task: PinTask,
) -> Result<LocalRun<(), PinError>, PinError> {
    Ok(Box::pin(async move {
        follow(pins, task).await;
        Ok(())
    }))
}

/// One request, from `POST /pins` to `pinned` or `failed`.
async fn follow(pins: RwSignal<BTreeMap<PinKey, PinEntry>>, task: PinTask) {
    let key = task.key();
    let PinTask { service, target } = task;
    let update = |phase: Option<PinPhase>, retry: Option<String>| {
        pins.update(|pins| {
            if let Some(entry) = pins.get_mut(&key) {
                if let Some(phase) = phase {
                    entry.phase = phase;
                }
                entry.retry = retry;
            }
        })
    };
    let on_retry =
        |notice: crate::storage::retry::RetryNotice| update(None, Some(notice.to_string()));
    let client = match PsaClient::new(&service) {
        Ok(client) => client,
        Err(error) => return update(Some(PinPhase::Failed(error)), None),
    };
    let added = client.add_pin(&target.cid, &target.name, on_retry).await;
    let requestid = added.as_ref().map(|status| status.requestid.clone()).ok();
    let phase = PinPhase::after(&service.name, added);
    let done = phase.is_done();
    update(Some(phase), None);
    let Some(requestid) = requestid.filter(|_| !done) else {
        return;
    };
    let mut schedule = PollSchedule::default();
    loop {
        let Some(wait) = schedule.next_wait() else {
            let status = pins
                .with_untracked(|pins| pins.get(&key).map(|entry| entry.phase.label()))
                .unwrap_or("queued");
            let error = PinError::StillWaiting {
                service: service.name.clone(),
                status,
                minutes: schedule.waited().as_secs() / 60,
            };
            return update(Some(PinPhase::Failed(error)), None);
        };
        sleep(wait).await;
        let answer = client.pin_status(&requestid, &target.cid, on_retry).await;
        let phase = PinPhase::after(&service.name, answer);
        let done = phase.is_done();
        update(Some(phase), None);
        if done {
            return;
        }
    }
}

code_not_loaded_is!(PinError);
