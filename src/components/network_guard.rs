//! Warns when the wallet is on a chain where Minty has no contract while the
//! expected chain has one, and offers to switch the wallet there.

use leptos::prelude::*;

use crate::app::SettingsContext;
use crate::settings::chains::chain_label;
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
    let switch = Action::new_local(move |&chain_id: &u64| {
        switch_chain(
            chain_id,
            settings.with_untracked(|settings| settings.rpc_url.clone()),
        )
    });
    // An error belongs to the mismatch it was about.
    Effect::new(move |_| {
        mismatch.track();
        switch.value().set(None);
    });
    let error = move || switch.value().get().and_then(Result::err);
    move || {
        mismatch.get().map(|(expected, current)| {
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
        })
    }
}
