//! Transactions the user signs in the wallet: send, then follow until mined.
//! The wallet fills gas and nonce, as MetaMask does for any dapp.

use std::time::Duration;

use ethers_core::types::{Address, H256, U64};
use ethers_providers::JsonRpcClient;
use serde::Deserialize;
use serde_json::json;
use thiserror::Error;

use super::{Eip1193, WalletError};
use crate::eth::hex::{from_hex, to_hex};
use crate::eth::minty_abi::{decode_revert, revert_data_in, RevertReason};

/// How long a mined receipt is waited for before the user is told to look
/// in the wallet's activity instead.
const RECEIPT_TIMEOUT: Duration = Duration::from_secs(600);
const RECEIPT_POLL: Duration = Duration::from_millis(750);

#[derive(Debug, Clone, Error)]
pub enum TransactionError {
    #[error("You rejected the transaction in your wallet.")]
    Rejected,
    #[error("The transaction would fail: {0}.")]
    WouldRevert(RevertReason),
    #[error("The transaction {hash:?} was mined but failed: {reason}.")]
    Reverted { hash: H256, reason: RevertReason },
    #[error("The transaction {0:?} was not mined within 10 minutes; check it in your wallet's activity.")]
    NotMined(H256),
    #[error("{0}")]
    Wallet(WalletError),
}

impl From<WalletError> for TransactionError {
    fn from(error: WalletError) -> Self {
        match error {
            WalletError::Rejected => TransactionError::Rejected,
            WalletError::Rpc(rpc) => match rpc.data.as_ref().and_then(revert_data_in) {
                Some(data) => TransactionError::WouldRevert(decode_revert(&data)),
                None => TransactionError::Wallet(WalletError::Rpc(rpc)),
            },
            other => TransactionError::Wallet(other),
        }
    }
}

/// The parts of a receipt the app reads. Deserializing only these keeps the
/// wasm small and accepts the extra fields wallets and nodes add.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Receipt {
    pub status: Option<U64>,
    pub block_number: Option<U64>,
    pub contract_address: Option<Address>,
    pub logs: Vec<ReceiptLog>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ReceiptLog {
    pub address: Address,
    pub topics: Vec<H256>,
}

/// Asks the wallet to sign and send; returns the hash as soon as it is sent.
pub async fn send_transaction(
    from: &str,
    to: Option<Address>,
    data: &[u8],
) -> Result<H256, TransactionError> {
    let mut transaction = json!({ "from": from, "data": to_hex(data) });
    if let Some(to) = to {
        transaction["to"] = json!(to);
    }
    Ok(Eip1193
        .request("eth_sendTransaction", [transaction])
        .await?)
}

/// Polls until the transaction is mined. A failed transaction is replayed
/// with `eth_call` at its block to learn why it reverted.
pub async fn wait_for_receipt(
    hash: H256,
    from: &str,
    to: Option<Address>,
    data: &[u8],
) -> Result<Receipt, TransactionError> {
    let polls = RECEIPT_TIMEOUT.as_millis() / RECEIPT_POLL.as_millis();
    for _ in 0..polls {
        let receipt: Option<Receipt> = Eip1193.request("eth_getTransactionReceipt", [hash]).await?;
        if let Some(receipt) = receipt {
            if receipt.status.map(|status| status.as_u64()) == Some(0) {
                let reason =
                    replay_for_reason(from, to, data, receipt.block_number.map(|n| n.as_u64()))
                        .await;
                return Err(TransactionError::Reverted { hash, reason });
            }
            return Ok(receipt);
        }
        sleep(RECEIPT_POLL).await;
    }
    Err(TransactionError::NotMined(hash))
}

async fn replay_for_reason(
    from: &str,
    to: Option<Address>,
    data: &[u8],
    block: Option<u64>,
) -> RevertReason {
    let block = block.map_or_else(|| json!("latest"), |n| json!(format!("0x{n:x}")));
    let call = json!({ "from": from, "to": to, "data": to_hex(data) });
    match Eip1193
        .request::<_, serde_json::Value>("eth_call", (call, block))
        .await
    {
        Err(WalletError::Rpc(rpc)) => rpc
            .data
            .as_ref()
            .and_then(revert_data_in)
            .map_or(RevertReason::Empty, |data| decode_revert(&data)),
        _ => RevertReason::Empty,
    }
}

/// Reads a contract through the wallet's node.
pub async fn call(to: Address, data: &[u8]) -> Result<Vec<u8>, TransactionError> {
    let call = json!({ "to": to, "data": to_hex(data) });
    let answer: String = Eip1193.request("eth_call", (call, "latest")).await?;
    from_hex(&answer).ok_or_else(|| {
        TransactionError::Wallet(WalletError::Decode(format!("{answer:?} is not hex")))
    })
}

pub async fn code_at(address: Address) -> Result<Vec<u8>, TransactionError> {
    let answer: String = Eip1193.request("eth_getCode", (address, "latest")).await?;
    from_hex(&answer).ok_or_else(|| {
        TransactionError::Wallet(WalletError::Decode(format!("{answer:?} is not hex")))
    })
}

/// Waits without blocking the page.
pub async fn sleep(duration: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                &resolve,
                duration.as_millis() as i32,
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
