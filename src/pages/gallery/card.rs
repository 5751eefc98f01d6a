//! One token's card in a gallery: a lazily loaded thumbnail, the name as
//! untrusted text, the owner, and whether the metadata was checked. A
//! broken or hostile token spoils only its own card.

use ethers_core::utils::to_checksum;
use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::SettingsContext;
use crate::components::{CopyButton, UntrustedSnippet};
use crate::gallery::GalleryEntry;
use crate::ipfs::uri::classify_untrusted_link;
use crate::nft::token_id::TokenId;
use crate::show::{Metadata, MetadataProblem};
use crate::wallet::address::short_address;

/// Names longer than this are cut on a card.
const CARD_NAME_CHARS: usize = 60;

#[component]
pub fn TokenCard(
    entry: GalleryEntry,
    metadata: RwSignal<Vec<(TokenId, Result<Metadata, MetadataProblem>)>>,
) -> impl IntoView {
    let id = entry.id;
    let href = format!("/token/{id}");
    let mine = Memo::new(move |_| {
        metadata.with(|all| {
            all.iter()
                .find(|(loaded, _)| *loaded == id)
                .map(|(_, metadata)| metadata.clone())
        })
    });
    let on_chain =
        match entry.read {
            Ok(on_chain) => on_chain,
            Err(error) => return view! {
                <li class="token-card broken" data-testid="token-card" data-token-id=id.to_string()>
                    <A href=href>{format!("Token #{id}")}</A>
                    <p class="token-card-problem" data-testid="token-card-problem">
                        {error.to_string()}
                    </p>
                </li>
            }
            .into_any(),
        };
    let owner = to_checksum(&on_chain.owner, None);
    let owner_href = format!("/owner/{owner}");
    let owner_short = short_address(&owner);
    view! {
        <li class="token-card" data-testid="token-card" data-token-id=id.to_string()>
            <A href=href.clone() attr:class="token-card-thumb" attr:tabindex="-1" attr:aria-hidden="true">
                <Thumbnail metadata=mine />
            </A>
            <div class="token-card-body">
                <p class="eyebrow">"Token #" {id.to_string()}</p>
                <A href=href attr:class="token-card-name" attr:data-testid="token-card-name">
                    <CardName metadata=mine id />
                </A>
                <p class="token-card-owner">
                    <span class="owner-label">"Owner "</span>
                    <A href=owner_href attr:class="mono" attr:data-testid="token-card-owner" attr:title=owner.clone()>
                        {owner_short}
                    </A>
                    <CopyButton text=owner label="Copy owner address" />
                </p>
                <CheckMark metadata=mine />
            </div>
        </li>
    }
    .into_any()
}

type CardMetadata = Memo<Option<Result<Metadata, MetadataProblem>>>;

#[component]
fn CardName(metadata: CardMetadata, id: TokenId) -> impl IntoView {
    move || {
        let name = metadata.with(|loaded| match loaded {
            Some(Ok(metadata)) if !metadata.fields.name.trim().is_empty() => {
                Some(metadata.fields.name.clone())
            }
            _ => None,
        });
        match name {
            Some(name) => view! {
                <span dir="auto" class="untrusted">
                    <UntrustedSnippet text=name limit=CARD_NAME_CHARS />
                </span>
            }
            .into_any(),
            None => view! { <span class="untitled">{format!("Token #{id}")}</span> }.into_any(),
        }
    }
}

/// The image from the metadata, through the gateway that served the
/// metadata, loaded only when the card scrolls into view. An `<img>` runs no
/// script, and a link that is not IPFS or http(s) is not loaded at all.
#[component]
fn Thumbnail(metadata: CardMetadata) -> impl IntoView {
    let SettingsContext { settings, .. } = expect_context();
    move || {
        let url = metadata.with(|loaded| {
            let metadata = loaded.as_ref()?.as_ref().ok()?;
            let image = metadata.fields.image.as_deref()?;
            let link = classify_untrusted_link(image).ok()?;
            let gateway = metadata
                .gateway
                .clone()
                .unwrap_or_else(|| settings.with_untracked(|s| s.gateway.clone()));
            Some(link.fetch_url(&gateway))
        });
        match url {
            Some(url) => view! {
                <img src=url alt="" loading="lazy" decoding="async" referrerpolicy="no-referrer" />
            }
            .into_any(),
            None => view! { <span class="thumb-placeholder" aria-hidden="true"></span> }.into_any(),
        }
    }
}

#[component]
fn CheckMark(metadata: CardMetadata) -> impl IntoView {
    move || {
        let (state, text) = metadata.with(|loaded| match loaded {
            None => ("loading", "Reading metadata…".to_owned()),
            Some(Ok(metadata)) if metadata.verified => ("checked", "Metadata checked".to_owned()),
            Some(Ok(_)) => ("unchecked", "Metadata not checked".to_owned()),
            Some(Err(problem)) => ("problem", problem.to_string()),
        });
        view! {
            <p class="token-card-check" data-testid="token-card-check" data-state=state>
                {text}
            </p>
        }
    }
}
