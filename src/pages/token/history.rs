//! A token's history on its page (Minty's `show -c`): when and by whom it
//! was minted, and every transfer since, newest last, read from the chain's
//! Transfer logs. When the endpoint would not list every block, it says so.

use ethers_core::types::{Address, H256};
use ethers_core::utils::to_checksum;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::SettingsContext;
use crate::components::CopyButton;
use crate::eth::explorer::transaction_url;
use crate::history::{read_history, HistoryEntry};
use crate::nft::token_history::HistoryKind;
use crate::nft::token_id::TokenId;
use crate::wallet::address::short_address;
use crate::wallet::WalletContext;

#[component]
pub fn TokenHistoryPanel(id: TokenId, rereads: RwSignal<u32>) -> impl IntoView {
    let SettingsContext { settings, .. } = expect_context();
    let wallet = expect_context::<WalletContext>();
    let history = LocalResource::new(move || {
        rereads.track();
        let settings = settings.get();
        let wallet_chain = wallet.connected_chain();
        async move { read_history(id, &settings, wallet_chain).await }
    });
    let chain_id = move || {
        settings
            .with(|settings| settings.chain_id)
            .unwrap_or_default()
    };
    view! {
        <section class="card token-history" aria-labelledby="history-heading">
            <h2 id="history-heading">"History"</h2>
            // Read with `try_get`, not awaited in a Suspend: the page
            // re-reads the token when a wallet connects, dropping this
            // panel's resource while the old panel is still shown, and
            // reading a dropped resource panics.
            {move || match history.try_get().flatten() {
                None => {
                    view! {
                        <p class="hint" aria-busy="true">
                            "Reading the token's history from the chain…"
                        </p>
                    }
                        .into_any()
                }
                Some(Ok(history)) => {
                    let chain_id = chain_id();
                    view! {
                        <ol class="history" data-testid="token-history">
                            {history
                                .entries
                                .into_iter()
                                .map(|entry| view! { <Event entry chain_id /> })
                                .collect_view()}
                        </ol>
                        {history
                            .incomplete
                            .map(|why| {
                                view! {
                                    <p class="notice warning" data-testid="history-incomplete">
                                        {why}
                                    </p>
                                }
                            })}
                    }
                        .into_any()
                }
                Some(Err(error)) => {
                    view! {
                        <p class="field-error" data-testid="history-error">
                            {format!("The history could not be read: {error}")}
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

#[component]
fn Event(entry: HistoryEntry, chain_id: u64) -> impl IntoView {
    let HistoryEntry {
        event,
        time,
        sender,
    } = entry;
    let (kind, what) = match event.kind {
        HistoryKind::Minted { to } => (
            "minted",
            view! {
                <strong>"Minted"</strong>
                " to "
                <Account address=to />
                {sender
                    .map(|sender| {
                        view! {
                            " by "
                            <span data-testid="history-minter">
                                <Account address=sender />
                            </span>
                        }
                    })}
            }
            .into_any(),
        ),
        HistoryKind::Transferred { from, to } => (
            "transferred",
            view! {
                <strong>"Transferred"</strong>
                " from "
                <Account address=from />
                " to "
                <Account address=to />
            }
            .into_any(),
        ),
        HistoryKind::Burned { from } => (
            "burned",
            view! {
                <strong>"Burned"</strong>
                " by "
                <Account address=from />
            }
            .into_any(),
        ),
    };
    view! {
        <li class="history-event" data-testid="history-event" data-kind=kind>
            <p>{what}</p>
            <p class="hint">
                <span data-testid="history-block">{format!("Block {}", event.block)}</span>
                {time.map(|seconds| view! { " · " <When seconds /> })}
                " · "
                <Transaction hash=event.transaction chain_id />
            </p>
        </li>
    }
}

#[component]
fn Account(address: Address) -> impl IntoView {
    let full = to_checksum(&address, None);
    let shown = short_address(&full);
    view! {
        <A href=format!("/owner/{full}") attr:class="mono" attr:title=full.clone()>
            {shown}
        </A>
    }
}

/// The block's time in the reader's own locale and time zone.
#[component]
fn When(seconds: u64) -> impl IntoView {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(seconds as f64 * 1000.0));
    let iso: String = date.to_iso_string().into();
    let shown: String = date
        .to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED)
        .into();
    view! { <time datetime=iso>{shown}</time> }
}

#[component]
fn Transaction(hash: H256, chain_id: u64) -> impl IntoView {
    let full = format!("{hash:?}");
    let shown = short_address(&full);
    view! {
        <span class="history-transaction">
            "Transaction "
            <span class="mono" title=full.clone() data-testid="history-transaction">
                {shown}
            </span>
            <CopyButton text=full label="Copy transaction hash" />
            {transaction_url(chain_id, &hash)
                .map(|url| {
                    view! {
                        <a href=url target="_blank" rel="noopener noreferrer">
                            "Explorer"
                        </a>
                    }
                })}
        </span>
    }
}
