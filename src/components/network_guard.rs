//! Warns when the wallet is on a chain where Minty has no contract while the
//! expected chain has one, and offers to switch the wallet there.

use leptos::prelude::*;

use super::LazyPart;
use crate::app::SettingsContext;
use crate::code_split::CodeNotLoaded;
use crate::settings::{chains::chain_label, Settings};
use crate::wallet::{switch_chain, WalletContext};

#[component]
pub fn NetworkGuard() -> impl IntoView {
    let SettingsContext { settings, .. } = expect_context();
    let wallet = expect_context::<WalletContext>();
    // (expected chain, wallet's chain), while they call for a switch.
    let mismatch = Memo::new(move |_| {
        wallet.account.with(Option::is_some).then_some(())?;
        let wallet_chain_id = wallet.chain_id.get()?;
        let expected = settings.with(|settings| settings.chain_to_switch_to(wallet_chain_id))?;
        Some((expected, wallet_chain_id))
    });
    move || {
        mismatch.get().map(|(expected, current)| {
            view! { <LazyPart load=move || mismatch_card(settings, expected, current) /> }
        })
    }
}

/// A split point: only a wallet on the wrong chain shows the card. Each
/// mismatch gets a card of its own, so an error stays with its mismatch.
#[leptos::wasm_split::wasm_split(network_mismatch, wasm_split_path = ::leptos::wasm_split, fallible)]
fn mismatch_card(
    settings: RwSignal<Settings>,
    expected: u64,
    current: u64,
) -> Result<AnyView, CodeNotLoaded> {
    Ok(view! { <MismatchCard settings expected current /> }.into_any())
}

#[component]
fn MismatchCard(settings: RwSignal<Settings>, expected: u64, current: u64) -> impl IntoView {
    let switch = Action::new_local(move |&chain_id: &u64| {
        switch_chain(
            chain_id,
            settings.with_untracked(|settings| settings.rpc_url.clone()),
        )
    });
    let error = move || switch.value().get().and_then(Result::err);
    view! {
        <section class="card guard" aria-live="polite" data-testid="network-guard">
            <p class="guard-message">
                "Minty is on " <strong>{chain_label(expected)}</strong>
                " but your wallet is on " <strong>{chain_label(current)}</strong> "."
            </p>
            <button
                type="button"
                class="button primary"
                data-testid="switch-network"
                disabled=move || switch.pending().get()
                on:click=move |_| {
                    switch.dispatch(expected);
                }
            >
                {move || if switch.pending().get() { "Switching…" } else { "Switch network" }}
            </button>
            {move || {
                error()
                    .map(|error| {
                        view! {
                            <p class="field-error" role="alert" data-testid="network-error">
                                {error.to_string()}
                            </p>
                        }
                    })
            }}
        </section>
    }
}
