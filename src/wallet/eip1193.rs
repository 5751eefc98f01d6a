//! EIP-1193 transport for ethers-providers: JSON-RPC requests go to the
//! wallet the user chose among those that announced themselves (EIP-6963,
//! see [`super::announced`]), or else to `window.ethereum`.

use std::fmt::Debug;

use async_trait::async_trait;
use ethers_providers::JsonRpcClient;
use js_sys::{Function, Object, Promise, Reflect};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{announced, WalletError};

/// The wallet. Zero-sized: it looks the provider up on every call instead
/// of holding a `JsValue`, so `Provider<Eip1193>` stays `Send + Sync`, a
/// wallet injected late is still found, and a new choice applies at once.
#[derive(Debug, Clone, Copy, Default)]
pub struct Eip1193;

impl Eip1193 {
    /// Whether the page has an EIP-1193 wallet right now.
    pub fn is_installed() -> bool {
        ethereum().is_ok()
    }

    /// Sends one request; `params` is omitted when it serializes to nothing.
    pub async fn request_js(method: &str, params: JsValue) -> Result<JsValue, WalletError> {
        let ethereum = ethereum()?;
        let request = Object::new();
        set(&request, "method", &JsValue::from_str(method))?;
        // `()` (no params) serializes to null; some wallets reject `params: null`.
        if !params.is_undefined() && !params.is_null() {
            set(&request, "params", &params)?;
        }
        let answer = method_of(&ethereum, "request")?
            .call1(&ethereum, &request)
            .map_err(WalletError::from_js)?;
        // `resolve` also accepts a wallet that answers synchronously.
        JsFuture::from(Promise::resolve(&answer))
            .await
            .map_err(WalletError::from_js)
    }

    /// Registers `listener` for a wallet event (`accountsChanged`,
    /// `chainChanged`); returns the provider it was registered on, which is
    /// the one to remove it from later, whatever is chosen by then.
    pub fn on(event: &str, listener: &Function) -> Result<JsValue, WalletError> {
        let ethereum = ethereum()?;
        call_listener_method(&ethereum, "on", event, listener)?;
        Ok(ethereum)
    }

    pub fn remove_listener(
        provider: &JsValue,
        event: &str,
        listener: &Function,
    ) -> Result<(), WalletError> {
        call_listener_method(provider, "removeListener", event, listener)
    }
}

#[async_trait(?Send)]
impl JsonRpcClient for Eip1193 {
    type Error = WalletError;

    async fn request<T, R>(&self, method: &str, params: T) -> Result<R, WalletError>
    where
        T: Debug + Serialize + Send + Sync,
        R: DeserializeOwned + Send,
    {
        // JSON-compatible: maps become plain objects and u64 become numbers,
        // as a JSON-RPC server would see them.
        let params = params
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|error| WalletError::Encode(error.to_string()))?;
        let result = Self::request_js(method, params).await?;
        serde_wasm_bindgen::from_value(result)
            .map_err(|error| WalletError::Decode(error.to_string()))
    }
}

fn call_listener_method(
    provider: &JsValue,
    name: &str,
    event: &str,
    listener: &Function,
) -> Result<(), WalletError> {
    method_of(provider, name)?
        .call2(provider, &JsValue::from_str(event), listener)
        .map(drop)
        .map_err(WalletError::from_js)
}

fn ethereum() -> Result<JsValue, WalletError> {
    if let Some(chosen) = announced::chosen_provider() {
        return Ok(chosen);
    }
    let window = web_sys::window().ok_or(WalletError::NoWallet)?;
    Reflect::get(&window, &JsValue::from_str("ethereum"))
        .ok()
        .filter(JsValue::is_object)
        .ok_or(WalletError::NoWallet)
}

fn method_of(ethereum: &JsValue, name: &str) -> Result<Function, WalletError> {
    Reflect::get(ethereum, &JsValue::from_str(name))
        .ok()
        .and_then(|method| method.dyn_into::<Function>().ok())
        .ok_or_else(|| WalletError::Other(format!("the wallet has no {name}() method")))
}

fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), WalletError> {
    Reflect::set(target, &JsValue::from_str(key), value)
        .map(drop)
        .map_err(WalletError::from_js)
}
