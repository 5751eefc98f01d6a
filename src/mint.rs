//! Minting, Minty's `mint <file> --name --description --owner` in the
//! browser: pack the asset and upload it (as a CAR, or as the file itself
//! to a provider that computes the CID, which must match), build and upload
//! the EIP-721 metadata the same way, then have the wallet sign `mintToken`.
//! Uploads and the transaction are separate steps, so a rejected signature
//! is retried without uploading again. Each step is written to the mint
//! journal (`crate::nft::mint_journal`) before the next begins, so a reload
//! resumes where the mint was and never sends a transaction twice.

use cid::Cid;
use ethers_core::types::{Address, H256, U256};
use thiserror::Error;
use web_sys::{Blob, File};

use crate::blob_pack::{blob_of_bytes, pack_blob, PackError};
use crate::code_split::{code_not_loaded_is, CodeNotLoaded};
use crate::eth::minty_abi::RevertReason;
use crate::eth::minty_abi::{
    decode_string, decode_transfer, mint_token_call, minted_token_id, token_uri_call,
};
use crate::eth::transaction_watch::{
    mints_to_owner_filter, replaced_mint, ReplacedMint, SentTransaction,
};
use crate::ipfs::profile::NFT_STORAGE;
use crate::ipfs::uri::{IpfsPath, UriError};
use crate::nft::metadata::METADATA_FILE_NAME;
use crate::nft::mint_details::{MintDetails, MintFormError};
use crate::nft::mint_journal::{MintRecord, MintState, StoredRoot};
use crate::storage::retry::RetryNotice;
use crate::storage::{FileUpload, StorageError, StorageProvider, StoredAs};
use crate::wallet::contract_check::{ensure_erc721, ContractError};
use crate::wallet::transactions::{
    block_number, call, read_until_answered, send, transfers_with_senders, watch, SendError,
    Settled, TransactionRequest, WatchStatus,
};

/// Where a mint is, for the progress display.
#[derive(Debug, Clone)]
pub enum MintStage {
    /// Computing the asset's CID in the browser.
    HashingAsset {
        done: u64,
        total: u64,
    },
    UploadingAsset {
        done: u64,
        total: u64,
    },
    UploadingMetadata,
    /// An upload failed in a way that may pass next time; waiting to retry.
    UploadRetrying(RetryNotice),
    CheckingContract,
    AwaitingSignature,
    /// Sent: from here on the page names the transaction in every message.
    Sent {
        hash: H256,
        status: WatchStatus,
    },
    /// The transaction was replaced in the wallet; finding what the
    /// replacement did.
    Replaced,
}

#[derive(Debug, Clone, Error)]
pub enum MintError {
    /// Its code could not be fetched (src/code_split.rs).
    #[error(transparent)]
    CodeNotLoaded(#[from] CodeNotLoaded),
    #[error(transparent)]
    Form(#[from] MintFormError),
    #[error("The file could not be prepared ({0}): choose it again and retry.")]
    Pack(String),
    #[error("The file name \"{name}\" cannot be part of an IPFS address ({reason}): rename the file and try again.")]
    FileName { name: String, reason: UriError },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Contract(#[from] ContractError),
    #[error("{0} No transaction was sent; your files are already uploaded, so trying again will not upload them again.")]
    NotSent(SendError),
    #[error("The mint transaction {hash:?} was mined and reverted: {reason}. It created no token; your files are already uploaded, so you can try again without uploading them.")]
    Reverted { hash: H256, reason: RevertReason },
    #[error("The mint transaction {hash:?} was cancelled in your wallet: the transaction that replaced it created no token. Your files are already uploaded, so you can try again without uploading them.")]
    Cancelled { hash: H256 },
    #[error("The transaction {0:?} was mined but logged no new token; is the contract address really a Minty contract?")]
    NoTokenMinted(H256),
    #[error("{}", earlier_mint_sentence(.token_id.as_ref(), .transaction.as_ref()))]
    EarlierMint {
        token_id: Option<U256>,
        transaction: Option<H256>,
    },
}

fn earlier_mint_sentence(token_id: Option<&U256>, transaction: Option<&H256>) -> String {
    match (token_id, transaction) {
        (Some(id), _) => format!(
            "This file, with this name, description and attributes, was already minted as token #{id} on this contract. Mint another copy?"
        ),
        (None, Some(hash)) => format!(
            "A mint of this file, with this name, description and attributes, is already pending in transaction {hash:?}. Mint another copy?"
        ),
        (None, None) => "This file, with this name, description and attributes, was already sent to your wallet to mint. Mint another copy?".to_owned(),
    }
}

impl From<PackError> for MintError {
    fn from(error: PackError) -> Self {
        MintError::Pack(error.to_string())
    }
}

/// The asset, its preview and the metadata once stored: everything the
/// transaction needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedNft {
    pub asset: StoredRoot,
    pub preview: Option<StoredRoot>,
    pub metadata: StoredRoot,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintedToken {
    pub token_id: U256,
    pub hash: H256,
    pub owner: Address,
    pub asset_uri: String,
    pub metadata_uri: String,
}

/// A fingerprint of the inputs an upload was made from: the files, and
/// everything typed that goes into the metadata, attributes included, so
/// "already minted" means the same token.
pub fn upload_fingerprint(file: &File, preview: Option<&File>, form: &MintDetails) -> String {
    let identify = |file: &File| {
        format!(
            "{}\u{0}{}\u{0}{}",
            file.name(),
            file.size(),
            file.last_modified()
        )
    };
    format!(
        "{}\u{0}{}\u{0}{}",
        identify(file),
        preview.map(identify).unwrap_or_default(),
        form.metadata_fingerprint()
    )
}

/// Packs a file wrapped in a directory that keeps its name, uploads it, and
/// returns where it is stored: `ipfs://<dir>/<name>` (the name
/// percent-encoded so that `#` or `?` in it cannot cut the URI short), or
/// `ipfs://<file>` from a provider that stored the file on its own.
async fn store_file(
    file: &Blob,
    name: &str,
    media_type: &str,
    storage: &impl StorageProvider,
    // Trait objects, not generics: each distinct closure would otherwise
    // compile its own copy of the whole pack-and-upload path, ~25 kB of
    // wasm per copy.
    on_hashing: &mut dyn FnMut(u64, u64),
    on_upload: Box<dyn FnMut(u64, u64)>,
    on_retry: &dyn Fn(RetryNotice),
) -> Result<StoredRoot, MintError> {
    let packed = pack_blob(file, Some(name), NFT_STORAGE, on_hashing).await?;
    // Checked before the upload, so a name no URI can carry costs nothing.
    let in_directory =
        IpfsPath::new(packed.root, [name]).map_err(|reason| MintError::FileName {
            name: name.to_owned(),
            reason,
        })?;
    let upload = FileUpload {
        file,
        name,
        media_type,
        car: &packed.car,
        root: &packed.root,
        file_cid: &packed.file,
        car_parts: &packed.car_parts,
    };
    let (cid, uri) = match storage.upload(&upload, on_upload, on_retry).await? {
        StoredAs::InDirectory => (packed.root, in_directory.to_uri()),
        StoredAs::BareFile => (packed.file, IpfsPath::root(packed.file).to_uri()),
    };
    Ok(StoredRoot {
        cid: cid.to_string(),
        uri,
        endpoint: storage.endpoint().to_owned(),
    })
}

/// Packs and uploads the asset (and its preview image, if any), then its
/// metadata; each CAR's root is computed here first, and a service that
/// stores anything else is refused.
pub async fn upload_nft(
    file: &File,
    preview: Option<&File>,
    form: &MintDetails,
    storage: &impl StorageProvider,
    report: impl Fn(MintStage) + Clone + 'static,
) -> Result<UploadedNft, MintError> {
    let (hashing, uploading) = (report.clone(), report.clone());
    let retrying = |notice| report(MintStage::UploadRetrying(notice));
    let asset = store_file(
        file,
        &file.name(),
        &file.type_(),
        storage,
        &mut move |done, total| hashing(MintStage::HashingAsset { done, total }),
        Box::new(move |done, total| uploading(MintStage::UploadingAsset { done, total })),
        &retrying,
    )
    .await?;

    report(MintStage::UploadingMetadata);
    let preview = match preview {
        Some(image) => Some(
            store_file(
                image,
                &image.name(),
                &image.type_(),
                storage,
                &mut |_, _| {},
                Box::new(|_, _| {}),
                &retrying,
            )
            .await?,
        ),
        None => None,
    };
    let metadata = form.metadata(
        &asset.uri,
        &file.type_(),
        preview.as_ref().map(|root| root.uri.as_str()),
    );
    let metadata_blob = blob_of_bytes(&metadata.to_json(), Some("application/json"))
        .ok_or_else(|| MintError::Pack("the browser could not hold the metadata".into()))?;
    let metadata = store_file(
        &metadata_blob,
        METADATA_FILE_NAME,
        "application/json",
        storage,
        &mut |_, _| {},
        Box::new(|_, _| {}),
        &retrying,
    )
    .await?;
    Ok(UploadedNft {
        asset,
        preview,
        metadata,
    })
}

/// Whether the service still holds every root of an earlier upload.
pub async fn still_stored(
    uploaded: &UploadedNft,
    storage: &impl StorageProvider,
) -> Result<bool, MintError> {
    let roots = [
        Some(&uploaded.asset),
        uploaded.preview.as_ref(),
        Some(&uploaded.metadata),
    ];
    for root in roots.into_iter().flatten() {
        let Ok(cid) = root.cid.parse::<Cid>() else {
            return Ok(false);
        };
        if !storage.is_stored(&cid).await? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Where a mint goes: the chain, contract and account the job started
/// with, which must still hold when the transaction is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintTarget {
    pub chain_id: u64,
    pub contract: Address,
    /// The account exactly as the wallet spells it.
    pub account: String,
}

/// The `mintToken` transaction a record asks for.
fn mint_request(record: &MintRecord) -> Result<TransactionRequest, MintError> {
    let metadata_path = record
        .metadata_path()
        .ok_or_else(|| MintError::Pack("the metadata was not stored".into()))?;
    Ok(TransactionRequest {
        chain_id: record.chain_id,
        from: record.account.clone(),
        to: Some(record.contract),
        // The contract prefixes "ipfs://" itself, as Minty's does.
        data: mint_token_call(record.owner, metadata_path),
    })
}

fn minted_from(record: &MintRecord, token_id: U256, hash: H256) -> MintedToken {
    MintedToken {
        token_id,
        hash,
        owner: record.owner,
        asset_uri: record
            .asset
            .as_ref()
            .map(|root| root.uri.clone())
            .unwrap_or_default(),
        metadata_uri: record
            .metadata
            .as_ref()
            .map(|root| root.uri.clone())
            .unwrap_or_default(),
    }
}

/// Signs and sends `mintToken(owner, "<cid>/metadata.json")` for a record
/// whose files are stored, and follows it until it settles. `save` writes
/// the record to the journal; it is called before the wallet is asked and
/// as soon as the hash is known.
pub async fn send_mint(
    record: &mut MintRecord,
    save: &impl Fn(&MintRecord),
    report: impl Fn(MintStage) + Clone,
) -> Result<MintedToken, MintError> {
    // Cached after the first check, so this costs nothing on the usual path.
    ensure_erc721(record.chain_id, record.contract).await?;
    let request = mint_request(record)?;
    report(MintStage::AwaitingSignature);
    let send_block = block_number()
        .await
        .map_err(|problem| MintError::NotSent(problem.into()))?;
    record.signing_block = Some(send_block);
    record.state = MintState::Signing;
    save(record);
    let sent = match send(&request, send_block).await {
        Ok(sent) => sent,
        Err(problem) => {
            record.state = MintState::Stopped {
                reason: problem.to_string(),
            };
            save(record);
            return Err(MintError::NotSent(problem));
        }
    };
    record.transaction = Some(sent);
    record.state = MintState::Sent;
    save(record);
    follow_mint(record, sent, save, report).await
}

/// Follows a record's sent transaction to its token, through replacement
/// and retries, and writes how it ended to the journal.
pub async fn follow_mint(
    record: &mut MintRecord,
    mut sent: SentTransaction,
    save: &impl Fn(&MintRecord),
    report: impl Fn(MintStage) + Clone,
) -> Result<MintedToken, MintError> {
    let request = mint_request(record)?;
    let outcome = follow_sent(&mut sent, &request, record.contract, record.owner, report).await;
    record.transaction = Some(sent);
    record.state = match &outcome {
        Ok((hash, token_id)) => MintState::Minted {
            token_id: *token_id,
            hash: *hash,
        },
        Err(problem) => MintState::Stopped {
            reason: problem.to_string(),
        },
    };
    save(record);
    outcome.map(|(hash, token_id)| minted_from(record, token_id, hash))
}

async fn follow_sent(
    sent: &mut SentTransaction,
    request: &TransactionRequest,
    contract: Address,
    owner: Address,
    report: impl Fn(MintStage) + Clone,
) -> Result<(H256, U256), MintError> {
    let hash = sent.hash;
    report(MintStage::Sent {
        hash,
        status: WatchStatus::Pending { slow: false },
    });
    let watching = report.clone();
    let settled = watch(sent, request, move |sent, status| {
        watching(MintStage::Sent {
            hash: sent.hash,
            status,
        })
    })
    .await;
    match settled {
        Settled::Mined(receipt) => minted_token_id(
            contract,
            receipt
                .logs
                .iter()
                .map(|log| (log.address, log.topics.as_slice())),
        )
        .map(|token_id| (hash, token_id))
        .ok_or(MintError::NoTokenMinted(hash)),
        Settled::Reverted(reason) => Err(MintError::Reverted { hash, reason }),
        Settled::Replaced { nonce } => {
            report(MintStage::Replaced);
            let filter = mints_to_owner_filter(contract, owner, sent.send_block);
            let transfers = read_until_answered(
                || transfers_with_senders(filter.clone()),
                |status| report(MintStage::Sent { hash, status }),
            )
            .await;
            match replaced_mint(sent, nonce, owner, &transfers) {
                ReplacedMint::Minted {
                    replacement,
                    token_id,
                } => Ok((replacement, token_id)),
                ReplacedMint::Cancelled => Err(MintError::Cancelled { hash }),
            }
        }
    }
}

/// A record left in `Signing` by a reload: the wallet may have sent it. The
/// chain is asked for a token minted from this account with this metadata
/// since the signing block before anything is sent again.
pub async fn find_sent_mint(record: &MintRecord) -> Result<Option<MintedToken>, MintError> {
    let (Some(from_block), Some(metadata_path)) = (record.signing_block, record.metadata_path())
    else {
        return Ok(None);
    };
    let account: Address = record
        .account
        .parse()
        .map_err(|_| MintError::Form(MintFormError::Account(record.account.clone())))?;
    let filter = mints_to_owner_filter(record.contract, record.owner, from_block);
    let transfers = transfers_with_senders(filter)
        .await
        .map_err(|problem| MintError::NotSent(problem.into()))?;
    let wanted = format!("ipfs://{metadata_path}");
    for transfer in transfers.iter().filter(|t| t.transaction_from == account) {
        let Some(minted) = decode_transfer(&transfer.topics) else {
            continue;
        };
        let uri = call(record.contract, &token_uri_call(minted.token_id))
            .await
            .ok()
            .and_then(|answer| decode_string(&answer).ok());
        if uri.as_deref() == Some(wanted.as_str()) {
            return Ok(Some(minted_from(
                record,
                minted.token_id,
                transfer.transaction_hash,
            )));
        }
    }
    Ok(None)
}

code_not_loaded_is!(MintError);
