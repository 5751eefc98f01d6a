//! The screens that are not the start page load their code on first visit.
//!
//! Each `#[lazy]` function below is a split point: the build's split step
//! (tests/tools/app-build.mjs) moves the code only it reaches into a wasm
//! file of its own, fetched when the page is first opened. Until it
//! arrives, the page says it is loading, so a slow network never shows an
//! empty page.

use leptos::prelude::*;

use super::{AllTokens, Mint, OwnerTokens, SettingsPage, TokenPage, Uploads};

macro_rules! lazy_page {
    ($(#[$doc:meta])* $route:ident, $load:ident, $page:ident) => {
        $(#[$doc])*
        #[component]
        pub(crate) fn $route() -> impl IntoView {
            view! {
                <Suspense fallback=|| view! { <PageLoading /> }>{Suspend::new($load())}</Suspense>
            }
        }

        #[lazy]
        fn $load() -> AnyView {
            view! { <$page /> }.into_any()
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

/// What a page shows while its code is fetched.
#[component]
fn PageLoading() -> impl IntoView {
    view! {
        <section class="card" aria-busy="true" data-testid="page-loading">
            <h1 class="lede">"Loading…"</h1>
        </section>
    }
}
