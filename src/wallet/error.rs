//! What can go wrong talking to the wallet, as sentences the user can act on.
//! Codes are those of EIP-1193 ("Provider Errors") and EIP-1474.

use ethers_providers::{JsonRpcError, ProviderError, RpcError};
use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::settings::chains::chain_label;

#[derive(Debug, Clone, thiserror::Error)]
pub enum WalletError {
    #[error("No Ethereum wallet found. Install MetaMask (https://metamask.io) to connect.")]
    NoWallet,
    #[error("The wallet rejected the request.")]
    Rejected,
    #[error("The wallet has not authorized this site for that account or request: connect the wallet and try again.")]
    Unauthorized,
    #[error("The wallet does not support this request.")]
    UnsupportedMethod,
    #[error("The wallet is disconnected from the chain: check its network connection.")]
    Disconnected,
    #[error("The wallet does not know this chain: add the network in the wallet first.")]
    UnknownChain,
    #[error("Your wallet does not know {}, and Minty has no RPC URL to add it with: add the network in your wallet, or set an RPC URL in Settings.", chain_label(*.chain_id))]
    ChainNotAddable { chain_id: u64 },
    #[error("A request is already waiting in your wallet: open it to approve or reject.")]
    RequestPending,
    #[error("The wallet's node is limiting requests (rate limit, -32005).")]
    RateLimited,
    #[error("The wallet reported an error (code {}): {}", .0.code, .0.message)]
    Rpc(JsonRpcError),
    #[error("The request could not be encoded for the wallet: {0}")]
    Encode(String),
    #[error("The wallet's answer could not be read: {0}")]
    Decode(String),
    #[error("The wallet failed unexpectedly: {0}")]
    Other(String),
}

impl WalletError {
    /// The error a JSON-RPC error code stands for.
    pub fn from_rpc(code: i64, message: String, data: Option<serde_json::Value>) -> WalletError {
        match code {
            4001 => WalletError::Rejected,
            4100 => WalletError::Unauthorized,
            4200 => WalletError::UnsupportedMethod,
            4900 | 4901 => WalletError::Disconnected,
            // Not in EIP-1193, but every wallet uses it for wallet_switchEthereumChain.
            4902 => WalletError::UnknownChain,
            // MetaMask Mobile wraps that 4902 in an internal error.
            -32603
                if data
                    .as_ref()
                    .and_then(|data| data.pointer("/originalError/code"))
                    .and_then(serde_json::Value::as_i64)
                    == Some(4902) =>
            {
                WalletError::UnknownChain
            }
            // MetaMask's "resource unavailable": a prompt for this site is already open.
            -32002 => WalletError::RequestPending,
            // EIP-1474's "limit exceeded": a busy public node, worth waiting for.
            -32005 => WalletError::RateLimited,
            _ => WalletError::Rpc(JsonRpcError {
                code,
                message,
                data,
            }),
        }
    }

    /// Reads `{code, message, data}` from whatever the wallet threw.
    pub fn from_js(thrown: JsValue) -> WalletError {
        let field = |name: &str| {
            Reflect::get(&thrown, &JsValue::from_str(name))
                .ok()
                .filter(|value| !value.is_undefined() && !value.is_null())
        };
        let message = field("message")
            .and_then(|message| message.as_string())
            .or_else(|| thrown.as_string())
            .unwrap_or_else(|| format!("{thrown:?}"));
        // EIP-1193 codes are integers; anything else is not a provider error.
        let code = field("code")
            .and_then(|code| code.as_f64())
            .filter(|code| code.fract() == 0.0);
        match code {
            Some(code) => {
                let data = field("data").and_then(|data| serde_wasm_bindgen::from_value(data).ok());
                WalletError::from_rpc(code as i64, message, data)
            }
            None => WalletError::Other(message),
        }
    }
}

impl RpcError for WalletError {
    fn as_error_response(&self) -> Option<&JsonRpcError> {
        match self {
            WalletError::Rpc(error) => Some(error),
            _ => None,
        }
    }

    fn as_serde_error(&self) -> Option<&serde_json::Error> {
        None
    }
}

impl From<WalletError> for ProviderError {
    fn from(error: WalletError) -> ProviderError {
        ProviderError::JsonRpcClientError(Box::new(error))
    }
}

/// Back from ethers-providers' error to the wallet's own, so callers keep
/// their typed sentences.
impl From<ProviderError> for WalletError {
    fn from(error: ProviderError) -> WalletError {
        match error {
            ProviderError::JsonRpcClientError(inner) => {
                let inner: &dyn std::error::Error = inner.as_ref();
                inner
                    .downcast_ref::<WalletError>()
                    .cloned()
                    .unwrap_or_else(|| WalletError::Other(inner.to_string()))
            }
            ProviderError::SerdeJson(error) => WalletError::Decode(error.to_string()),
            other => WalletError::Other(other.to_string()),
        }
    }
}
