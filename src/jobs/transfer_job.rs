//! The transfer job (Minty's `transfer <id> <to>`): `safeTransferFrom`
//! through the wallet. The call is tried first at the latest block, so a
//! receiver that refuses the token is reported with its decoded reason
//! before the wallet asks the user to sign anything.

use ethers_core::types::{Address, H256};

use leptos::prelude::*;
use thiserror::Error;

use crate::chain::calls::ChainCalls;
use crate::code_split::{code_not_loaded_is, run_split, CodeNotLoaded, LocalRun};
use crate::components::transaction_notices::{NoticeSource, NoticedStage, StageNotice};
use crate::eth::minty_abi::{decode_transfer, safe_transfer_from_call, RevertReason};
use crate::nft::token_id::TokenId;
use crate::wallet::transactions::{
    block_number, send_and_watch, SendError, Settled, TransactionRequest, WatchStatus,
};
use crate::wallet::{wallet, WalletError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRequest {
    pub chain_id: u64,
    /// The owner, exactly as the wallet spells the account.
    pub account: String,
    pub contract: Address,
    pub token_id: TokenId,
    pub to: Address,
}

#[derive(Debug, Clone)]
pub enum TransferStage {
    Checking,
    AwaitingSignature,
    Sent { hash: H256, status: WatchStatus },
}

#[derive(Debug, Clone, Error)]
pub enum TransferError {
    /// Its code could not be fetched (src/code_split.rs).
    #[error(transparent)]
    CodeNotLoaded(#[from] CodeNotLoaded),
    #[error("The transfer would fail, so nothing was sent: {0}.")]
    WouldRevert(RevertReason),
    #[error("The transfer could not be tried first: {0}. Nothing was sent; check that your wallet is unlocked and on the app's chain, then try again.")]
    NotChecked(WalletError),
    #[error("{0} No transaction was sent.")]
    NotSent(SendError),
    #[error("The transfer {hash:?} was mined and reverted: {reason}. The token did not move.")]
    Reverted { hash: H256, reason: RevertReason },
    #[error("The transfer {hash:?} was replaced in your wallet, so the token did not move with it. Check its owner on the token page.")]
    Replaced { hash: H256 },
    #[error("The transfer {0:?} was mined, but its receipt shows no Transfer of this token to the recipient: check the owner on the token page before trying again.")]
    NoTransferLogged(H256),
}

/// A transfer the chain has confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transferred {
    pub token_id: TokenId,
    pub to: Address,
    pub hash: H256,
}

#[derive(Clone, Copy)]
pub struct TransferJob {
    pub stage: RwSignal<Option<TransferStage>>,
    pub error: RwSignal<Option<(TokenId, TransferError)>>,
    pub done: RwSignal<Option<Transferred>>,
    run: Action<TransferRequest, ()>,
}

impl TransferJob {
    /// Call under the app root's owner, so a transfer outlives its page.
    pub(super) fn new() -> Self {
        let stage = RwSignal::new(None);
        let error = RwSignal::new(None);
        let done = RwSignal::new(None);
        let notices = NoticeSource::from_context();
        let run = Action::new_local(move |request: &TransferRequest| {
            let request = request.clone();
            async move {
                let token_id = request.token_id;
                let outcome = run_split(fetch_transfer(request, notices, stage)).await;
                stage.set(None);
                match outcome {
                    Ok(transferred) => done.set(Some(transferred)),
                    Err(problem) => error.set(Some((token_id, problem))),
                }
            }
        });
        TransferJob {
            stage,
            error,
            done,
            run,
        }
    }

    pub fn running(self) -> bool {
        self.run.pending().get()
    }

    pub fn start(self, request: TransferRequest) {
        if self.run.pending().get_untracked() {
            return;
        }
        self.error.set(None);
        self.done.set(None);
        self.run.dispatch_local(request);
    }

    /// Sent and not settled: closing the tab would lose sight of it.
    pub fn at_risk(self) -> bool {
        self.run.pending().get_untracked()
            && matches!(
                self.stage.get_untracked(),
                Some(TransferStage::Sent { .. } | TransferStage::AwaitingSignature)
            )
    }
}

/// A split point in the `transactions` module (see src/jobs.rs).
#[leptos::wasm_split::wasm_split(transactions, wasm_split_path = ::leptos::wasm_split, fallible)]
fn fetch_transfer(
    request: TransferRequest,
    notices: NoticeSource,
    stage: RwSignal<Option<TransferStage>>,
) -> Result<LocalRun<Transferred, TransferError>, TransferError> {
    let follower = notices.follow(format!("Transfer of token #{}", request.token_id));
    Ok(Box::pin(follower.follow(stage, move |report| async move {
        transfer(&request, move |stage| report(stage)).await
    })))
}

impl NoticedStage for TransferStage {
    fn notice(&self) -> StageNotice<'_> {
        match self {
            TransferStage::AwaitingSignature => StageNotice::AwaitingSignature,
            TransferStage::Sent { hash, status } => StageNotice::Sent(*hash, status),
            TransferStage::Checking => StageNotice::Unchanged,
        }
    }
}

async fn transfer(
    request: &TransferRequest,
    report: impl Fn(TransferStage) + Clone,
) -> Result<Transferred, TransferError> {
    let from: Address = request
        .account
        .parse()
        .map_err(|_| TransferError::NotChecked(WalletError::Decode(request.account.clone())))?;
    let data = safe_transfer_from_call(from, request.to, request.token_id.0);
    report(TransferStage::Checking);
    let latest = block_number().await.map_err(TransferError::NotChecked)?;
    // As the owner, at the latest block: a receiver that refuses the token
    // (or a token that moved meanwhile) reverts here with its reason.
    if let Err(error) = wallet()
        .call_as(&request.account, Some(request.contract), &data, latest)
        .await
    {
        return Err(match SendError::from(WalletError::from(error)) {
            SendError::WouldRevert(reason) => TransferError::WouldRevert(reason),
            SendError::Wallet(wallet) => TransferError::NotChecked(wallet),
            other => TransferError::NotSent(other),
        });
    }

    let transaction = TransactionRequest {
        chain_id: request.chain_id,
        from: request.account.clone(),
        to: Some(request.contract),
        data,
    };
    report(TransferStage::AwaitingSignature);
    let (sent, settled) = send_and_watch(&transaction, latest, |hash, status| {
        report(TransferStage::Sent { hash, status })
    })
    .await
    .map_err(TransferError::NotSent)?;
    let hash = sent.hash;
    match settled {
        Settled::Mined(receipt) => {
            let moved = receipt.logs.iter().any(|log| {
                log.address == request.contract
                    && decode_transfer(&log.topics).is_some_and(|transfer| {
                        transfer.token_id == request.token_id.0 && transfer.to == request.to
                    })
            });
            if moved {
                Ok(Transferred {
                    token_id: request.token_id,
                    to: request.to,
                    hash,
                })
            } else {
                Err(TransferError::NoTransferLogged(hash))
            }
        }
        Settled::Reverted(reason) => Err(TransferError::Reverted { hash, reason }),
        Settled::Replaced { .. } => Err(TransferError::Replaced { hash }),
    }
}

code_not_loaded_is!(TransferError);
