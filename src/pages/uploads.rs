//! `/uploads`: what the storage service says of each root the creator
//! stored (nft.storage's `GET /{cid}`): pin state, size and Filecoin deals,
//! for the roots in the mint journal and for any CID typed in.

use cid::Cid;
use leptos::prelude::*;

use crate::app::SettingsContext;
use crate::byte_size::human_bytes;
use crate::jobs::journal_store;
use crate::settings::api_token::load_api_token;
use crate::settings::{ProviderEndpoints, StorageProviderKind};
use crate::storage::nft_storage::NftStorage;
use crate::storage::nft_storage_status::StoredStatus;
use crate::storage::{upload_token, StorageError};

#[component]
pub fn Uploads() -> impl IntoView {
    let SettingsContext { settings, .. } = expect_context();
    let journal = journal_store::load();
    let listed: Vec<(String, &'static str, String, String)> = journal
        .stored_roots()
        .into_iter()
        .map(|uploaded| {
            (
                uploaded.mint_name.to_owned(),
                uploaded.part,
                uploaded.root.cid.clone(),
                uploaded.root.endpoint.clone(),
            )
        })
        .collect();
    let typed = RwSignal::new(String::new());
    let asked = RwSignal::new(None::<String>);
    let current_endpoint = move || {
        settings.with(|settings| settings.storage_endpoint.trim_end_matches('/').to_owned())
    };
    let empty = listed.is_empty();
    view! {
        <section class="card" aria-labelledby="uploads-title">
            <h1 id="uploads-title">"Uploads"</h1>
            <p class="lede">
                "What the storage service says of the files you stored: whether they are pinned, and their Filecoin deals."
            </p>
            <form
                class="inline-form"
                on:submit=move |event| {
                    event.prevent_default();
                    asked.set(Some(typed.get_untracked().trim().to_owned()));
                }
            >
                <label>
                    "Any CID you uploaded "
                    <input
                        class="input mono"
                        data-testid="status-cid-input"
                        prop:value=typed
                        on:input=move |event| typed.set(event_target_value(&event))
                    />
                </label>
                <button type="submit" class="button" data-testid="status-cid-submit">
                    "Check"
                </button>
            </form>
            {move || {
                asked
                    .get()
                    .map(|cid| {
                        view! { <RootStatus label="Typed in".to_owned() cid endpoint=current_endpoint() /> }
                    })
            }}
        </section>
        <section class="card" aria-labelledby="journal-uploads-title">
            <h2 id="journal-uploads-title">"From your mints in this browser"</h2>
            {empty
                .then(|| {
                    view! { <p data-testid="no-uploads">"Nothing uploaded from this browser yet."</p> }
                })}
            <ul class="upload-list">
                {listed
                    .into_iter()
                    .map(|(mint_name, part, cid, endpoint)| {
                        view! {
                            <li>
                                <RootStatus label=format!("{mint_name}: {part}") cid endpoint />
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

/// One root's status, read when shown and again on "Refresh".
#[component]
fn RootStatus(label: String, cid: String, endpoint: String) -> impl IntoView {
    let refreshes = RwSignal::new(0_u32);
    let (cid_for_read, endpoint_for_read) = (cid.clone(), endpoint.clone());
    let cid_attribute = cid.clone();
    let status = LocalResource::new(move || {
        refreshes.track();
        let (cid, endpoint) = (cid_for_read.clone(), endpoint_for_read.clone());
        async move { read_status(&cid, &endpoint).await }
    });
    view! {
        <div class="upload-status" data-testid="upload-status" data-cid=cid_attribute>
            <p>
                <span dir="auto" class="untrusted">{label}</span>
                " · "
                <span class="mono">{cid}</span>
                " at "
                <span class="mono">{endpoint}</span>
            </p>
            <Transition fallback=|| view! { <p role="status">"Asking the service…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(Some(found)) => view! { <StatusFacts found /> }.into_any(),
                        Ok(None) => {
                            view! {
                                <p role="status" data-testid="upload-pin-state" data-state="missing">
                                    "The service has no upload of this CID for your token."
                                </p>
                            }
                                .into_any()
                        }
                        Err(problem) => {
                            view! {
                                <p class="error" role="alert" data-testid="upload-status-error">
                                    {problem.to_string()}
                                </p>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
            <button
                type="button"
                class="link-button"
                data-testid="upload-status-refresh"
                on:click=move |_| refreshes.update(|count| *count += 1)
            >
                "Refresh"
            </button>
        </div>
    }
}

#[component]
fn StatusFacts(found: StoredStatus) -> impl IntoView {
    let state = found.pin.label();
    let size = found.size.map(human_bytes);
    let deals = if found.deals.is_empty() {
        "No Filecoin deals yet.".to_owned()
    } else {
        found
            .deals
            .iter()
            .map(|deal| match (&deal.miner, deal.chain_deal_id) {
                (Some(miner), Some(id)) => format!("{} with {miner} (deal {id})", deal.status),
                (Some(miner), None) => format!("{} with {miner}", deal.status),
                _ => deal.status.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    view! {
        <p role="status" data-testid="upload-pin-state" data-state=state>
            "Pin: " <strong>{state}</strong>
            {size.map(|size| format!(" · {size}"))}
        </p>
        <p class="hint" data-testid="upload-deals" dir="auto">
            {deals}
        </p>
    }
}

/// Asks the endpoint that stored `cid`, with the nft.storage token saved
/// for that endpoint's origin and no other.
async fn read_status(cid: &str, endpoint: &str) -> Result<Option<StoredStatus>, StatusError> {
    let cid: Cid = cid
        .parse()
        .map_err(|_| StatusError::NotACid(cid.to_owned()))?;
    let saved = load_api_token(StorageProviderKind::NftStorage);
    let provider = StorageProviderKind::NftStorage;
    let endpoints = ProviderEndpoints {
        api: endpoint.to_owned(),
        uploads: None,
    };
    let token = upload_token(provider, &endpoints, saved)?.ok_or(StorageError::NoToken {
        token_name: provider.token_name(),
    })?;
    Ok(NftStorage::new(endpoint, token).status(&cid).await?)
}

#[derive(Debug, Clone, thiserror::Error)]
enum StatusError {
    #[error("“{0}” is not a CID.")]
    NotACid(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}
