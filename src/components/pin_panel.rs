//! Replication of a token's CIDs to the pinning services in Settings: a
//! button, and each service's progress per CID, live. The work is the
//! app-level [`PinJob`]'s; this view only starts it and shows it.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::jobs::pin_job::{NoServices, PinEntry, PinJob};
use crate::jobs::PinTarget;
use crate::pinning::progress::{summary, PinPhase};
use crate::pinning::services::load_services;

/// One service's row: its name and, per target, its request if any.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    service: String,
    cells: Vec<Option<PinEntry>>,
}

#[component]
pub fn PinPanel(
    targets: Vec<PinTarget>,
    /// Start as soon as it is shown (after a mint), rather than on the button.
    #[prop(optional)]
    auto_start: bool,
) -> impl IntoView {
    let job = expect_context::<PinJob>();
    let targets = StoredValue::new(targets);
    let problem = RwSignal::new(None::<NoServices>);
    let has_services = load_services().iter().any(|service| service.enabled);
    if auto_start && has_services {
        let _ = targets.with_value(|targets| job.start(targets));
    }
    let start = move |_| {
        problem.set(targets.with_value(|targets| job.start(targets)).err());
    };
    // Only this token's requests, rebuilt when one of them changes.
    let rows = Memo::new(move |_| {
        job.pins.with(|pins| {
            let mut rows: BTreeMap<&str, Row> = BTreeMap::new();
            targets.with_value(|targets| {
                for (index, target) in targets.iter().enumerate() {
                    for (key, entry) in pins.iter().filter(|(key, _)| key.cid == target.cid) {
                        let row = rows.entry(key.endpoint.as_str()).or_insert_with(|| Row {
                            service: entry.service.clone(),
                            cells: vec![None; targets.len()],
                        });
                        row.cells[index] = Some(entry.clone());
                    }
                }
            });
            rows.into_values().collect::<Vec<_>>()
        })
    });
    let status_line = move || {
        rows.with(|rows| {
            let phases: Vec<&PinPhase> = rows
                .iter()
                .flat_map(|row| row.cells.iter().flatten().map(|entry| &entry.phase))
                .collect();
            (!phases.is_empty()).then(|| summary(phases))
        })
    };
    let headers = move || {
        targets.with_value(|targets| {
            targets
            .iter()
            .map(|target| {
                view! {
                    <th scope="col">
                        {target.role} <span class="mono cid" title=target.cid.to_string()>{target.cid.to_string()}</span>
                    </th>
                }
            })
            .collect_view()
        })
    };
    view! {
        <section class="card pin-panel" aria-labelledby="pin-heading" data-testid="pin-panel">
            <h2 id="pin-heading">"Pinning services"</h2>
            <p class="hint">
                "Asks each pinning service enabled in Settings to keep this token's metadata and asset, so they stay available when no other node has them (Minty's "
                <code>"pin"</code> ")."
            </p>
            {(!has_services)
                .then(|| {
                    view! {
                        <p class="hint" data-testid="pin-no-services">
                            "No pinning service is enabled yet: add one, with its access token, in "
                            <A href="/settings">"Settings"</A> "."
                        </p>
                    }
                })}
            <button type="button" class="button primary" data-testid="pin-token" on:click=start>
                "Pin this token"
            </button>
            {move || {
                problem
                    .get()
                    .map(|problem| {
                        view! {
                            <p class="problem" role="alert" data-testid="pin-problem">
                                {problem.to_string()}
                            </p>
                        }
                    })
            }}
            <p role="status" class="pin-summary" data-testid="pin-summary">
                {status_line}
            </p>
            <Show when=move || rows.with(|rows| !rows.is_empty())>
                <table class="pin-table">
                    <thead>
                        <tr>
                            <th scope="col">"Service"</th>
                            {headers}
                        </tr>
                    </thead>
                    <tbody>
                        {move || {
                            rows.get()
                                .into_iter()
                                .map(|row| view! { <PinRow row /> })
                                .collect_view()
                        }}
                    </tbody>
                </table>
            </Show>
        </section>
    }
}

#[component]
fn PinRow(row: Row) -> impl IntoView {
    let service = row.service.clone();
    let name = row.service;
    view! {
        <tr data-testid="pin-row" data-service=service>
            <th scope="row">{name}</th>
            {row
                .cells
                .into_iter()
                .map(|cell| match cell {
                    None => view! { <td data-status="none">"—"</td> }.into_any(),
                    Some(entry) => {
                        let label = entry.phase.label();
                        let reason = match &entry.phase {
                            PinPhase::Failed(error) => Some(error.to_string()),
                            _ => None,
                        };
                        view! {
                            <td data-testid="pin-cell" data-status=label>
                                <span class=format!("pin-status {label}")>{label}</span>
                                {reason
                                    .map(|reason| {
                                        view! { <p class="pin-reason" data-testid="pin-reason">{reason}</p> }
                                    })}
                                {entry
                                    .retry
                                    .map(|notice| view! { <p class="hint">{notice}</p> })}
                            </td>
                        }
                            .into_any()
                    }
                })
                .collect_view()}
        </tr>
    }
}
