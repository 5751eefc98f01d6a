//! Transactions the user signs in the wallet: checked and sent, then
//! followed until they settle. The wallet fills gas and nonce, as MetaMask
//! does for any dapp.
//!
//! Sending is the point of no return. Before it, every failure means nothing
//! was sent ([`SendError`]). After it, nothing the page learns can prove the
//! transaction will not be mined, so [`watch`] never gives up: a failed poll
//! is retried with backoff and reported as "status unknown", and a
//! transaction replaced in the wallet (*Speed up*, *Cancel*) is detected by
//! its nonce (see [`crate::eth::transaction_watch`]).

use std::time::Duration;

use ethers_core::types::{Address, H256};
use serde_json::json;
use thiserror::Error;

use super::{wallet, WalletError};
use crate::chain::calls::ChainCalls;
use crate::eth::hex::to_hex;
use crate::eth::minty_abi::{decode_revert, revert_data_in, RevertReason};
use crate::eth::rpc_answers::Receipt;
use crate::eth::transaction_watch::{
    nonce_used, retry_delay, LoggedTransfer, SentTransaction, SLOW_AFTER,
};
use crate::settings::chains::chain_label;

/// What the wallet is asked to sign, and the chain and account it must
/// still be on when it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRequest {
    pub chain_id: u64,
    /// The account exactly as the wallet spells it.
    pub from: String,
    /// `None` deploys a contract.
    pub to: Option<Address>,
    pub data: Vec<u8>,
}

/// Why a transaction was not sent. Nothing reached the chain.
#[derive(Debug, Clone, Error)]
pub enum SendError {
    #[error("You rejected the transaction in your wallet.")]
    Rejected,
    #[error("The transaction would fail: {0}.")]
    WouldRevert(RevertReason),
    #[error("Your wallet switched to {} after this started on {}: switch back to {} and try again.", chain_label(*.actual), chain_label(*.expected), chain_label(*.expected))]
    ChainChanged { expected: u64, actual: u64 },
    #[error("Your wallet's account changed to {} after this started with {expected}: switch back to {expected} in the wallet and try again.", .actual.as_deref().unwrap_or("none"))]
    AccountChanged {
        expected: String,
        actual: Option<String>,
    },
    #[error("{0}")]
    Wallet(WalletError),
}

impl From<WalletError> for SendError {
    fn from(error: WalletError) -> Self {
        match error {
            WalletError::Rejected => SendError::Rejected,
            WalletError::Rpc(rpc) => match rpc.data.as_ref().and_then(revert_data_in) {
                Some(data) => SendError::WouldRevert(decode_revert(&data)),
                None => SendError::Wallet(WalletError::Rpc(rpc)),
            },
            other => SendError::Wallet(other),
        }
    }
}

/// Why the page cannot tell, for now, what became of a sent transaction.
#[derive(Debug, Clone, Error)]
pub enum PollProblem {
    #[error("your wallet is on {}, not {}: switch back to follow it", chain_label(*.actual), chain_label(*.expected))]
    OtherChain { expected: u64, actual: u64 },
    #[error("the wallet could not be asked: {0}")]
    Wallet(WalletError),
}

impl From<WalletError> for PollProblem {
    fn from(error: WalletError) -> Self {
        PollProblem::Wallet(error)
    }
}

/// How a sent transaction is doing, while it is watched.
#[derive(Debug, Clone)]
pub enum WatchStatus {
    /// Known to the node and not mined yet; `slow` after [`SLOW_AFTER`].
    Pending { slow: bool },
    /// The last poll failed; the next one is in `retry_in`.
    Unknown {
        problem: PollProblem,
        retry_in: Duration,
    },
}

/// How a sent transaction ended.
#[derive(Debug, Clone)]
pub enum Settled {
    Mined(Receipt),
    /// Mined, and reverted, for this reason.
    Reverted(RevertReason),
    /// Our hash is gone and a transaction with our nonce was mined: the
    /// user replaced ours in the wallet. What the replacement did is for
    /// the caller to find out.
    Replaced {
        nonce: u64,
    },
}

/// Checks, immediately before sending, that the wallet is still on the
/// chain and account the job was started with, then asks the wallet to
/// sign and send. `chainId` goes in the transaction too, so a wallet that
/// switched in between refuses it rather than sending it elsewhere.
/// `send_block` is the latest block read just before (see [`block_number`]).
pub async fn send(
    request: &TransactionRequest,
    send_block: u64,
) -> Result<SentTransaction, SendError> {
    let wallet = wallet();
    let actual_chain = wallet.chain_id().await.map_err(WalletError::from)?;
    if actual_chain != request.chain_id {
        return Err(SendError::ChainChanged {
            expected: request.chain_id,
            actual: actual_chain,
        });
    }
    let accounts: Vec<String> = wallet
        .request("eth_accounts", ())
        .await
        .map_err(WalletError::from)?;
    let actual_account = accounts.into_iter().next();
    if !actual_account
        .as_deref()
        .is_some_and(|account| account.eq_ignore_ascii_case(&request.from))
    {
        return Err(SendError::AccountChanged {
            expected: request.from.clone(),
            actual: actual_account,
        });
    }
    let from: Address = request
        .from
        .parse()
        .map_err(|_| WalletError::Decode(format!("{:?} is not an address", request.from)))?;

    let mut transaction = json!({
        "from": request.from,
        "data": to_hex(&request.data),
        "chainId": format!("0x{:x}", request.chain_id),
    });
    if let Some(to) = request.to {
        transaction["to"] = json!(to);
    }
    let hash: H256 = wallet
        .request("eth_sendTransaction", [transaction])
        .await
        .map_err(WalletError::from)?;
    // The nonce the wallet chose, read at once so the journal holds it
    // before anything can replace the transaction; if the node does not
    // show it yet, `watch` fills it in.
    let nonce = match wallet.transaction(hash).await {
        Ok(Some(transaction)) if transaction.from == from => Some(transaction.nonce.as_u64()),
        _ => None,
    };
    Ok(SentTransaction {
        hash,
        chain_id: request.chain_id,
        from,
        nonce,
        send_block,
    })
}

/// [`send`], then [`watch`]: `on_status` hears the hash as soon as the
/// wallet sent it (pending), then every status while it is watched.
/// Returns the transaction as sent, with its nonce, and how it settled.
pub async fn send_and_watch(
    request: &TransactionRequest,
    send_block: u64,
    on_status: impl Fn(H256, WatchStatus),
) -> Result<(SentTransaction, Settled), SendError> {
    let mut sent = send(request, send_block).await?;
    on_status(sent.hash, WatchStatus::Pending { slow: false });
    let settled = watch(&mut sent, request, |sent, status| {
        on_status(sent.hash, status)
    })
    .await;
    Ok((sent, settled))
}

/// Follows a sent transaction until it settles, however long that takes.
/// `sent.nonce` is filled in as soon as the node shows it, so a caller that
/// keeps `sent` (in the mint journal) can resume with it.
pub async fn watch(
    sent: &mut SentTransaction,
    request: &TransactionRequest,
    report: impl Fn(&SentTransaction, WatchStatus),
) -> Settled {
    let started = js_sys::Date::now();
    let mut failures = 0;
    loop {
        match poll(sent, request).await {
            Ok(Some(settled)) => return settled,
            Ok(None) => {
                failures = 0;
                let slow = js_sys::Date::now() - started > SLOW_AFTER.as_millis() as f64;
                report(sent, WatchStatus::Pending { slow });
            }
            Err(problem) => {
                failures += 1;
                report(
                    sent,
                    WatchStatus::Unknown {
                        problem,
                        retry_in: retry_delay(failures),
                    },
                );
            }
        }
        sleep(retry_delay(failures)).await;
    }
}

async fn poll(
    sent: &mut SentTransaction,
    request: &TransactionRequest,
) -> Result<Option<Settled>, PollProblem> {
    // Through the wallet: on another chain its node knows nothing of ours,
    // and "not found" there must not read as "replaced".
    let wallet = wallet();
    let chain_id = wallet.chain_id().await.map_err(WalletError::from)?;
    if chain_id != sent.chain_id {
        return Err(PollProblem::OtherChain {
            expected: sent.chain_id,
            actual: chain_id,
        });
    }
    if let Some(receipt) = wallet.receipt(sent.hash).await.map_err(WalletError::from)? {
        return Ok(Some(settle(receipt, request).await));
    }
    let transaction = wallet
        .transaction(sent.hash)
        .await
        .map_err(WalletError::from)?;
    if let Some(transaction) = transaction {
        if transaction.from == sent.from {
            sent.nonce = Some(transaction.nonce.as_u64());
        }
        return Ok(None);
    }
    let Some(nonce) = sent.nonce else {
        return Ok(None);
    };
    let mined_count = wallet
        .mined_transaction_count(sent.from)
        .await
        .map_err(WalletError::from)?;
    if !nonce_used(nonce, mined_count) {
        return Ok(None);
    }
    // Ours may have been mined between the two reads.
    if let Some(receipt) = wallet.receipt(sent.hash).await.map_err(WalletError::from)? {
        return Ok(Some(settle(receipt, request).await));
    }
    Ok(Some(Settled::Replaced { nonce }))
}

async fn settle(receipt: Receipt, request: &TransactionRequest) -> Settled {
    if receipt.reverted() {
        let block = receipt.block_number.map(|n| n.as_u64());
        return Settled::Reverted(replay_for_reason(request, block).await);
    }
    Settled::Mined(receipt)
}

/// A failed transaction is replayed with `eth_call` at its block to learn
/// why it reverted.
async fn replay_for_reason(request: &TransactionRequest, block: Option<u64>) -> RevertReason {
    let Some(block) = block else {
        return RevertReason::Empty;
    };
    let replay = wallet()
        .call_as(&request.from, request.to, &request.data, block)
        .await
        .map_err(WalletError::from);
    match replay {
        Err(WalletError::Rpc(rpc)) => rpc
            .data
            .as_ref()
            .and_then(revert_data_in)
            .map_or(RevertReason::Empty, |data| decode_revert(&data)),
        _ => RevertReason::Empty,
    }
}

/// The contract's Transfer logs matching `filter`, each with the sender and
/// nonce of its transaction, so a replacement can be told from the rest.
pub async fn transfers_with_senders(
    filter: serde_json::Value,
) -> Result<Vec<LoggedTransfer>, WalletError> {
    let wallet = wallet();
    let logs = wallet.logs(filter).await?;
    let mut transfers = Vec::with_capacity(logs.len());
    for log in logs {
        if let Some(transaction) = wallet.transaction(log.transaction_hash).await? {
            transfers.push(LoggedTransfer {
                topics: log.topics,
                transaction_hash: log.transaction_hash,
                transaction_from: transaction.from,
                transaction_nonce: transaction.nonce.as_u64(),
            });
        }
    }
    Ok(transfers)
}

pub async fn block_number() -> Result<u64, WalletError> {
    Ok(wallet().block_number().await?)
}

pub async fn read_chain_id() -> Result<u64, WalletError> {
    Ok(wallet().chain_id().await?)
}

/// Reads a contract through the wallet's node.
pub async fn call(to: Address, data: &[u8]) -> Result<Vec<u8>, WalletError> {
    Ok(wallet().call(to, data).await?)
}

pub async fn code_at(address: Address) -> Result<Vec<u8>, WalletError> {
    Ok(wallet().code_at(address).await?)
}

/// Repeats a read of the wallet's node about a sent transaction until it
/// answers, with the watch's backoff; `on_wait` tells the user the status is
/// unknown meanwhile.
pub async fn read_until_answered<T, Fut>(read: impl Fn() -> Fut, on_wait: impl Fn(WatchStatus)) -> T
where
    Fut: std::future::Future<Output = Result<T, WalletError>>,
{
    let mut failures = 0;
    loop {
        match read().await {
            Ok(value) => return value,
            Err(problem) => {
                failures += 1;
                let retry_in = retry_delay(failures);
                on_wait(WatchStatus::Unknown {
                    problem: problem.into(),
                    retry_in,
                });
                sleep(retry_in).await;
            }
        }
    }
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
