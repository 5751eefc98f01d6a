//! Token archives as work that outlives the token page: a build runs in a
//! job owned by the app's root, so leaving the page neither stops it nor
//! loses the download, and any view of the same token shows its progress
//! and can cancel it.

use std::collections::BTreeMap;

use cid::Cid;
use leptos::prelude::*;
use leptos::reactive::actions::ActionAbortHandle;
use leptos::reactive::computed::ScopedFuture;
use leptos::reactive::owner::Owner;

use crate::archive::{build_archive, save, ArchiveError};
use crate::code_split::{run_split, LocalRun};
use crate::gateway_plan::GatewayPlan;
use crate::nft::archive::ArchiveSize;

/// Where one archive is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchivePhase {
    /// Bytes of blocks fetched, checked and written so far.
    Building {
        written: u64,
    },
    /// Handed to the browser as a download.
    Saved {
        bytes: u64,
        millis: u64,
    },
    Failed(ArchiveError),
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveEntry {
    pub phase: ArchivePhase,
    /// What the roots declared, for progress.
    pub size: ArchiveSize,
}

/// One archive to build: it is known by its file name, which names the
/// contract and the token.
#[derive(Debug, Clone)]
pub struct ArchiveRequest {
    pub file_name: String,
    pub roots: Vec<Cid>,
    pub plan: GatewayPlan,
    pub size: ArchiveSize,
}

#[derive(Clone, Copy)]
pub struct ArchiveJob {
    pub archives: RwSignal<BTreeMap<String, ArchiveEntry>>,
    /// Dropping a handle leaves its build running; aborting it drops the
    /// build's future, and with it every request in flight.
    running: StoredValue<BTreeMap<String, ActionAbortHandle>>,
    run: Action<ArchiveRequest, ()>,
}

impl ArchiveJob {
    /// Call under the app root's owner.
    pub(super) fn new() -> Self {
        let archives = RwSignal::new(BTreeMap::new());
        let running = StoredValue::new(BTreeMap::new());
        let run = Action::new_local(move |request: &ArchiveRequest| {
            let request = request.clone();
            async move {
                // Every request registers its abort with the owner it runs
                // under: a child of the root, dropped when the build ends,
                // lets go of them instead of the root keeping them all.
                let owner = Owner::new();
                let file_name = request.file_name.clone();
                let built = owner
                    .with(|| {
                        ScopedFuture::new_untracked(run_split(fetch_archive_build(
                            archives, running, request,
                        )))
                    })
                    .await;
                if let Err(problem) = built {
                    running.update_value(|running| {
                        running.remove(&file_name);
                    });
                    set_phase(archives, &file_name, ArchivePhase::Failed(problem));
                }
            }
        });
        ArchiveJob {
            archives,
            running,
            run,
        }
    }

    /// Starts building `request`'s archive, unless it is being built.
    pub fn start(self, request: ArchiveRequest) {
        let name = request.file_name.clone();
        if self
            .running
            .with_value(|running| running.contains_key(&name))
        {
            return;
        }
        self.archives.update(|archives| {
            archives.insert(
                name.clone(),
                ArchiveEntry {
                    phase: ArchivePhase::Building { written: 0 },
                    size: request.size,
                },
            );
        });
        let handle = self.run.dispatch_local(request);
        self.running.update_value(|running| {
            running.insert(name, handle);
        });
    }

    /// Stops the build of `file_name`, aborting what it is fetching.
    pub fn cancel(self, file_name: &str) {
        let handle = self
            .running
            .try_update_value(|running| running.remove(file_name))
            .flatten();
        if let Some(handle) = handle {
            handle.abort();
            set_phase(self.archives, file_name, ArchivePhase::Cancelled);
        }
    }
}

fn set_phase(
    archives: RwSignal<BTreeMap<String, ArchiveEntry>>,
    file_name: &str,
    phase: ArchivePhase,
) {
    archives.update(|archives| {
        if let Some(entry) = archives.get_mut(file_name) {
            entry.phase = phase;
        }
    });
}

/// A split point: the archive builder loads with the first archive.
#[leptos::wasm_split::wasm_split(archive_build, wasm_split_path = ::leptos::wasm_split, fallible)]
fn fetch_archive_build(
    archives: RwSignal<BTreeMap<String, ArchiveEntry>>,
    running: StoredValue<BTreeMap<String, ActionAbortHandle>>,
    request: ArchiveRequest,
) -> Result<LocalRun<(), ArchiveError>, ArchiveError> {
    Ok(Box::pin(async move {
        follow(archives, running, request).await;
        Ok(())
    }))
}

async fn follow(
    archives: RwSignal<BTreeMap<String, ArchiveEntry>>,
    running: StoredValue<BTreeMap<String, ActionAbortHandle>>,
    request: ArchiveRequest,
) {
    let ArchiveRequest {
        file_name,
        roots,
        plan,
        ..
    } = request;
    let started = js_sys::Date::now();
    let built = build_archive(&roots, plan, |written| {
        set_phase(archives, &file_name, ArchivePhase::Building { written })
    })
    .await;
    let phase = match built.and_then(|archive| save(&archive.blob, &file_name).map(|()| archive)) {
        Ok(archive) => ArchivePhase::Saved {
            bytes: archive.bytes,
            millis: (js_sys::Date::now() - started).max(0.0) as u64,
        },
        Err(error) => ArchivePhase::Failed(error),
    };
    running.update_value(|running| {
        running.remove(&file_name);
    });
    set_phase(archives, &file_name, phase);
}
