//! The screens that are not the start page load their code on first visit.
//!
//! Each `wasm_split` function below is a split point: the build's split step
//! (tests/tools/app-build.mjs) moves the code only it reaches into a wasm
//! file of its own, fetched when the page is first opened. Until it
//! arrives the page says it is loading, so a slow network never shows an
//! empty page; if it cannot be fetched, the page says so and offers to try
//! again, instead of the app stopping (`fallible`).

use std::sync::Arc;

use leptos::prelude::*;

use super::{AllTokens, Mint, OwnerTokens, SettingsPage, TokenPage, Uploads};
use crate::code_split::CodeNotLoaded;
use crate::components::lazy_part::{lazy_view, ViewLoad};

macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident, $load:ident, $page:ident) => {
        $(#[$doc])*
        #[component]
        pub(crate) fn $route() -> impl IntoView {
            view! { <LazyPage load=|| Box::pin($load()) /> }
        }

        #[leptos::wasm_split::wasm_split($load, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $load() -> Result<AnyView, CodeNotLoaded> {
            Ok(view! { <$page /> }.into_any())
        }
    };
}

lazy_page!(
    /// `/mint`, with the packer's and the storage providers' code.
    MintRoute, load_mint, Mint
);
lazy_page!(
    /// `/settings`.
    SettingsRoute, load_settings, SettingsPage
);
lazy_page!(
    /// `/token/:id`, with the verified reader of IPFS content.
    TokenRoute, load_token, TokenPage
);
lazy_page!(
    /// `/tokens`.
    AllTokensRoute, load_all_tokens, AllTokens
);
lazy_page!(
    /// `/owner/:address`.
    OwnerTokensRoute, load_owner_tokens, OwnerTokens
);
lazy_page!(
    /// `/uploads`.
    UploadsRoute, load_uploads, Uploads
);

/// A page whose code `load` fetches: "Loading…" until it arrives, and on a
/// failed fetch the reason and a button that fetches again.
#[component]
fn LazyPage(load: fn() -> ViewLoad) -> impl IntoView {
    lazy_view(
        Arc::new(load),
        || view! { <PageLoading /> }.into_any(),
        |problem, try_again| {
            view! {
                <section class="card warning" data-testid="page-code-missing">
                    <h1>"This page could not be loaded"</h1>
                    <p>{problem.to_string()}</p>
                    <button type="button" class="button primary" on:click=move |_| try_again.run(())>
                        "Try again"
                    </button>
                </section>
            }
            .into_any()
        },
    )
}

/// What a page shows while its code is fetched.
#[component]
fn PageLoading() -> impl IntoView {
    view! {
        <section class="card" aria-busy="true" data-testid="page-loading">
            <h1 class="lede">"Loading…"</h1>
        </section>
    }
}
