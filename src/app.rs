//! The app's root: loads the settings, starts following the wallet,
//! provides both as context, and routes between pages.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::components::WalletStatus;
use crate::pages::{Home, NotFound, TokenPage};
use crate::settings::{local_storage, Settings, SettingsError};
use crate::wallet::WalletContext;

/// The configuration in effect, and each setting that could not be used.
#[derive(Debug, Clone, Copy)]
pub struct SettingsContext {
    pub settings: RwSignal<Settings>,
    pub problems: RwSignal<Vec<SettingsError>>,
}

#[component]
pub fn App() -> impl IntoView {
    let (settings, problems) = local_storage::load();
    provide_context(SettingsContext {
        settings: RwSignal::new(settings),
        problems: RwSignal::new(problems),
    });
    provide_context(WalletContext::start());
    view! {
        <Router>
            <header class="site-header">
                <a href="/" class="brand">
                    "Minty"
                </a>
                <WalletStatus />
            </header>
            <main class="page">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/token/:id") view=TokenPage />
                </Routes>
            </main>
        </Router>
    }
}
