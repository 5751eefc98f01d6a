//! The app's root: loads the settings, starts following the wallet,
//! provides both as context, and routes between pages.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes, A},
    path,
};

use crate::components::{TransactionNotices, WalletStatus};
use crate::jobs::provide_jobs;
use crate::pages::lazy::{
    AllTokensRoute, MintRoute, OwnerTokensRoute, SettingsRoute, TokenRoute, UploadsRoute,
};
use crate::pages::{Home, NotFound};
use crate::settings::{
    edit::Edit,
    local_storage::{self, SaveError},
    Settings, SettingsError,
};
use crate::wallet::WalletContext;

/// The configuration in effect, and each setting that could not be used.
#[derive(Debug, Clone, Copy)]
pub struct SettingsContext {
    pub settings: RwSignal<Settings>,
    pub problems: RwSignal<Vec<SettingsError>>,
}

impl SettingsContext {
    /// Saves one change; on success everything that reads the settings
    /// sees the new values at once.
    pub fn save(self, edit: &Edit) -> Result<(), SaveError> {
        let (settings, problems) = local_storage::save(&self.settings.get_untracked(), edit)?;
        self.settings.set(settings);
        self.problems.set(problems);
        Ok(())
    }
}

#[component]
pub fn App() -> impl IntoView {
    let (settings, problems) = local_storage::load();
    provide_context(SettingsContext {
        settings: RwSignal::new(settings),
        problems: RwSignal::new(problems),
    });
    provide_context(WalletContext::start());
    provide_jobs();
    view! {
        <Router>
            <header class="site-header">
                <a href="/" class="brand">
                    "Minty"
                </a>
                <nav class="site-nav" aria-label="Main">
                    <A href="/" exact=true>
                        "Home"
                    </A>
                    <A href="/tokens">"Tokens"</A>
                    <MyTokensLink />
                    <A href="/mint">"Mint"</A>
                    <A href="/uploads">"Uploads"</A>
                    <A href="/settings">"Settings"</A>
                </nav>
                <WalletStatus />
            </header>
            <main class="page">
                <TransactionNotices />
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=Home />
                    <Route path=path!("/mint") view=MintRoute />
                    <Route path=path!("/settings") view=SettingsRoute />
                    <Route path=path!("/token/:id") view=TokenRoute />
                    <Route path=path!("/tokens") view=AllTokensRoute />
                    <Route path=path!("/owner/:address") view=OwnerTokensRoute />
                    <Route path=path!("/uploads") view=UploadsRoute />
                </Routes>
            </main>
        </Router>
    }
}

/// "My tokens": the connected account's gallery, shown once a wallet is
/// connected.
#[component]
fn MyTokensLink() -> impl IntoView {
    let wallet = expect_context::<WalletContext>();
    move || {
        wallet.account.get().map(|account| {
            view! { <A href=format!("/owner/{account}")>"My tokens"</A> }
        })
    }
}
