//! The galleries: `/tokens` (every token of the app's contract) and
//! `/owner/:address` (one owner's), newest first, 50 a page, the page in
//! the address (`?page=2`). Both read through the RPC URL when no wallet is
//! on the app's chain, so a shared link works for anyone.

mod card;

use ethers_core::utils::to_checksum;
use futures::StreamExt;
use leptos::{prelude::*, task::spawn_local};
use leptos_router::{
    components::A,
    hooks::{use_location, use_params_map, use_query_map},
};

use crate::app::SettingsContext;
use crate::eth::address::parse_address;
use crate::gallery::{read_gallery_page, GalleryPage, Listing};
use crate::gateway_plan::GatewayPlan;
use crate::nft::gallery_page::{page_count, PageNumber};
use crate::nft::token_id::TokenId;
use crate::show::{load_metadata, Metadata, MetadataProblem};
use crate::wallet::WalletContext;
use card::TokenCard;

/// Metadata documents fetched at once for a page's cards.
const METADATA_IN_FLIGHT: usize = 6;

#[component]
pub fn AllTokens() -> impl IntoView {
    view! { <Gallery listing=Signal::stored(Ok(Listing::All)) /> }
}

#[component]
pub fn OwnerTokens() -> impl IntoView {
    let params = use_params_map();
    let listing = Signal::derive(move || {
        let text = params.with(|params| params.get("address").unwrap_or_default());
        parse_address(&text)
            .map(Listing::Owner)
            .map_err(|error| error.to_string())
    });
    view! { <Gallery listing /> }
}

#[component]
fn Gallery(listing: Signal<Result<Listing, String>>) -> impl IntoView {
    let SettingsContext { settings, .. } = expect_context();
    let wallet = expect_context::<WalletContext>();
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query.with(|query| PageNumber::from_query(query.get("page").as_deref()))
    });
    let read = LocalResource::new(move || {
        let listing = listing.get();
        let page = page.get();
        let settings = settings.get();
        let wallet_chain = wallet.connected_chain();
        async move {
            match listing {
                Ok(listing) => read_gallery_page(listing, page, &settings, wallet_chain)
                    .await
                    .map(|page| (listing, page))
                    .map_err(|error| error.to_string()),
                Err(error) => Err(error),
            }
        }
    });
    // The page shown stays while the next one is read, marked busy.
    let reading = RwSignal::new(false);
    view! {
        <section
            class="gallery-page"
            aria-labelledby="gallery-heading"
            aria-busy=move || reading.get().to_string()
        >
            <Heading listing />
            <Transition
                set_pending=reading.write_only()
                fallback=|| {
                view! {
                    <p class="lede" aria-busy="true">
                        "Reading the tokens from the chain…"
                    </p>
                }
            }>
                {move || Suspend::new(async move {
                    match read.await {
                        Ok((listing, page)) => view! { <Listed listing page /> }.into_any(),
                        Err(error) => {
                            view! {
                                <div class="card problem" role="alert">
                                    <p data-testid="gallery-error">{error}</p>
                                </div>
                            }
                                .into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Heading(listing: Signal<Result<Listing, String>>) -> impl IntoView {
    let wallet = expect_context::<WalletContext>();
    move || match listing.get() {
        Ok(Listing::Owner(owner)) => {
            let owner = to_checksum(&owner, None);
            let mine = wallet.account.with(|account| {
                account
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(&owner))
            });
            view! {
                <h1 id="gallery-heading">{if mine { "My tokens" } else { "Tokens of an owner" }}</h1>
                <p class="mono gallery-owner" data-testid="gallery-owner">
                    {owner}
                </p>
            }
            .into_any()
        }
        _ => view! { <h1 id="gallery-heading">"All tokens"</h1> }.into_any(),
    }
}

#[component]
fn Listed(listing: Listing, page: GalleryPage) -> impl IntoView {
    let GalleryPage {
        total,
        page: number,
        entries,
        unreadable,
    } = page;
    if total == 0 {
        return view! { <EmptyListing listing /> }.into_any();
    }
    let pages = page_count(total);
    if entries.is_empty() && unreadable == 0 {
        return view! {
            <div class="card">
                <p data-testid="gallery-empty">
                    {format!("There is no page {}: these tokens fill {pages}.", number.get())}
                </p>
                <PageLink page=PageNumber::FIRST label="Go to the first page" />
            </div>
        }
        .into_any();
    }
    let metadata = RwSignal::new(Vec::<(TokenId, Result<Metadata, MetadataProblem>)>::new());
    load_card_metadata(&entries, metadata);
    let counted = if total == 1 {
        "1 token".to_owned()
    } else {
        format!("{total} tokens")
    };
    view! {
        <p class="gallery-count" data-testid="gallery-count">
            {counted} {format!(" · page {} of {pages}", number.get())}
        </p>
        {(unreadable > 0)
            .then(|| {
                view! {
                    <p class="notice" role="status">
                        {format!(
                            "{unreadable} token ids on this page could not be read from the chain; try again later.",
                        )}
                    </p>
                }
            })}
        <ul class="gallery" data-testid="gallery">
            {entries
                .into_iter()
                .map(|entry| view! { <TokenCard entry metadata /> })
                .collect_view()}
        </ul>
        <Pagination page=number pages />
    }
    .into_any()
}

/// Fetches the metadata of every card on the page, a few at a time, each
/// checked as the token page checks it; each card shows its own as it comes.
fn load_card_metadata(
    entries: &[crate::gallery::GalleryEntry],
    metadata: RwSignal<Vec<(TokenId, Result<Metadata, MetadataProblem>)>>,
) {
    let SettingsContext { settings, .. } = expect_context();
    let plan = settings.with_untracked(|settings| GatewayPlan::new(settings.gateways()));
    let wanted: Vec<(TokenId, String)> = entries
        .iter()
        .filter_map(|entry| Some((entry.id, entry.read.as_ref().ok()?.token_uri.clone())))
        .collect();
    spawn_local(async move {
        let mut loads = futures::stream::iter(wanted)
            .map(|(id, token_uri)| {
                let plan = plan.clone();
                async move { (id, load_metadata(&token_uri, plan).await) }
            })
            .buffer_unordered(METADATA_IN_FLIGHT);
        while let Some(loaded) = loads.next().await {
            // The page may have been left; then nobody waits for the rest.
            if metadata.try_update(|all| all.push(loaded)).is_none() {
                return;
            }
        }
    });
}

#[component]
fn EmptyListing(listing: Listing) -> impl IntoView {
    match listing {
        Listing::All => view! {
            <div class="card" data-testid="gallery-empty">
                <p>"No tokens have been minted on this contract yet."</p>
                <p>
                    <A href="/mint">"Mint the first one"</A>
                </p>
            </div>
        }
        .into_any(),
        Listing::Owner(_) => view! {
            <div class="card" data-testid="gallery-empty">
                <p>"This address owns no tokens of this contract."</p>
                <p>
                    <A href="/tokens">"See all tokens"</A>
                </p>
            </div>
        }
        .into_any(),
    }
}

#[component]
fn Pagination(page: PageNumber, pages: u64) -> impl IntoView {
    (pages > 1).then(|| {
        let next = page.next();
        view! {
            <nav class="pagination" aria-label="Pages">
                {page
                    .previous()
                    .map(|previous| view! { <PageLink page=previous label="← Newer tokens" /> })}
                {(next.get() <= pages).then(|| view! { <PageLink page=next label="Older tokens →" class="older" /> })}
            </nav>
        }
    })
}

#[component]
fn PageLink(
    page: PageNumber,
    label: &'static str,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    let location = use_location();
    let href = move || format!("{}?page={}", location.pathname.get(), page.get());
    view! {
        <A href=href attr:class=class attr:data-testid="gallery-page-link" attr:data-page=page.get().to_string()>
            {label}
        </A>
    }
}
