//! A small blocking JSON-RPC client for talking to anvil (or any node).

use ethers_core::types::{Address, H256, U64};
use minty::eth::hex::{from_hex, to_hex};
use minty::eth::rpc::request_body;
pub use minty::eth::rpc_answers::Receipt;
use serde_json::{json, Value};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum RpcError {
    #[error("cannot reach the JSON-RPC endpoint {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{method} failed: {message} (code {code})")]
    Node {
        method: String,
        code: i64,
        message: String,
        /// Revert data, when the node returns it.
        data: Option<String>,
    },
    #[error("{method} returned an unexpected answer: {answer}")]
    Unexpected { method: String, answer: String },
    #[error("transaction {0:?} was not mined in time")]
    NotMined(H256),
}

pub struct RpcClient {
    url: String,
    agent: ureq::Agent,
}

impl RpcClient {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            agent: ureq::AgentBuilder::new()
                .timeout(std::time::Duration::from_secs(30))
                .build(),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn request(&self, method: &str, params: Value) -> Result<Value, RpcError> {
        let body = request_body(1, method, params);
        let answer: Value = match self.agent.post(&self.url).send_json(body) {
            Ok(response) => response.into_json().map_err(|e| self.unreachable(e))?,
            // Nodes answer JSON-RPC errors with HTTP 200, but some proxies use 4xx/5xx.
            Err(ureq::Error::Status(_, response)) => {
                response.into_json().map_err(|e| self.unreachable(e))?
            }
            Err(error) => return Err(self.unreachable(error)),
        };
        if let Some(error) = answer.get("error") {
            return Err(RpcError::Node {
                method: method.to_owned(),
                code: error["code"].as_i64().unwrap_or_default(),
                message: error["message"]
                    .as_str()
                    .unwrap_or("unknown error")
                    .to_owned(),
                data: error["data"].as_str().map(str::to_owned),
            });
        }
        Ok(answer["result"].clone())
    }

    fn unreachable(&self, error: impl std::fmt::Display) -> RpcError {
        RpcError::Unreachable {
            url: self.url.clone(),
            reason: error.to_string(),
        }
    }

    pub fn chain_id(&self) -> Result<u64, RpcError> {
        let answer = self.request("eth_chainId", json!([]))?;
        serde_json::from_value::<U64>(answer.clone())
            .map(|id| id.as_u64())
            .map_err(|_| unexpected("eth_chainId", &answer))
    }

    pub fn accounts(&self) -> Result<Vec<Address>, RpcError> {
        let answer = self.request("eth_accounts", json!([]))?;
        serde_json::from_value(answer.clone()).map_err(|_| unexpected("eth_accounts", &answer))
    }

    pub fn code_at(&self, address: Address) -> Result<Vec<u8>, RpcError> {
        let answer = self.request("eth_getCode", json!([address, "latest"]))?;
        parse_bytes(&answer).ok_or_else(|| unexpected("eth_getCode", &answer))
    }

    /// `eth_call` against the latest block; a revert comes back as
    /// `RpcError::Node` with the revert data.
    pub fn call(&self, to: Address, data: &[u8]) -> Result<Vec<u8>, RpcError> {
        let answer = self.request(
            "eth_call",
            json!([{"to": to, "data": to_hex(data)}, "latest"]),
        )?;
        parse_bytes(&answer).ok_or_else(|| unexpected("eth_call", &answer))
    }

    /// Sends a transaction from an account the node holds unlocked (anvil's
    /// dev accounts), returning its hash.
    pub fn send_transaction(
        &self,
        from: Address,
        to: Option<Address>,
        data: &[u8],
    ) -> Result<H256, RpcError> {
        let mut transaction = json!({"from": from, "data": to_hex(data)});
        if let Some(to) = to {
            transaction["to"] = json!(to);
        }
        let answer = self.request("eth_sendTransaction", json!([transaction]))?;
        serde_json::from_value(answer.clone())
            .map_err(|_| unexpected("eth_sendTransaction", &answer))
    }

    pub fn wait_for_receipt(&self, hash: H256) -> Result<Receipt, RpcError> {
        for _ in 0..300 {
            let answer = self.request("eth_getTransactionReceipt", json!([hash]))?;
            if !answer.is_null() {
                return serde_json::from_value(answer.clone())
                    .map_err(|_| unexpected("eth_getTransactionReceipt", &answer));
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Err(RpcError::NotMined(hash))
    }
}

fn unexpected(method: &str, answer: &Value) -> RpcError {
    RpcError::Unexpected {
        method: method.to_owned(),
        answer: answer.to_string(),
    }
}

/// Bytes from a JSON-RPC hex string.
pub fn parse_bytes(value: &Value) -> Option<Vec<u8>> {
    value
        .as_str()
        .filter(|text| text.starts_with("0x"))
        .and_then(from_hex)
}
