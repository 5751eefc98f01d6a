//! Minting, Minty's `mint <file> --name --description --owner` in the
//! browser: pack the asset and upload it as a CAR, build and upload the
//! EIP-721 metadata the same way, then have the wallet sign `mintToken`.
//! Uploads and the transaction are separate steps, so a rejected signature
//! is retried without uploading again.

use cid::Cid;
use ethers_core::types::{Address, H256, U256};
use thiserror::Error;
use web_sys::{Blob, File};

use crate::blob_pack::{blob_of_bytes, pack_blob, PackError};
use crate::eth::minty_abi::RevertReason;
use crate::eth::minty_abi::{mint_token_call, minted_token_id};
use crate::eth::transaction_watch::{
    mints_to_owner_filter, replaced_mint, retry_delay, ReplacedMint, SentTransaction,
};
use crate::ipfs::profile::NFT_STORAGE;
use crate::nft::metadata::{NftMetadata, METADATA_FILE_NAME};
use crate::nft::mint_details::{MintDetails, MintFormError};
use crate::storage::{StorageError, StorageProvider};
use crate::wallet::contract_check::{ensure_erc721, ContractError};
use crate::wallet::transactions::{
    send, sleep, transfers_with_senders, watch, SendError, Settled, TransactionRequest, WatchStatus,
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
    CheckingContract,
    AwaitingSignature,
    /// Sent: from here on the page names the transaction in every message.
    Sent {
        hash: H256,
        status: WatchStatus,
    },
    /// The transaction was replaced in the wallet; finding what the
    /// replacement did.
    Replaced {
        hash: H256,
    },
}

#[derive(Debug, Clone, Error)]
pub enum MintError {
    #[error(transparent)]
    Form(#[from] MintFormError),
    #[error("The file could not be prepared: {0}")]
    Pack(String),
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
}

impl From<PackError> for MintError {
    fn from(error: PackError) -> Self {
        MintError::Pack(error.to_string())
    }
}

/// The asset and metadata once stored: everything the transaction needs.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadedNft {
    /// `ipfs://<dir>/<file name>`
    pub asset_uri: String,
    /// `ipfs://<dir>/metadata.json`
    pub metadata_uri: String,
    pub metadata_root: Cid,
    /// Identifies the file and text it was made from, so a retry reuses it.
    pub made_from: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MintedToken {
    pub token_id: U256,
    pub hash: H256,
    pub owner: Address,
    pub uploaded: UploadedNft,
}

/// A fingerprint of the inputs an upload was made from.
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
        "{}\u{0}{}\u{0}{}\u{0}{}",
        identify(file),
        preview.map(identify).unwrap_or_default(),
        form.name,
        form.description
    )
}

/// Packs a file wrapped in a directory that keeps its name, uploads it, and
/// returns `ipfs://<dir>/<name>`.
async fn store_file(
    file: &Blob,
    name: &str,
    storage: &impl StorageProvider,
    on_hashing: impl FnMut(u64, u64),
    on_upload: impl FnMut(u64, u64) + 'static,
) -> Result<(Cid, String), MintError> {
    let packed = pack_blob(file, Some(name), NFT_STORAGE, on_hashing).await?;
    storage
        .upload_car(&packed.car, &packed.root, on_upload)
        .await?;
    Ok((packed.root, format!("ipfs://{}/{name}", packed.root)))
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
    let (_, asset_uri) = store_file(
        file,
        &file.name(),
        storage,
        move |done, total| hashing(MintStage::HashingAsset { done, total }),
        move |done, total| uploading(MintStage::UploadingAsset { done, total }),
    )
    .await?;

    report(MintStage::UploadingMetadata);
    let preview_uri = match preview {
        Some(image) => Some(
            store_file(image, &image.name(), storage, |_, _| {}, |_, _| {})
                .await?
                .1,
        ),
        None => None,
    };
    let metadata = NftMetadata::for_asset(
        &form.name,
        &form.description,
        &asset_uri,
        &file.type_(),
        preview_uri.as_deref(),
    );
    let metadata_blob = blob_of_bytes(&metadata.to_json(), Some("application/json"))
        .ok_or_else(|| MintError::Pack("the browser could not hold the metadata".into()))?;
    let (metadata_root, metadata_uri) = store_file(
        &metadata_blob,
        METADATA_FILE_NAME,
        storage,
        |_, _| {},
        |_, _| {},
    )
    .await?;

    Ok(UploadedNft {
        asset_uri,
        metadata_uri,
        metadata_root,
        made_from: upload_fingerprint(file, preview, form),
    })
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

/// Checks the contract, then signs and sends
/// `mintToken(owner, "<cid>/metadata.json")`, and follows the transaction
/// until it settles: the Transfer-from-zero log names the new token.
pub async fn mint_token(
    uploaded: UploadedNft,
    owner: Address,
    target: &MintTarget,
    report: impl Fn(MintStage) + Clone,
) -> Result<MintedToken, MintError> {
    // Cached after the first check, so this costs nothing on the usual path.
    ensure_erc721(target.chain_id, target.contract).await?;
    // The contract prefixes "ipfs://" itself, as Minty's does.
    let metadata_path = format!("{}/{METADATA_FILE_NAME}", uploaded.metadata_root);
    let request = TransactionRequest {
        chain_id: target.chain_id,
        from: target.account.clone(),
        to: Some(target.contract),
        data: mint_token_call(owner, &metadata_path),
    };
    report(MintStage::AwaitingSignature);
    let mut sent = send(&request).await.map_err(MintError::NotSent)?;
    follow_mint(
        &mut sent,
        &request,
        target.contract,
        owner,
        uploaded,
        report,
    )
    .await
}

/// Follows a sent mint to its token, through replacement and retries.
pub async fn follow_mint(
    sent: &mut SentTransaction,
    request: &TransactionRequest,
    contract: Address,
    owner: Address,
    uploaded: UploadedNft,
    report: impl Fn(MintStage) + Clone,
) -> Result<MintedToken, MintError> {
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
    let (hash, token_id) = match settled {
        Settled::Mined(receipt) => {
            let token_id = minted_token_id(
                contract,
                receipt
                    .logs
                    .iter()
                    .map(|log| (log.address, log.topics.as_slice())),
            )
            .ok_or(MintError::NoTokenMinted(hash))?;
            (hash, token_id)
        }
        Settled::Reverted(reason) => return Err(MintError::Reverted { hash, reason }),
        Settled::Replaced { nonce } => {
            report(MintStage::Replaced { hash });
            match replacement_of(sent, nonce, contract, owner, &report).await {
                ReplacedMint::Minted {
                    replacement,
                    token_id,
                } => (replacement, token_id),
                ReplacedMint::Cancelled => return Err(MintError::Cancelled { hash }),
            }
        }
    };
    Ok(MintedToken {
        token_id,
        hash,
        owner,
        uploaded,
    })
}

/// What the transaction that took our nonce did; the logs are read again,
/// with backoff, until the wallet's node answers.
async fn replacement_of(
    sent: &SentTransaction,
    nonce: u64,
    contract: Address,
    owner: Address,
    report: &impl Fn(MintStage),
) -> ReplacedMint {
    let filter = mints_to_owner_filter(contract, owner, sent.send_block);
    let mut failures = 0;
    loop {
        match transfers_with_senders(filter.clone()).await {
            Ok(transfers) => return replaced_mint(sent, nonce, owner, &transfers),
            Err(problem) => {
                failures += 1;
                let retry_in = retry_delay(failures);
                report(MintStage::Sent {
                    hash: sent.hash,
                    status: WatchStatus::Unknown {
                        problem: problem.into(),
                        retry_in,
                    },
                });
                sleep(retry_in).await;
            }
        }
    }
}
