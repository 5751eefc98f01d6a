//! The result of a mint: the token id, where its metadata and asset live,
//! and the way to its page.

use ethers_core::utils::to_checksum;
use leptos::prelude::*;

use crate::components::PinPanel;
use crate::ipfs::uri::parse_ipfs_uri;
use crate::jobs::PinTarget;
use crate::mint::MintedToken;

#[component]
pub fn MintedTokenView(token: MintedToken, gateway: String) -> impl IntoView {
    let gateway_url = |uri: &str| {
        parse_ipfs_uri(uri)
            .map(|address| address.gateway_url(&gateway))
            .ok()
    };
    let metadata_link = gateway_url(&token.metadata_uri);
    let asset_link = gateway_url(&token.asset_uri);
    let token_page = format!("/token/{}", token.token_id);
    let pin_targets = PinTarget::of_token(
        &token.token_id.to_string(),
        &token.metadata_uri,
        Some(&token.asset_uri),
    );
    view! {
        <section class="card success" data-testid="mint-result">
            <h2>"Minted token #" <span data-testid="minted-token-id">{token.token_id.to_string()}</span></h2>
            <dl class="facts">
                <dt>"Owner"</dt>
                <dd class="mono">{to_checksum(&token.owner, None)}</dd>
                <dt>"Metadata"</dt>
                <dd>
                    <span class="mono" data-testid="minted-metadata-uri">{token.metadata_uri.clone()}</span>
                    {metadata_link.map(|url| view! { <a href=url target="_blank" rel="noopener noreferrer">" via gateway"</a> })}
                </dd>
                <dt>"Asset"</dt>
                <dd>
                    <span class="mono" data-testid="minted-asset-uri">{token.asset_uri.clone()}</span>
                    {asset_link.map(|url| view! { <a href=url target="_blank" rel="noopener noreferrer">" via gateway"</a> })}
                </dd>
                <dt>"Transaction"</dt>
                <dd class="mono" data-testid="minted-transaction">{format!("{:?}", token.hash)}</dd>
            </dl>
            <a class="button primary" href=token_page data-testid="minted-token-link">"View the token"</a>
        </section>
        <PinPanel targets=pin_targets auto_start=true />
    }
}
