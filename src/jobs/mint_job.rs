//! The mint job: upload, then sign and follow `mintToken`, holding its
//! stage, error and result in signals that live as long as the app. Every
//! step is written to the mint journal, and on load the job resumes what a
//! reload interrupted.

use leptos::prelude::*;

use crate::components::transaction_notices::{NoticeSource, NoticedStage, Notices, StageNotice};
use web_sys::{AbortController, AbortSignal, File};

use super::journal_store;
use crate::code_split::{run_split, LocalRun};
use crate::mint::{
    find_sent_mint, follow_mint, send_mint, still_stored, upload_fingerprint, upload_nft,
    MintError, MintStage, MintTarget, MintedToken, UploadedNft,
};
use crate::nft::mint_details::MintDetails;
use crate::nft::mint_journal::{MintRecord, MintState, Resume};
use crate::settings::api_token::ApiToken;
use crate::settings::{ProviderEndpoints, StorageProviderKind};
use crate::storage::{ChosenStorage, StorageError};
use crate::wallet::contract_check::ensure_erc721;
use crate::wallet::transactions::read_chain_id;

/// Everything a new mint needs, fixed when the creator presses Mint.
#[derive(Clone)]
pub struct MintRequest {
    pub file: File,
    pub preview: Option<File>,
    pub details: MintDetails,
    pub storage_provider: StorageProviderKind,
    /// The chosen provider's endpoints; the API's names the uploads in the journal.
    pub storage_endpoints: ProviderEndpoints,
    /// From [`crate::storage::upload_token`].
    pub api_token: Option<ApiToken>,
    pub target: MintTarget,
    /// The creator confirmed a copy of a token already minted or pending.
    pub another_copy: bool,
}

/// An interrupted mint and what it waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingMint {
    pub record: MintRecord,
    /// [`Resume::AskCreator`] or [`Resume::WaitForChain`].
    pub waits_for: Resume,
}

impl WaitingMint {
    /// Only a record that was never sent, or that the chain shows was not,
    /// may be sent from here: a sent one is only ever watched.
    pub fn can_send(&self) -> bool {
        self.waits_for == Resume::AskCreator && files_stored(&self.record)
    }
}

#[derive(Clone)]
enum MintRun {
    /// A new mint, and the signal its Cancel button aborts.
    New(MintRequest, AbortSignal),
    /// Records a reload left unfinished, oldest first.
    Resume(Vec<MintRecord>),
    /// A record whose files are stored, which the creator asked to mint.
    Send(Box<MintRecord>),
}

#[derive(Clone, Copy)]
pub struct MintJob {
    pub stage: RwSignal<Option<MintStage>>,
    pub error: RwSignal<Option<MintError>>,
    pub minted: RwSignal<Option<MintedToken>>,
    /// Interrupted mints that wait for the creator, each with why: files
    /// stored but not sent, stopped before the files were stored, or on a
    /// chain the wallet is not on.
    pub waiting: RwSignal<Vec<WaitingMint>>,
    last_request: StoredValue<Option<MintRequest>, LocalStorage>,
    /// Aborts the running mint's upload; only offered before the wallet is
    /// asked (see [`MintJob::can_cancel`]).
    cancel: StoredValue<Option<AbortController>, LocalStorage>,
    run: Action<MintRun, ()>,
}

impl MintJob {
    /// Call under the app root's owner, so the job outlives every page.
    /// Resumes what the journal says a reload interrupted.
    pub(super) fn new() -> Self {
        let stage = RwSignal::new(None);
        let error = RwSignal::new(None);
        let minted = RwSignal::new(None);
        let waiting = RwSignal::new(Vec::new());
        let notices = NoticeSource::from_context();
        let run = Action::new_local(move |run: &MintRun| {
            let run = run.clone();
            async move {
                let outcome = match run {
                    MintRun::New(request, cancel) => {
                        run_split(fetch_new_mint(request, cancel, notices, stage))
                            .await
                            .map(Some)
                    }
                    MintRun::Resume(records) => {
                        run_split(fetch_resume(records, waiting, notices, stage)).await
                    }
                    MintRun::Send(record) => {
                        waiting.update(|list| list.retain(|w| w.record.id != record.id));
                        run_split(fetch_send_stored(*record, notices, stage))
                            .await
                            .map(Some)
                    }
                };
                stage.set(None);
                match outcome {
                    Ok(Some(token)) => minted.set(Some(token)),
                    Ok(None) => {}
                    Err(problem) => error.set(Some(problem)),
                }
            }
        });
        let job = MintJob {
            stage,
            error,
            minted,
            waiting,
            last_request: StoredValue::new_local(None),
            cancel: StoredValue::new_local(None),
            run,
        };
        // Only a tab that has a journal reads it, and after the first render:
        // its reader is in the `transactions` module, not in the first load.
        if journal_store::exists() {
            leptos::task::spawn_local(async move {
                match unfinished_mints().await {
                    Ok(unfinished) if unfinished.is_empty() => {}
                    Ok(unfinished) => {
                        job.run.dispatch_local(MintRun::Resume(unfinished));
                    }
                    Err(problem) => job.error.set(Some(problem)),
                }
            });
        }
        job
    }

    pub fn running(self) -> bool {
        self.run.pending().get()
    }

    /// Fetches a new mint's code, and its notice's, in the background while
    /// the creator fills in the form, so that pressing Mint starts at once.
    /// A failed fetch is left to the mint itself, which fetches again and
    /// says why it could not.
    pub fn prepare(self) {
        leptos::task::spawn_local(async {
            let (_, ()) = futures::join!(preload_new_mint(), Notices::preload());
        });
    }

    /// Starts a mint unless one is running.
    pub fn start(self, request: MintRequest) {
        if self.run.pending().get_untracked() {
            return;
        }
        self.error.set(None);
        self.minted.set(None);
        self.last_request.set_value(Some(request.clone()));
        let Ok(cancel) = AbortController::new() else {
            return self.refuse(MintError::Storage(StorageError::Cancelled));
        };
        let signal = cancel.signal();
        self.cancel.set_value(Some(cancel));
        self.run.dispatch_local(MintRun::New(request, signal));
    }

    /// Whether Cancel is offered: while a new mint checks, hashes or
    /// uploads, never once the wallet has been asked to send.
    pub fn can_cancel(self) -> bool {
        // The stage is read first, and always, so that a view asking this
        // is told when it changes.
        let uploading = matches!(
            self.stage.get(),
            Some(
                MintStage::CheckingContract
                    | MintStage::HashingAsset { .. }
                    | MintStage::UploadingAsset { .. }
                    | MintStage::UploadingMetadata
                    | MintStage::UploadRetrying(_)
            )
        );
        uploading && self.cancel.with_value(Option::is_some)
    }

    /// The creator pressed Cancel: the upload in flight is aborted and the
    /// mint ends with [`StorageError::Cancelled`]. Does nothing once the
    /// wallet has been asked.
    pub fn cancel(self) {
        if !self.can_cancel() {
            return;
        }
        if let Some(cancel) = self.cancel.get_value() {
            cancel.abort();
        }
    }

    /// The creator answered "Mint another copy?" with yes.
    pub fn mint_another_copy(self) {
        if let Some(mut request) = self.last_request.get_value() {
            request.another_copy = true;
            self.start(request);
        }
    }

    /// Carries on with an interrupted mint: sends one whose files are
    /// stored and that was never sent; otherwise tries the resume again
    /// (after the creator switched the wallet back, say).
    pub fn continue_waiting(self, waiting: WaitingMint) {
        if self.run.pending().get_untracked() {
            return;
        }
        self.error.set(None);
        self.minted.set(None);
        let id = waiting.record.id;
        self.cancel.set_value(None);
        self.waiting
            .update(|list| list.retain(|w| w.record.id != id));
        if waiting.can_send() {
            self.run
                .dispatch_local(MintRun::Send(Box::new(waiting.record)));
        } else {
            self.run
                .dispatch_local(MintRun::Resume(vec![waiting.record]));
        }
    }

    /// Forgets an interrupted mint.
    pub fn dismiss_waiting(self, id: u64) {
        journal_store::remove(id);
        self.waiting
            .update(|list| list.retain(|w| w.record.id != id));
    }

    /// A form error found before anything started.
    pub fn refuse(self, problem: MintError) {
        self.minted.set(None);
        self.error.set(Some(problem));
    }

    /// Whether closing the tab now could lose an upload or the transaction.
    pub fn at_risk(self) -> bool {
        self.run.pending().get_untracked()
    }
}

/// A split point: the packer, the storage providers and the upload
/// machinery load with the first mint, not with the app.
#[leptos::wasm_split::wasm_split(
    new_mint,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    preload(preload_new_mint)
)]
fn fetch_new_mint(
    request: MintRequest,
    cancel: AbortSignal,
    notices: NoticeSource,
    stage: RwSignal<Option<MintStage>>,
) -> Result<LocalRun<MintedToken, MintError>, MintError> {
    let follower = notices.follow(format!("Mint of “{}”", request.details.name.trim()));
    Ok(Box::pin(follower.follow(stage, move |report| {
        run_new(request, cancel, move |stage| report(stage))
    })))
}

impl NoticedStage for MintStage {
    fn notice(&self) -> StageNotice<'_> {
        match self {
            MintStage::AwaitingSignature => StageNotice::AwaitingSignature,
            MintStage::Sent { hash, status } => StageNotice::Sent(*hash, status),
            _ => StageNotice::Unchanged,
        }
    }
}

/// A new mint, from the contract check to the receipt.
async fn run_new(
    request: MintRequest,
    cancel: AbortSignal,
    report: impl Fn(MintStage) + Clone + 'static,
) -> Result<MintedToken, MintError> {
    let MintRequest {
        file,
        preview,
        details,
        storage_provider,
        storage_endpoints,
        api_token,
        target,
        another_copy,
    } = request;
    // Before uploading: an address that is not an ERC-721 would only fail
    // after the upload and the gas were spent.
    report(MintStage::CheckingContract);
    ensure_erc721(target.chain_id, target.contract).await?;
    let fingerprint = upload_fingerprint(&file, preview.as_ref(), &details);
    let journal = journal_store::load();
    if !another_copy {
        if let Some(earlier) = journal.earlier_mint(&fingerprint, target.chain_id, target.contract)
        {
            return Err(MintError::EarlierMint {
                token_id: match earlier.state {
                    MintState::Minted { token_id, .. } => Some(token_id),
                    _ => None,
                },
                transaction: earlier.transaction.map(|sent| sent.hash),
            });
        }
    }

    let mut record = new_record(fingerprint, &target, &details, &file);
    let storage_endpoint = storage_endpoints.api.clone();
    let storage = ChosenStorage::new(storage_provider, &storage_endpoints, api_token)?
        .cancelled_by(cancel.clone());
    let earlier_upload = journal
        .reusable_uploads(&record.file_fingerprint, &storage_endpoint)
        .and_then(uploaded_of);
    let uploaded = match earlier_upload {
        Some(uploaded) if still_stored(&uploaded, &storage).await? => uploaded,
        _ => {
            journal_store::save(&record);
            match upload_nft(&file, preview.as_ref(), &details, &storage, report.clone()).await {
                Ok(uploaded) => uploaded,
                Err(MintError::Storage(StorageError::Cancelled)) => {
                    record.state = MintState::Stopped {
                        reason: StorageError::Cancelled.to_string(),
                    };
                    journal_store::save(&record);
                    return Err(StorageError::Cancelled.into());
                }
                Err(problem) => return Err(problem),
            }
        }
    };
    // Cancel pressed while the contract was checked, with the files reused
    // from an earlier upload: no upload saw it, so it is honoured here.
    if cancel.aborted() {
        return Err(StorageError::Cancelled.into());
    }
    // Past here nothing can be cancelled: the wallet is asked next.
    record.asset = Some(uploaded.asset);
    record.preview = uploaded.preview;
    record.metadata = Some(uploaded.metadata);
    journal_store::save(&record);
    send_mint(&mut record, &journal_store::save, report).await
}

fn new_record(
    file_fingerprint: String,
    target: &MintTarget,
    details: &MintDetails,
    file: &File,
) -> MintRecord {
    MintRecord {
        id: js_sys::Date::now() as u64,
        file_fingerprint,
        chain_id: target.chain_id,
        contract: target.contract,
        account: target.account.clone(),
        owner: details.owner,
        name: details.name.clone(),
        description: details.description.clone(),
        external_url: details.external_url.clone(),
        attributes: details.attributes.clone(),
        asset_media_type: file.type_(),
        asset: None,
        preview: None,
        metadata: None,
        signing_block: None,
        transaction: None,
        state: MintState::Uploading,
    }
}

fn uploaded_of(record: &MintRecord) -> Option<UploadedNft> {
    Some(UploadedNft {
        asset: record.asset.clone()?,
        preview: record.preview.clone(),
        metadata: record.metadata.clone()?,
    })
}

/// A split point in the `transactions` module (see src/jobs.rs).
#[leptos::wasm_split::wasm_split(transactions, wasm_split_path = ::leptos::wasm_split, fallible)]
fn fetch_send_stored(
    record: MintRecord,
    notices: NoticeSource,
    stage: RwSignal<Option<MintStage>>,
) -> Result<LocalRun<MintedToken, MintError>, MintError> {
    let mut record = record;
    let follower = notices.follow(format!("Mint of “{}”", record.name.trim()));
    Ok(Box::pin(follower.follow(stage, move |report| async move {
        send_mint(&mut record, &journal_store::save, move |stage| {
            report(stage)
        })
        .await
    })))
}

/// A split point in the `transactions` module: a visit with nothing to
/// resume never loads it.
#[leptos::wasm_split::wasm_split(transactions, wasm_split_path = ::leptos::wasm_split, fallible)]
fn fetch_resume(
    records: Vec<MintRecord>,
    waiting: RwSignal<Vec<WaitingMint>>,
    notices: NoticeSource,
    stage: RwSignal<Option<MintStage>>,
) -> Result<LocalRun<Option<MintedToken>, MintError>, MintError> {
    let follower = notices.follow("Mint, resumed after a reload");
    Ok(Box::pin(follower.follow(stage, move |report| {
        resume(records, waiting, move |stage| report(stage))
    })))
}

/// The records a reload left unfinished, oldest first; in the
/// `transactions` module, with the journal's reader.
#[leptos::wasm_split::wasm_split(transactions, wasm_split_path = ::leptos::wasm_split, fallible)]
fn unfinished_mints() -> Result<Vec<MintRecord>, MintError> {
    Ok(journal_store::load().unfinished().cloned().collect())
}

/// Picks up records a reload interrupted: a sent transaction is watched,
/// never sent again; a record that was at the wallet is looked for on the
/// chain first; the rest wait for the creator.
async fn resume(
    records: Vec<MintRecord>,
    waiting: RwSignal<Vec<WaitingMint>>,
    report: impl Fn(MintStage) + Clone,
) -> Result<Option<MintedToken>, MintError> {
    let mut minted = None;
    let wallet_chain = read_chain_id().await.ok();
    for mut record in records {
        match record.resume(wallet_chain) {
            Some(Resume::Follow) => {
                // `Follow` is only planned for a record that holds its transaction.
                if let Some(sent) = record.transaction {
                    let token =
                        follow_mint(&mut record, sent, &journal_store::save, report.clone())
                            .await?;
                    minted = Some(token);
                }
            }
            Some(Resume::LookOnChain) => match find_sent_mint(&record).await? {
                Some(token) => {
                    record.state = MintState::Minted {
                        token_id: token.token_id,
                        hash: token.hash,
                    };
                    journal_store::save(&record);
                    minted = Some(token);
                }
                None => waiting.update(|list| {
                    list.push(WaitingMint {
                        record,
                        waits_for: Resume::AskCreator,
                    })
                }),
            },
            Some(waits_for @ (Resume::AskCreator | Resume::WaitForChain)) => {
                waiting.update(|list| list.push(WaitingMint { record, waits_for }))
            }
            None => {}
        }
    }
    Ok(minted)
}

/// Whether an interrupted record can be minted without its file.
pub fn files_stored(record: &MintRecord) -> bool {
    record.metadata.is_some() && record.asset.is_some()
}
