//! The start page: which chain, contract, storage service and gateway this
//! build of Minty uses, and any setting that could not be used.

use ethers_core::utils::to_checksum;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::SettingsContext;
use crate::components::{NetworkGuard, SettingsProblems};
use crate::settings::chains::chain_label;

#[component]
pub fn Home() -> impl IntoView {
    let SettingsContext { settings, .. } = expect_context();
    let chain = move || {
        settings.with(|settings| {
            settings
                .chain_id
                .map_or_else(|| "Not preset".to_owned(), chain_label)
        })
    };
    let contracts = move || {
        settings.with(|settings| {
            settings
                .contracts
                .iter()
                .map(|(chain_id, address)| (to_checksum(address, None), chain_label(*chain_id)))
                .collect::<Vec<_>>()
        })
    };
    let rpc_url = move || settings.with(|settings| settings.rpc_url.clone());
    view! {
        <NetworkGuard />
        <section class="card">
            <h1>"Network and storage"</h1>
            <p class="lede">
                "Minty for the browser keeps NFT images and metadata on IPFS and records tokens on an Ethereum chain. This build uses:"
            </p>
            <dl class="facts">
                <dt>"Chain"</dt>
                <dd data-testid="config-chain">{chain}</dd>
                <dt>"Minty contract"</dt>
                <dd data-testid="config-contract">
                    <Show when=move || !contracts().is_empty() fallback=|| "Not configured">
                        <ul class="plain">
                            {move || {
                                contracts()
                                    .into_iter()
                                    .map(|(address, chain)| {
                                        view! {
                                            <li>
                                                <span class="mono">{address}</span>
                                                " on "
                                                {chain}
                                            </li>
                                        }
                                    })
                                    .collect_view()
                            }}
                        </ul>
                    </Show>
                </dd>
                <dt>"RPC URL"</dt>
                <dd data-testid="config-rpc-url">
                    {move || match rpc_url() {
                        Some(url) => view! { <span class="mono">{url}</span> }.into_any(),
                        None => "Not set".into_any(),
                    }}
                </dd>
                <dt>"Storage endpoint"</dt>
                <dd class="mono" data-testid="config-storage-endpoint">
                    {move || settings.with(|settings| settings.upload_endpoint().to_owned())}
                </dd>
                <dt>"IPFS gateway"</dt>
                <dd class="mono" data-testid="config-gateway">
                    {move || settings.with(|settings| settings.gateway.clone())}
                </dd>
            </dl>
            <p class="card-foot">
                <A href="/settings">"Change these settings"</A>
            </p>
        </section>
        <SettingsProblems />
    }
}
