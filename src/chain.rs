//! The chain-reading shell: `eth_call` through the connected wallet when it
//! is on the app's chain, otherwise through the RPC URL in Settings with a
//! plain JSON-RPC POST, so a token can be viewed with no wallet installed.

use ethers_core::types::Address;
use ethers_providers::JsonRpcClient;
use gloo_net::http::Request;
use serde_json::Value;

use crate::eth::rpc::{
    answer_result, call_result_bytes, error_from_rpc, eth_call_params, read_route, request_body,
    ChainError, ReadRoute,
};
use crate::settings::Settings;
use crate::wallet::{Eip1193, WalletError};

/// Reads the chain the way [`read_route`] chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReader {
    route: ReadRoute,
}

impl ChainReader {
    /// `wallet_chain` is the connected wallet's chain, if it is connected.
    pub fn new(settings: &Settings, wallet_chain: Option<u64>) -> Result<Self, ChainError> {
        read_route(settings.chain_id, wallet_chain, settings.rpc_url.as_deref())
            .map(|route| Self { route })
    }

    /// Calls the contract at `to` with `data` at the latest block and
    /// returns what it returned; a revert comes back decoded.
    pub async fn eth_call(&self, to: Address, data: &[u8]) -> Result<Vec<u8>, ChainError> {
        let params = eth_call_params(to, data);
        let result = match &self.route {
            ReadRoute::Wallet => Eip1193
                .request::<_, Value>("eth_call", params)
                .await
                .map_err(from_wallet)?,
            ReadRoute::RpcUrl(url) => post(url, "eth_call", params).await?,
        };
        call_result_bytes(result)
    }
}

async fn post(url: &str, method: &str, params: Value) -> Result<Value, ChainError> {
    let unreachable = || ChainError::Unreachable {
        url: url.to_owned(),
    };
    let response = Request::post(url)
        .json(&request_body(1, method, params))
        .map_err(|error| ChainError::BadAnswer(error.to_string()))?
        .send()
        .await
        .map_err(|_| unreachable())?;
    // Nodes answer JSON-RPC errors with 200, but some put them on a 4xx/5xx
    // body too: read the body first and fall back to the status.
    let status = response.status();
    match response.json::<Value>().await {
        Ok(answer) if answer.get("result").is_some() || answer.get("error").is_some() => {
            answer_result(answer)
        }
        _ if !response.ok() => Err(ChainError::HttpStatus {
            url: url.to_owned(),
            status,
        }),
        _ => Err(ChainError::BadAnswer(format!(
            "{url} did not answer with JSON-RPC"
        ))),
    }
}

fn from_wallet(error: WalletError) -> ChainError {
    match error {
        WalletError::Rpc(error) => error_from_rpc(error.code, &error.message, error.data.as_ref()),
        other => ChainError::Wallet(other.to_string()),
    }
}
