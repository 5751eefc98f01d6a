//! The header's wallet area: a connect button, then the account and chain,
//! or a pointer to MetaMask when the browser has no wallet.

use leptos::prelude::*;

use super::{CopyButton, LazyPart};
use crate::code_split::CodeNotLoaded;
use crate::settings::chains::chain_label;
use crate::wallet::{address::short_address, WalletContext};

#[component]
pub fn WalletStatus() -> impl IntoView {
    let wallet = expect_context::<WalletContext>();
    let connected = move || wallet.account.with(Option::is_some);
    view! {
        <div class="wallet">
            <Show when=move || wallet.installed fallback=NoWallet>
                <Show
                    when=connected
                    fallback=move || {
                        view! {
                            <ConnectButton wallet />
                            <Show when=move || wallet.choosing.get()>
                                <LazyPart load=move || wallet_chooser(wallet) />
                            </Show>
                        }
                    }
                >
                    <Account wallet />
                </Show>
            </Show>
            {move || {
                wallet
                    .error
                    .get()
                    .map(|error| {
                        view! {
                            <p class="wallet-error" role="alert" data-testid="wallet-error">
                                {error.to_string()}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

#[component]
fn ConnectButton(wallet: WalletContext) -> impl IntoView {
    view! {
        <button
            type="button"
            class="button primary"
            data-testid="connect-wallet"
            aria-busy=move || wallet.connecting.get().to_string()
            on:click=move |_| wallet.connect()
        >
            {move || if wallet.connecting.get() { "Connecting…" } else { "Connect wallet" }}
        </button>
    }
}

/// A split point: only a browser with several wallets shows the chooser.
#[leptos::wasm_split::wasm_split(wallet_chooser, wasm_split_path = ::leptos::wasm_split, fallible)]
fn wallet_chooser(wallet: WalletContext) -> Result<AnyView, CodeNotLoaded> {
    Ok(view! { <WalletChooser wallet /> }.into_any())
}

/// Several wallets announced themselves (EIP-6963): the user picks one.
/// Names and icons come from the wallets and are untrusted: the name is
/// text, the icon a `data:image` URI shown only through `<img>`.
#[component]
fn WalletChooser(wallet: WalletContext) -> impl IntoView {
    view! {
        <div class="wallet-chooser" role="group" aria-label="Choose a wallet" data-testid="wallet-chooser">
            <p class="hint">"Several wallets are installed. Which one should Minty use?"</p>
            {move || {
                wallet
                    .wallets
                    .get()
                    .into_iter()
                    .map(|choice| {
                        let name = choice.display_name();
                        let icon = choice.safe_icon().map(str::to_owned);
                        let rdns = choice.rdns.clone();
                        view! {
                            <button
                                type="button"
                                class="button wallet-choice"
                                data-testid="wallet-choice"
                                data-rdns=rdns
                                on:click=move |_| wallet.connect_with(&choice)
                            >
                                {icon
                                    .map(|icon| {
                                        view! { <img src=icon alt="" width="24" height="24" /> }
                                    })}
                                <span>{name}</span>
                            </button>
                        }
                    })
                    .collect_view()
            }}
        </div>
    }
}

#[component]
fn Account(wallet: WalletContext) -> impl IntoView {
    let address = Signal::derive(move || wallet.account.get().unwrap_or_default());
    view! {
        <span class="wallet-account" data-testid="wallet-account" title=address>
            {move || short_address(&address.get())}
        </span>
        <CopyButton text=address label="Copy address" />
        <Show when=move || wallet.wallets.with(|wallets| wallets.len() > 1)>
            <button
                type="button"
                class="button small"
                data-testid="switch-wallet"
                on:click=move |_| wallet.choose_again()
            >
                "Switch wallet"
            </button>
        </Show>
        {move || {
            wallet
                .chain_id
                .get()
                .map(|chain_id| {
                    view! {
                        <span class="wallet-chain" data-testid="wallet-chain">
                            {chain_label(chain_id)}
                        </span>
                    }
                })
        }}
    }
}

#[component]
fn NoWallet() -> impl IntoView {
    view! {
        <p class="no-wallet" data-testid="no-wallet">
            "No Ethereum wallet found. "
            <a href="https://metamask.io" target="_blank" rel="noopener noreferrer">
                "Install MetaMask"
            </a>
            " to connect."
        </p>
    }
}
