//! EIP-6963 in the page: listens for wallets announcing themselves, asks
//! them to, and keeps each one's provider here, on the JS side, so the UI
//! handles only their [`WalletInfo`]. The provider chosen is the one every
//! request goes to (see [`super::eip1193`]); the choice is remembered by
//! the wallet's `rdns`.

use std::cell::RefCell;

use js_sys::Reflect;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::discovery::{add_announced, WalletInfo};
use crate::settings::local_storage;

const ANNOUNCE: &str = "eip6963:announceProvider";
const REQUEST: &str = "eip6963:requestProvider";
const REMEMBERED_KEY: &str = "minty.wallet_rdns";

thread_local! {
    static PROVIDERS: RefCell<Vec<(String, JsValue)>> = const { RefCell::new(Vec::new()) };
    static CHOSEN: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Starts listening, asks every wallet to announce itself, and adds each
/// new one to `wallets`. Wallets answer the request at once, so the list is
/// filled when this returns; one that loads later is added when it speaks.
pub fn discover(wallets: RwSignal<Vec<WalletInfo>>) {
    let handle = window_event_listener_untyped(ANNOUNCE, move |event| {
        let detail = Reflect::get(&event, &JsValue::from_str("detail")).unwrap_or_default();
        let info = Reflect::get(&detail, &JsValue::from_str("info")).unwrap_or_default();
        let provider = Reflect::get(&detail, &JsValue::from_str("provider")).unwrap_or_default();
        let Ok(info) = serde_wasm_bindgen::from_value::<WalletInfo>(info) else {
            return;
        };
        if !provider.is_object() {
            return;
        }
        let uuid = info.uuid.clone();
        if wallets.try_update(|wallets| add_announced(wallets, info)) == Some(true) {
            PROVIDERS.with(|providers| providers.borrow_mut().push((uuid, provider)));
        }
    });
    on_cleanup(move || handle.remove());
    if let Some(window) = web_sys::window() {
        if let Ok(request) = web_sys::Event::new(REQUEST) {
            let _ = window.dispatch_event(&request);
        }
    }
}

/// Makes the wallet `uuid` the one every request goes to, and remembers it.
pub fn choose(wallet: &WalletInfo) -> bool {
    let provider = PROVIDERS.with(|providers| {
        providers
            .borrow()
            .iter()
            .find(|(uuid, _)| *uuid == wallet.uuid)
            .map(|(_, provider)| provider.clone())
    });
    let Some(provider) = provider else {
        return false;
    };
    CHOSEN.with(|chosen| *chosen.borrow_mut() = Some(provider));
    // Best effort: without storage the user is asked again next visit.
    let _ = local_storage::set(REMEMBERED_KEY, &wallet.rdns);
    true
}

pub fn remembered_rdns() -> Option<String> {
    local_storage::get(REMEMBERED_KEY)
}

/// The chosen wallet's provider, if one was chosen.
pub fn chosen_provider() -> Option<JsValue> {
    CHOSEN.with(|chosen| chosen.borrow().clone())
}
