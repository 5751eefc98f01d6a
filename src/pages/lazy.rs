//! The screens that are not the start page load their code on first visit.
//!
//! Each `#[lazy_route]` view below is a split point: the build's
//! split step (tests/tools/app-build.mjs) moves the code only it reaches
//! into a wasm file of its own, fetched when the router first needs it.

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

use super::{AllTokens, Mint, OwnerTokens, SettingsPage, TokenPage, Uploads};

macro_rules! lazy_page {
    ($route:ident, $page:ident) => {
        #[derive(Clone, Copy)]
        pub(crate) struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                $route
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page /> }.into_any()
            }
        }
    };
}

lazy_page!(MintRoute, Mint);
lazy_page!(SettingsRoute, SettingsPage);
lazy_page!(TokenRoute, TokenPage);
lazy_page!(AllTokensRoute, AllTokens);
lazy_page!(OwnerTokensRoute, OwnerTokens);
lazy_page!(UploadsRoute, Uploads);
