//! Reading the chain with `eth_call`, in pure Rust: which way a read goes,
//! the JSON-RPC request and answer (EIP-1474), and failures as sentences.

use ethers_core::types::{Address, Bytes};
use serde_json::{json, Value};
use thiserror::Error;

use super::minty_abi::{decode_revert, revert_data_in, RevertReason};

/// Why a read of the chain failed, as the user can act on it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChainError {
    #[error("No wallet on the app's chain and no RPC URL to read it through: set an RPC URL in Settings, or connect a wallet on that chain.")]
    NoRpc,
    #[error("The RPC URL {url} could not be reached: check that the node is running and that the RPC URL in Settings is right.")]
    Unreachable { url: String },
    #[error("The RPC URL {url} answered HTTP {status} instead of JSON-RPC: check the RPC URL in Settings.")]
    HttpStatus { url: String, status: u16 },
    #[error("The contract refused the call: {0}.")]
    Reverted(RevertReason),
    #[error("The node reported an error (code {code}): {message}")]
    Rpc { code: i64, message: String },
    #[error("The node's answer could not be read: {0}")]
    BadAnswer(String),
    #[error("The wallet could not read the chain: {0}")]
    Wallet(String),
}

/// Where reads go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadRoute {
    /// The connected wallet, which reads through its own node.
    Wallet,
    /// A plain JSON-RPC endpoint, so pages that only read need no wallet.
    RpcUrl(String),
}

/// Reads go through the wallet when it is connected to the app's chain
/// (the node the user chose), else through the configured RPC URL.
pub fn read_route(
    app_chain: Option<u64>,
    wallet_chain: Option<u64>,
    rpc_url: Option<&str>,
) -> Result<ReadRoute, ChainError> {
    if wallet_chain.is_some() && wallet_chain == app_chain {
        return Ok(ReadRoute::Wallet);
    }
    rpc_url
        .map(|url| ReadRoute::RpcUrl(url.to_owned()))
        .ok_or(ChainError::NoRpc)
}

/// `eth_call` params: the call object and the block, as EIP-1474 orders them.
pub fn eth_call_params(to: Address, data: &[u8]) -> Value {
    json!([{"to": to, "data": Bytes::from(data.to_vec())}, "latest"])
}

pub fn request_body(id: u64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// The `result` of a JSON-RPC answer, or its `error` as a [`ChainError`].
pub fn answer_result(mut answer: Value) -> Result<Value, ChainError> {
    if let Some(error) = answer.get("error") {
        let code = error.get("code").and_then(Value::as_i64).unwrap_or(0);
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("no message");
        return Err(error_from_rpc(code, message, error.get("data")));
    }
    match answer.get_mut("result") {
        Some(result) => Ok(result.take()),
        None => Err(ChainError::BadAnswer(
            "it has neither a result nor an error".into(),
        )),
    }
}

/// A JSON-RPC error: a revert when it carries revert data (however deeply
/// the wallet nested it), else the node's own code and message.
pub fn error_from_rpc(code: i64, message: &str, data: Option<&Value>) -> ChainError {
    if let Some(revert) = data.and_then(revert_data_in) {
        return ChainError::Reverted(decode_revert(&revert));
    }
    // Code 3 is geth's and anvil's "execution reverted"; without data
    // there is no reason to decode.
    if code == 3 || message.to_ascii_lowercase().contains("execution reverted") {
        return ChainError::Reverted(RevertReason::Empty);
    }
    ChainError::Rpc {
        code,
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use ethers_core::types::U256;

    use super::*;

    const NONEXISTENT_7: &str =
        "0x7e2732890000000000000000000000000000000000000000000000000000000000000007";

    #[test]
    fn the_wallet_reads_only_when_it_is_on_the_apps_chain() {
        let rpc = Some("http://127.0.0.1:8545");
        assert_eq!(
            read_route(Some(31337), Some(31337), rpc),
            Ok(ReadRoute::Wallet)
        );
        assert_eq!(
            read_route(Some(31337), Some(1), rpc),
            Ok(ReadRoute::RpcUrl("http://127.0.0.1:8545".into()))
        );
        assert_eq!(
            read_route(Some(31337), None, rpc),
            Ok(ReadRoute::RpcUrl("http://127.0.0.1:8545".into()))
        );
        assert_eq!(read_route(None, None, None), Err(ChainError::NoRpc));
        assert_eq!(read_route(Some(1), Some(5), None), Err(ChainError::NoRpc));
        assert!(ChainError::NoRpc
            .to_string()
            .contains("set an RPC URL in Settings"));
    }

    #[test]
    fn eth_call_is_encoded_as_eip_1474_says() {
        let to: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
            .parse()
            .unwrap();
        let body = request_body(
            7,
            "eth_call",
            eth_call_params(to, &[0xc8, 0x7b, 0x56, 0xdd]),
        );
        assert_eq!(
            body,
            json!({
                "jsonrpc": "2.0",
                "id": 7,
                "method": "eth_call",
                "params": [
                    {"to": "0x5fbdb2315678afecb367f032d93f642f64180aa3", "data": "0xc87b56dd"},
                    "latest"
                ]
            })
        );
    }

    #[test]
    fn an_answer_without_a_result_is_refused() {
        assert!(matches!(
            answer_result(json!({"jsonrpc": "2.0", "id": 1})),
            Err(ChainError::BadAnswer(_))
        ));
    }

    #[test]
    fn a_revert_is_decoded_from_a_node_or_a_wallet() {
        let nonexistent = ChainError::Reverted(RevertReason::NonexistentToken(U256::from(7)));
        // anvil and geth.
        let node = json!({"jsonrpc": "2.0", "id": 1, "error": {
            "code": 3, "message": "execution reverted", "data": NONEXISTENT_7}});
        assert_eq!(answer_result(node), Err(nonexistent.clone()));
        // MetaMask wraps the node's error.
        for data in [
            json!({"code": 3, "data": NONEXISTENT_7}),
            json!({"data": {"data": NONEXISTENT_7}}),
            json!({"originalError": {"code": 3, "data": NONEXISTENT_7}}),
        ] {
            assert_eq!(
                error_from_rpc(-32603, "Internal JSON-RPC error.", Some(&data)),
                nonexistent
            );
        }
        assert_eq!(
            error_from_rpc(-32000, "execution reverted", None),
            ChainError::Reverted(RevertReason::Empty)
        );
        assert_eq!(
            nonexistent.to_string(),
            "The contract refused the call: there is no token 7."
        );
    }

    #[test]
    fn other_errors_keep_the_nodes_code_and_message() {
        assert_eq!(
            error_from_rpc(-32601, "Method not found", Some(&json!("not hex"))),
            ChainError::Rpc {
                code: -32601,
                message: "Method not found".into()
            }
        );
    }
}
