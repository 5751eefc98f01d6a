//! "Download archive": one CAR file holding the token's metadata and asset
//! DAGs, every block checked against its CID as it is fetched (seed 003's
//! archival copy, in one click). It says how large the archive will be
//! before building, shows the build's progress with a Cancel, then what
//! came of it. The work is the app-level [`ArchiveJob`]'s; this view only
//! starts, shows and cancels it.

use leptos::prelude::*;

use crate::archive::archive_size;
use crate::byte_size::human_bytes;
use crate::gateway_plan::GatewayPlan;
use crate::jobs::archive_job::{ArchiveEntry, ArchivePhase};
use crate::jobs::{ArchiveJob, ArchiveRequest};
use crate::nft::archive::{ArchiveContents, NothingToArchive};

#[component]
pub fn ArchivePanel(
    contents: Result<ArchiveContents, NothingToArchive>,
    /// `token-<contract>-<id>.car`, which also names the job's entry.
    file_name: String,
    /// The gateways to ask, in order.
    plan: GatewayPlan,
) -> impl IntoView {
    let body = match contents {
        Ok(contents) => view! { <Archive contents file_name plan /> }.into_any(),
        Err(nothing) => view! {
            <p class="hint" data-testid="archive-unavailable">
                {nothing.to_string()}
            </p>
        }
        .into_any(),
    };
    view! {
        <section class="card archive-panel" aria-labelledby="archive-heading" data-testid="archive-panel">
            <h2 id="archive-heading">"Archive"</h2>
            {body}
        </section>
    }
}

#[component]
fn Archive(contents: ArchiveContents, file_name: String, plan: GatewayPlan) -> impl IntoView {
    let job = expect_context::<ArchiveJob>();
    let roots = contents.root_cids();
    // "Try again" after a failed size check bumps this.
    let surveys = RwSignal::new(0u32);
    // Read with `try_get`: a re-read of the token (a wallet connecting)
    // drops this resource while the old panel is still shown.
    let size = LocalResource::new({
        let (roots, plan) = (roots.clone(), plan.clone());
        move || {
            surveys.track();
            let (roots, plan) = (roots.clone(), plan.clone());
            async move { archive_size(&roots, plan).await }
        }
    });
    let entry = Memo::new({
        let file_name = file_name.clone();
        move |_| {
            job.archives
                .with(|archives| archives.get(&file_name).cloned())
        }
    });
    let building = move || {
        entry.with(|entry| {
            matches!(
                entry,
                Some(ArchiveEntry {
                    phase: ArchivePhase::Building { .. },
                    ..
                })
            )
        })
    };
    let start = {
        let file_name = file_name.clone();
        move |_| {
            let Some(Ok(size)) = size.get_untracked() else {
                return;
            };
            job.start(ArchiveRequest {
                file_name: file_name.clone(),
                roots: roots.clone(),
                plan: plan.clone(),
                size,
            });
        }
    };
    let cancel = {
        let file_name = file_name.clone();
        move |_| job.cancel(&file_name)
    };
    let ready = move || matches!(size.try_get().flatten(), Some(Ok(_)));
    let size_line = move || {
        match size.try_get().flatten() {
        None => view! { <p class="hint" aria-busy="true">"Reading the sizes the token's data declares…"</p> }
            .into_any(),
        Some(Ok(size)) => view! {
            <p data-testid="archive-size">
                <strong>{size.describe()}</strong>
                " as one CAR file, "
                <span class="mono">{file_name.clone()}</span>
                ": every block of the metadata's and the asset's DAGs, each checked against its CID as it is fetched. The size is the data's own claim until its blocks are checked."
            </p>
        }
        .into_any(),
        Some(Err(error)) => view! {
            <p class="archive-problem" role="alert" data-testid="archive-size-error">
                {error.to_string()}
                {error
                    .may_pass()
                    .then(|| {
                        view! {
                            " "
                            <button
                                type="button"
                                class="link-button"
                                on:click=move |_| surveys.update(|n| *n += 1)
                            >
                                "Try again"
                            </button>
                        }
                    })}
            </p>
        }
        .into_any(),
    }
    };
    let roots_list = contents
        .roots
        .iter()
        .map(|root| {
            view! {
                <li>
                    {root.role.label()} ": " <span class="mono">{root.cid.to_string()}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        {size_line}
        {contents.asset_left_out.map(|note| view! { <p class="hint" data-testid="archive-note">{note}</p> })}
        <div class="archive-actions">
            <Show
                when=building
                fallback=move || {
                    view! {
                        <button
                            type="button"
                            class="button primary"
                            data-testid="archive-download"
                            disabled=move || !ready()
                            on:click=start.clone()
                        >
                            "Download archive"
                        </button>
                    }
                }
            >
                <button
                    type="button"
                    class="button danger"
                    data-testid="archive-cancel"
                    on:click=cancel.clone()
                >
                    "Cancel"
                </button>
            </Show>
        </div>
        <ArchiveProgress entry />
        <details class="archive-help">
            <summary>"Using the archive"</summary>
            <p class="hint">"Its roots, in the file's header:"</p>
            <ul class="archive-roots">{roots_list}</ul>
            <p class="hint">
                "Unpack one root with " <code>"npx ipfs-car unpack FILE --root CID --output DIR"</code>
                " (ipfs-car asks which root when there are two), or keep and re-provide both with "
                <code>"ipfs dag import FILE"</code> ", which pins every root."
            </p>
        </details>
    }
}

/// The build's progress, or what came of it, in a live region that is
/// always there, so screen readers announce each change.
#[component]
fn ArchiveProgress(entry: Memo<Option<ArchiveEntry>>) -> impl IntoView {
    let bar = move || {
        entry.get().and_then(|entry| match entry.phase {
            ArchivePhase::Building { written } => Some(view! {
                <progress
                    data-testid="archive-progress"
                    aria-label="Archive progress"
                    max="100"
                    value=entry.size.percent(written).to_string()
                ></progress>
            }),
            _ => None,
        })
    };
    let status = move || {
        entry.get().map(|entry| match entry.phase {
            ArchivePhase::Building { written } => format!(
                "Fetching and checking blocks: {}",
                entry.size.progress(written)
            ),
            ArchivePhase::Saved { bytes, millis } => format!(
                "Saved: {} in {:.1} s, every block checked against its CID.",
                human_bytes(bytes),
                millis as f64 / 1000.0
            ),
            ArchivePhase::Cancelled => "Cancelled: nothing was saved.".to_owned(),
            ArchivePhase::Failed(error) => error.to_string(),
        })
    };
    let failed = move || {
        entry.with(|entry| {
            matches!(
                entry,
                Some(ArchiveEntry {
                    phase: ArchivePhase::Failed(_),
                    ..
                })
            )
        })
    };
    let phase = move || {
        entry.with(|entry| {
            entry.as_ref().map(|entry| match entry.phase {
                ArchivePhase::Building { .. } => "building",
                ArchivePhase::Saved { .. } => "saved",
                ArchivePhase::Cancelled => "cancelled",
                ArchivePhase::Failed(_) => "failed",
            })
        })
    };
    view! {
        <div class="progress archive-progress">
            {bar}
            <p
                role="status"
                data-testid="archive-status"
                data-phase=phase
                class:archive-problem=failed
            >
                {status}
            </p>
        </div>
    }
}
