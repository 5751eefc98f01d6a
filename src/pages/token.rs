//! The token page, `/token/:id`: Minty's `show <id>` in the browser. It
//! reads through the wallet or the RPC URL, so it needs no wallet, and
//! renders untrusted metadata as text and checked links only.

mod archive;
mod asset;
mod attributes;
mod facts;
mod history;
mod transfer;

use ethers_core::utils::to_checksum;
use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_params_map};

use crate::app::SettingsContext;
use crate::components::{CopyButton, PinPanel, UntrustedText};
use crate::gateway_plan::GatewayPlan;
use crate::jobs::PinTarget;
use crate::nft::archive::{archive_file_name, ArchiveContents};
use crate::nft::media::TokenMedia;
use crate::show::{show_token, ShowError, TokenRecord};
use crate::wallet::WalletContext;
use archive::ArchivePanel;
use asset::AssetPreview;
use attributes::TokenAttributes;
use facts::TokenFacts;
use history::TokenHistoryPanel;
use transfer::TransferPanel;

#[component]
pub fn TokenPage() -> impl IntoView {
    let params = use_params_map();
    let SettingsContext { settings, .. } = expect_context();
    let wallet = expect_context::<WalletContext>();
    // "Retry verified" on the metadata bumps this to read the token again.
    let rereads = RwSignal::new(0u32);
    // Re-read when the address, the settings or the wallet's chain change.
    let token = LocalResource::new(move || {
        rereads.track();
        let id = params.with(|params| params.get("id").unwrap_or_default());
        let settings = settings.get();
        let wallet_chain = wallet.connected_chain();
        async move { show_token(&id, &settings, wallet_chain).await }
    });
    // The transfer form stands outside the re-read token: a wallet that
    // connects re-reads the token through it and redraws the page, and the
    // form (and what is typed in it) must not go with that. It changes only
    // when the token's owner does.
    let owned = Memo::new(move |_| {
        token
            .try_get()
            .flatten()
            .and_then(Result::ok)
            .map(|record| (record.id, record.owner))
    });
    view! {
        <Transition fallback=Reading>
            {move || Suspend::new(async move {
                match token.await {
                    Ok(record) => view! { <Token record rereads /> }.into_any(),
                    Err(error) => view! { <Problem error /> }.into_any(),
                }
            })}
        </Transition>
        {move || owned.get().map(|(id, owner)| view! { <TransferPanel id owner rereads /> })}
    }
}

#[component]
fn Reading() -> impl IntoView {
    view! {
        <section class="card token-loading" aria-busy="true">
            // The page's heading until the token's name replaces it.
            <h1 class="lede">"Reading the token from the chain…"</h1>
        </section>
    }
}

/// Untrusted names and descriptions longer than this are cut, with a
/// "Show more", so that one token cannot push the page out of shape.
const NAME_SHOWN_CHARS: usize = 120;
const DESCRIPTION_SHOWN_CHARS: usize = 1000;

#[component]
fn Token(record: TokenRecord, rereads: RwSignal<u32>) -> impl IntoView {
    let SettingsContext { settings, .. } = expect_context();
    let gateway = settings.with_untracked(|settings| settings.gateway.clone());
    let mut plan = settings.with_untracked(|settings| GatewayPlan::new(settings.gateways()));
    // The gateway that served the metadata is the best bet for the asset.
    if let Some(answered) = record
        .metadata
        .as_ref()
        .ok()
        .and_then(|m| m.gateway.as_deref())
    {
        plan = plan.preferring(answered);
    }
    let owner = to_checksum(&record.owner, None);
    let fields = record.metadata.as_ref().ok().map(|m| m.fields.clone());
    let media = fields.as_ref().map(TokenMedia::of);
    let name = fields
        .as_ref()
        .map(|fields| fields.name.clone())
        .filter(|name| !name.trim().is_empty());
    let description = fields
        .as_ref()
        .map(|fields| fields.description.clone())
        .filter(|text| !text.trim().is_empty());
    let id = record.id;
    let asset_uri = media.as_ref().and_then(|media| media.asset.as_deref());
    let pin_targets = PinTarget::of_token(&id.to_string(), &record.token_uri, asset_uri);
    let archive = ArchiveContents::of(&record.token_uri, record.metadata.is_ok(), asset_uri);
    let archive_name = archive_file_name(&record.contract, &id);
    view! {
        <article class="token">
            <section class="card token-hero">
                <AssetPreview media plan=plan.clone() alt=name.clone().unwrap_or_default() />
                <div class="token-summary">
                    <p class="eyebrow">"Token #" {id.to_string()}</p>
                    {match name {
                        Some(name) => {
                            view! {
                                <h1 data-testid="token-name" dir="auto" class="untrusted">
                                    <UntrustedText text=name limit=NAME_SHOWN_CHARS />
                                </h1>
                            }
                                .into_any()
                        }
                        None => view! { <h1 class="untitled">"Untitled token"</h1> }.into_any(),
                    }}
                    {description
                        .map(|description| {
                            view! {
                                <p
                                    class="token-description untrusted"
                                    data-testid="token-description"
                                    dir="auto"
                                >
                                    <UntrustedText text=description limit=DESCRIPTION_SHOWN_CHARS />
                                </p>
                            }
                        })}
                    <div class="owner">
                        <span class="owner-label">"Owner"</span>
                        <span class="mono owner-address" data-testid="token-owner">
                            {owner.clone()}
                        </span>
                        <CopyButton text=owner label="Copy owner address" />
                    </div>
                </div>
            </section>
            {fields.map(|metadata| view! { <TokenAttributes metadata /> })}
            <TokenFacts record gateway rereads />
            <TokenHistoryPanel id rereads />
            <ArchivePanel contents=archive file_name=archive_name plan />
            <PinPanel targets=pin_targets />
        </article>
    }
}

#[component]
fn Problem(error: ShowError) -> impl IntoView {
    match error {
        ShowError::NoSuchToken(id) => view! {
            <section class="card" data-testid="no-such-token">
                <p class="eyebrow">"Token #" {id.to_string()}</p>
                <h1>"No such token"</h1>
                <p class="lede">
                    "Token " {id.to_string()}
                    " has not been minted on this contract. Check the number, or whether you are on the right chain."
                </p>
                <p>
                    <A href="/">"Back to the start page"</A>
                </p>
            </section>
        }
        .into_any(),
        error => {
            let headline = match error {
                ShowError::InvalidId(_) => "That is not a token id",
                _ => "This token cannot be shown",
            };
            view! {
                <section class="card problem" role="alert">
                    <h1>{headline}</h1>
                    <p data-testid="token-error">{error.to_string()}</p>
                </section>
            }
            .into_any()
        }
    }
}
