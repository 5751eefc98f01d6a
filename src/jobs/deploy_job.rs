//! The deploy job (Minty's `deploy --name --symbol`), or adopting a Minty
//! contract that is already on the chain. On success the address is saved
//! in Settings for that chain, whatever page is showing by then.

use ethers_core::types::{Address, H256};
use ethers_core::utils::get_contract_address;
use leptos::prelude::*;
use thiserror::Error;

use crate::app::SettingsContext;
use crate::code_split::{code_not_loaded_is, run_split, CodeNotLoaded, LocalRun};
use crate::components::transaction_notices::{NoticeSource, NoticedStage, StageNotice};
use crate::eth::address::AddressError;
use crate::eth::minty_abi::{
    decode_string, deploy_data, name_call, symbol_call, AbiError, RevertReason,
};
use crate::settings::deploy_blocks;
use crate::settings::edit::Edit;
use crate::settings::local_storage::SaveError;
use crate::wallet::contract_check::{ensure_erc721, ContractError};
use crate::wallet::transactions::{
    block_number, call, code_at, read_until_answered, send_and_watch, SendError, Settled,
    TransactionRequest, WatchStatus,
};

#[derive(Debug, Clone)]
pub enum DeployStage {
    AwaitingSignature,
    Sent { hash: H256, status: WatchStatus },
    Checking { address: Address },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deployed {
    /// Deployed by this app, in this transaction.
    New { address: Address, hash: H256 },
    /// Checked and adopted.
    Existing {
        address: Address,
        name: String,
        symbol: String,
    },
}

#[derive(Debug, Clone, Error)]
pub enum DeployError {
    /// Its code could not be fetched (src/code_split.rs).
    #[error(transparent)]
    CodeNotLoaded(#[from] CodeNotLoaded),
    #[error("Give the collection a name and a symbol.")]
    MissingName,
    #[error(transparent)]
    Address(#[from] AddressError),
    #[error("The contract could not be prepared: {0}")]
    Abi(#[from] AbiError),
    #[error("{0} No transaction was sent.")]
    NotSent(SendError),
    #[error("The deploy transaction {hash:?} was mined and reverted: {reason}.")]
    Reverted { hash: H256, reason: RevertReason },
    #[error("The deploy transaction {hash:?} was cancelled in your wallet: no contract was created at the address it would have had.")]
    Cancelled { hash: H256 },
    #[error("The deploy transaction {0:?} was mined but its receipt names no contract address.")]
    NoAddress(H256),
    #[error(transparent)]
    Contract(#[from] ContractError),
    #[error(
        "The contract at {0:?} does not answer name() and symbol(), so it is not a Minty contract."
    )]
    NotMinty(Address),
    #[error(
        "The contract at {address:?} is ready, but it could not be saved in Settings: {problem}"
    )]
    Save {
        address: Address,
        problem: SaveError,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeployRequest {
    New {
        chain_id: u64,
        account: String,
        name: String,
        symbol: String,
    },
    Existing {
        chain_id: u64,
        address: Address,
    },
}

impl DeployRequest {
    fn chain_id(&self) -> u64 {
        match self {
            DeployRequest::New { chain_id, .. } | DeployRequest::Existing { chain_id, .. } => {
                *chain_id
            }
        }
    }
}

#[derive(Clone, Copy)]
pub struct DeployJob {
    pub stage: RwSignal<Option<DeployStage>>,
    pub error: RwSignal<Option<DeployError>>,
    pub done: RwSignal<Option<Deployed>>,
    run: Action<DeployRequest, ()>,
}

impl DeployJob {
    /// Call under the app root's owner, after the settings are provided.
    pub(super) fn new() -> Self {
        let settings = expect_context::<SettingsContext>();
        let stage = RwSignal::new(None);
        let error = RwSignal::new(None);
        let done = RwSignal::new(None);
        let notices = NoticeSource::from_context();
        let run = Action::new_local(move |request: &DeployRequest| {
            let request = request.clone();
            async move {
                let chain_id = request.chain_id();
                let outcome = run_split(fetch_deploy(request, notices, stage)).await;
                stage.set(None);
                let saved = match outcome {
                    Ok(deployed) => save_deployed(settings, chain_id, deployed).await,
                    Err(problem) => Err(problem),
                };
                match saved {
                    Ok(deployed) => done.set(Some(deployed)),
                    Err(problem) => error.set(Some(problem)),
                }
            }
        });
        DeployJob {
            stage,
            error,
            done,
            run,
        }
    }

    pub fn running(self) -> bool {
        self.run.pending().get()
    }

    pub fn start(self, request: DeployRequest) {
        if self.run.pending().get_untracked() {
            return;
        }
        if let DeployRequest::New { name, symbol, .. } = &request {
            if name.trim().is_empty() || symbol.trim().is_empty() {
                self.error.set(Some(DeployError::MissingName));
                return;
            }
        }
        self.error.set(None);
        self.done.set(None);
        self.run.dispatch_local(request);
    }

    pub fn refuse(self, problem: DeployError) {
        self.error.set(Some(problem));
    }

    pub fn at_risk(self) -> bool {
        self.run.pending().get_untracked()
            && matches!(
                self.stage.get_untracked(),
                Some(DeployStage::Sent { .. } | DeployStage::AwaitingSignature)
            )
    }
}

fn remember(
    settings: SettingsContext,
    chain_id: u64,
    deployed: Deployed,
) -> Result<Deployed, DeployError> {
    let address = match &deployed {
        Deployed::New { address, .. } | Deployed::Existing { address, .. } => *address,
    };
    let edit = Edit::Contract {
        chain_id: chain_id.to_string(),
        address: ethers_core::utils::to_checksum(&address, None),
    };
    settings
        .save(&edit)
        .map_err(|problem| DeployError::Save { address, problem })?;
    Ok(deployed)
}

/// A split point in the `transactions` module (see src/jobs.rs): the code
/// that sends and follows a deploy and the checks that adopt a contract.
/// The bytecode comes apart, with [`fetch_deploy_data`].
#[leptos::wasm_split::wasm_split(transactions, wasm_split_path = ::leptos::wasm_split, fallible)]
fn fetch_deploy(
    request: DeployRequest,
    notices: NoticeSource,
    stage: RwSignal<Option<DeployStage>>,
) -> Result<LocalRun<Deployed, DeployError>, DeployError> {
    let follower = notices.follow(match &request {
        DeployRequest::New { name, .. } => format!("Deploy of the {} contract", name.trim()),
        DeployRequest::Existing { .. } => "Checking a contract".to_owned(),
    });
    Ok(Box::pin(follower.follow(stage, move |report| async move {
        let report = move |stage| report(stage);
        match request {
            DeployRequest::New {
                chain_id,
                account,
                name,
                symbol,
            } => deploy(chain_id, &account, &name, &symbol, report).await,
            DeployRequest::Existing { chain_id, address } => adopt(chain_id, address, report).await,
        }
    })))
}

impl NoticedStage for DeployStage {
    fn notice(&self) -> StageNotice<'_> {
        match self {
            DeployStage::AwaitingSignature => StageNotice::AwaitingSignature,
            DeployStage::Sent { hash, status } => StageNotice::Sent(*hash, status),
            DeployStage::Checking { .. } => StageNotice::Unchanged,
        }
    }
}

/// Saves the contract in Settings for its chain. In the `transactions`
/// module, which has loaded by now, so that the settings' writer is not part of
/// the first load; a separate step because the transaction's notice closes
/// on the deploy's own outcome first.
#[leptos::wasm_split::wasm_split(transactions, wasm_split_path = ::leptos::wasm_split, fallible)]
fn save_deployed(
    settings: SettingsContext,
    chain_id: u64,
    deployed: Deployed,
) -> Result<Deployed, DeployError> {
    remember(settings, chain_id, deployed)
}

/// A split point of its own: the contract's creation bytecode (23 kB of
/// artifact) is fetched only by a deploy, not with the other transactions.
#[leptos::wasm_split::wasm_split(contract_bytecode, wasm_split_path = ::leptos::wasm_split, fallible)]
fn fetch_deploy_data(name: String, symbol: String) -> Result<Vec<u8>, DeployError> {
    Ok(deploy_data(&name, &symbol)?)
}

async fn deploy(
    chain_id: u64,
    account: &str,
    name: &str,
    symbol: &str,
    report: impl Fn(DeployStage) + Clone,
) -> Result<Deployed, DeployError> {
    let request = TransactionRequest {
        chain_id,
        from: account.to_owned(),
        to: None,
        data: fetch_deploy_data(name.trim().to_owned(), symbol.trim().to_owned()).await?,
    };
    report(DeployStage::AwaitingSignature);
    let send_block = block_number()
        .await
        .map_err(|problem| DeployError::NotSent(problem.into()))?;
    let watching = report.clone();
    let (sent, settled) = send_and_watch(&request, send_block, move |hash, status| {
        watching(DeployStage::Sent { hash, status })
    })
    .await
    .map_err(DeployError::NotSent)?;
    let hash = sent.hash;
    match settled {
        Settled::Mined(receipt) => {
            let address = receipt
                .contract_address
                .ok_or(DeployError::NoAddress(hash))?;
            // Where the token histories of this contract begin.
            if let Some(block) = receipt.block_number {
                deploy_blocks::remember(chain_id, address, block.as_u64());
            }
            Ok(Deployed::New { address, hash })
        }
        Settled::Reverted(reason) => Err(DeployError::Reverted { hash, reason }),
        // A contract's address depends only on its creator and nonce, so a
        // sped-up deploy lands at the address ours would have had.
        Settled::Replaced { nonce } => {
            let address = get_contract_address(sent.from, nonce);
            report(DeployStage::Checking { address });
            let code = read_until_answered(
                || code_at(address),
                |status| report(DeployStage::Sent { hash, status }),
            )
            .await;
            if code.is_empty() {
                Err(DeployError::Cancelled { hash })
            } else {
                Ok(Deployed::New { address, hash })
            }
        }
    }
}

async fn adopt(
    chain_id: u64,
    address: Address,
    report: impl Fn(DeployStage),
) -> Result<Deployed, DeployError> {
    report(DeployStage::Checking { address });
    ensure_erc721(chain_id, address).await?;
    let read = |data: Vec<u8>| async move {
        let answer = call(address, &data)
            .await
            .map_err(|_| DeployError::NotMinty(address))?;
        decode_string(&answer).map_err(|_| DeployError::NotMinty(address))
    };
    let name = read(name_call()).await?;
    let symbol = read(symbol_call()).await?;
    Ok(Deployed::Existing {
        address,
        name,
        symbol,
    })
}

code_not_loaded_is!(DeployError);
