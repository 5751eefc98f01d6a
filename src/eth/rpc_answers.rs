//! The JSON-RPC answers the app and its tooling read (EIP-1474 shapes),
//! reduced to the fields they use. Deserializing only these keeps the wasm
//! small and accepts the extra fields wallets and nodes add. One type per
//! answer, shared by the browser's two transports and the devstack.
//! (`Serialize` only because ethers-providers' `Provider::request` asks for it.)

use ethers_core::types::{Address, H256, U64};
use serde::{Deserialize, Serialize};

/// `eth_getTransactionReceipt`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub status: Option<U64>,
    pub block_number: Option<U64>,
    pub contract_address: Option<Address>,
    pub logs: Vec<ReceiptLog>,
}

impl Receipt {
    /// EIP-658: status 1 is success. Receipts from before Byzantium have
    /// no status; none of the chains the app targets are that old.
    pub fn succeeded(&self) -> bool {
        self.status.map(|status| status.as_u64()) == Some(1)
    }

    pub fn reverted(&self) -> bool {
        self.status.map(|status| status.as_u64()) == Some(0)
    }

    /// (emitter, topics) of each log, in order.
    pub fn log_topics(&self) -> impl Iterator<Item = (Address, &[H256])> {
        self.logs
            .iter()
            .map(|log| (log.address, log.topics.as_slice()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLog {
    pub address: Address,
    pub topics: Vec<H256>,
}

/// `eth_getTransactionByHash`: who sent it, and with which nonce.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionInfo {
    pub from: Address,
    pub nonce: U64,
}

/// `eth_getBlockByNumber` without transactions: only when it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockHeader {
    /// Seconds since the Unix epoch.
    pub timestamp: U64,
}

/// An `eth_getLogs` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Log {
    pub topics: Vec<H256>,
    pub transaction_hash: H256,
    /// `null` while the log's block is pending.
    #[serde(default)]
    pub block_number: Option<U64>,
    #[serde(default)]
    pub log_index: Option<U64>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_receipt_is_read_from_what_anvil_sends_ignoring_the_rest() {
        let receipt: Receipt = serde_json::from_value(json!({
            "status": "0x1",
            "blockNumber": "0x2a",
            "contractAddress": null,
            "cumulativeGasUsed": "0x5208",
            "logs": [{
                "address": "0x5fbdb2315678afecb367f032d93f642f64180aa3",
                "topics": ["0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"],
                "data": "0x",
                "logIndex": "0x0"
            }]
        }))
        .unwrap();
        assert!(receipt.succeeded());
        assert!(!receipt.reverted());
        assert_eq!(receipt.block_number, Some(U64::from(42)));
        assert_eq!(receipt.log_topics().count(), 1);
    }

    #[test]
    fn a_reverted_receipt_says_so() {
        let receipt: Receipt =
            serde_json::from_value(json!({"status": "0x0", "logs": []})).unwrap();
        assert!(receipt.reverted());
        assert!(!receipt.succeeded());
    }
}
