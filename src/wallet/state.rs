//! The wallet as the UI sees it: signals for the connected account and its
//! chain, kept current by the wallet's own events without a page reload.

use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};

use super::discovery::{preselected, WalletInfo};
use super::transactions::read_chain_id;
use super::{announced, wallet, Eip1193, WalletError};
use crate::settings::chains::parse_chain_id;

/// Provided by the app root; every field is a signal, so it is `Copy`.
#[derive(Debug, Clone, Copy)]
pub struct WalletContext {
    /// Whether the page had an EIP-1193 wallet when the app started, as
    /// `window.ethereum` or announced (EIP-6963).
    pub installed: bool,
    /// The wallets that announced themselves; with more than one, Connect
    /// asks which.
    pub wallets: RwSignal<Vec<WalletInfo>>,
    /// Connect was pressed with several wallets and none chosen yet.
    pub choosing: RwSignal<bool>,
    /// The selected account, exactly as the wallet spells it.
    pub account: RwSignal<Option<String>>,
    pub chain_id: RwSignal<Option<u64>>,
    /// A connect request is waiting for the user in the wallet.
    pub connecting: RwSignal<bool>,
    /// The last failure, shown until the next attempt.
    pub error: RwSignal<Option<WalletError>>,
    /// The chosen wallet's event listeners; replaced when the choice changes.
    listeners: StoredValue<Option<Listeners>, LocalStorage>,
}

impl WalletContext {
    /// Detects the wallet and follows its events until the current reactive
    /// owner is cleaned up. Nothing is asked of the user until `connect`.
    pub fn start() -> WalletContext {
        let wallets = RwSignal::new(Vec::new());
        announced::discover(wallets);
        let remembered = announced::remembered_rdns();
        let chosen = wallets.with_untracked(|wallets| {
            preselected(wallets, remembered.as_deref()).is_some_and(announced::choose)
        });
        let several = wallets.with_untracked(|wallets| wallets.len() > 1);
        let wallet = WalletContext {
            installed: Eip1193::is_installed() || several,
            wallets,
            choosing: RwSignal::new(false),
            account: RwSignal::new(None),
            chain_id: RwSignal::new(None),
            connecting: RwSignal::new(false),
            error: RwSignal::new(None),
            listeners: StoredValue::new_local(None),
        };
        // With several wallets and no choice yet, nothing is asked of any
        // of them until the user picks one.
        if chosen || (wallet.installed && !several) {
            wallet.follow_events();
            wallet.restore();
        }
        wallet
    }

    /// The wallet's chain while an account is connected: reads go through
    /// the wallet only then (see [`crate::eth::rpc::read_route`]).
    pub fn connected_chain(self) -> Option<u64> {
        self.account
            .with(Option::is_some)
            .then(|| self.chain_id.get())
            .flatten()
    }

    /// Offers the announced wallets again, so the user can move to another
    /// one; the current one is left until another is chosen.
    pub fn choose_again(self) {
        set_if_changed(self.account, None);
        set_if_changed(self.chain_id, None);
        self.error.set(None);
        self.choosing.set(true);
    }

    /// Uses `choice` from now on (and on later visits), then connects.
    pub fn connect_with(self, choice: &WalletInfo) {
        self.choosing.set(false);
        if !announced::choose(choice) {
            return;
        }
        self.follow_events();
        self.connect();
    }

    /// Picks up a connection the user already granted this site (on an
    /// earlier visit or before a reload): `eth_accounts` never prompts.
    fn restore(self) {
        spawn_local(async move {
            let accounts: Result<Vec<String>, WalletError> = wallet()
                .request("eth_accounts", ())
                .await
                .map_err(WalletError::from);
            let Some(account) = accounts
                .ok()
                .and_then(|accounts| accounts.into_iter().next())
            else {
                return;
            };
            // A connect click may have answered first.
            if self.account.get_untracked().is_some() {
                return;
            }
            match read_chain_id().await {
                Ok(chain_id) => {
                    set_if_changed(self.chain_id, Some(chain_id));
                    set_if_changed(self.account, Some(account));
                }
                Err(error) => self.error.set(Some(error)),
            }
        });
    }

    /// Asks the wallet to share an account (it shows its prompt), then reads
    /// the chain. A second click while the prompt is open is sent anyway:
    /// the wallet answers "already waiting", which tells the user where to look.
    pub fn connect(self) {
        if announced::chosen_provider().is_none()
            && self.wallets.with_untracked(|wallets| wallets.len() > 1)
        {
            self.choosing.set(true);
            return;
        }
        self.connecting.set(true);
        self.error.set(None);
        spawn_local(async move {
            match request_account().await {
                Ok((account, chain_id)) => {
                    set_if_changed(self.chain_id, Some(chain_id));
                    set_if_changed(self.account, Some(account));
                }
                Err(error) => self.error.set(Some(error)),
            }
            self.connecting.set(false);
        });
    }

    fn follow_events(self) {
        let on_accounts = Closure::<dyn FnMut(JsValue)>::new(move |accounts: JsValue| {
            // An empty list means the user disconnected this site in the wallet.
            let account = serde_wasm_bindgen::from_value::<Vec<String>>(accounts)
                .ok()
                .and_then(|accounts| accounts.into_iter().next());
            if account.is_some() {
                self.error.set(None);
                if self.chain_id.get_untracked().is_none() {
                    self.refresh_chain();
                }
            }
            set_if_changed(self.account, account);
        });
        let on_chain = Closure::<dyn FnMut(JsValue)>::new(move |chain_id: JsValue| {
            set_if_changed(
                self.chain_id,
                chain_id.as_string().as_deref().and_then(parse_chain_id),
            );
        });
        let mut listeners = Listeners(Vec::new());
        for (event, listener) in [("accountsChanged", on_accounts), ("chainChanged", on_chain)] {
            match Eip1193::on(event, listener.as_ref().unchecked_ref()) {
                Ok(provider) => listeners.0.push((provider, event, listener)),
                Err(error) => self.error.set(Some(error)),
            }
        }
        // Replacing (or disposing) the previous ones unsubscribes them.
        self.listeners.set_value(Some(listeners));
    }

    fn refresh_chain(self) {
        spawn_local(async move {
            match read_chain_id().await {
                Ok(chain_id) => set_if_changed(self.chain_id, Some(chain_id)),
                Err(error) => self.error.set(Some(error)),
            }
        });
    }
}

/// Wallets repeat events (MetaMask sends `accountsChanged` with the same
/// account on unlock, and on every connect): an equal value must not wake
/// anything that reads the signal.
fn set_if_changed<T: PartialEq + Send + Sync + 'static>(
    signal: RwSignal<Option<T>>,
    value: Option<T>,
) {
    signal.maybe_update(|current| {
        let changed = *current != value;
        if changed {
            *current = value;
        }
        changed
    });
}

async fn request_account() -> Result<(String, u64), WalletError> {
    let accounts: Vec<String> = wallet()
        .request("eth_requestAccounts", ())
        .await
        .map_err(WalletError::from)?;
    let account = accounts
        .into_iter()
        .next()
        .ok_or_else(|| WalletError::Other("it shared no account".to_owned()))?;
    Ok((account, read_chain_id().await?))
}

/// The provider a listener was registered on, the event's name, and the
/// closure the wallet calls for it.
type Listener = (JsValue, &'static str, Closure<dyn FnMut(JsValue)>);

/// Wallet event listeners, removed from the wallet when dropped.
struct Listeners(Vec<Listener>);

impl Drop for Listeners {
    fn drop(&mut self) {
        for (provider, event, listener) in &self.0 {
            // A wallet that is gone has nothing left to unsubscribe.
            let _ = Eip1193::remove_listener(provider, event, listener.as_ref().unchecked_ref());
        }
    }
}
