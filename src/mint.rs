//! Minting, Minty's `mint <file> --name --description --owner` in the
//! browser: pack the asset and upload it as a CAR, build and upload the
//! EIP-721 metadata the same way, then have the wallet sign `mintToken`.
//! Uploads and the transaction are separate steps, so a rejected signature
//! is retried without uploading again.

use ethers_core::types::{Address, H256, U256};
use thiserror::Error;
use web_sys::{Blob, File};

use crate::blob_pack::{blob_of_bytes, pack_blob, PackError};
use crate::eth::minty_abi::{mint_token_call, minted_token_id};
use crate::ipfs::profile::NFT_STORAGE;
use crate::ipfs::uri::{IpfsPath, UriError};
use crate::nft::metadata::{NftMetadata, METADATA_FILE_NAME};
use crate::storage::{StorageError, StorageProvider};
use crate::wallet::transactions::{send_transaction, wait_for_receipt, TransactionError};

/// Where a mint is, for the progress display.
#[derive(Debug, Clone, PartialEq)]
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
    AwaitingSignature,
    Pending {
        hash: H256,
    },
}

#[derive(Debug, Clone, Error)]
pub enum MintError {
    #[error("The file could not be prepared: {0}")]
    Pack(String),
    #[error("The file name \"{name}\" cannot be part of an IPFS address ({reason}): rename the file and try again.")]
    FileName { name: String, reason: UriError },
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("{0} Nothing was minted; your files are already uploaded, so trying again will not upload them again.")]
    Transaction(TransactionError),
    #[error("The transaction {0:?} was mined but logged no new token; is the contract address really a Minty contract?")]
    NoTokenMinted(H256),
}

impl From<PackError> for MintError {
    fn from(error: PackError) -> Self {
        MintError::Pack(error.to_string())
    }
}

/// What the creator asked for; the asset bytes stay in the File.
#[derive(Debug, Clone, PartialEq)]
pub struct MintForm {
    pub name: String,
    pub description: String,
    pub owner: Address,
}

/// The asset and metadata once stored: everything the transaction needs.
#[derive(Debug, Clone, PartialEq)]
pub struct UploadedNft {
    /// `ipfs://<dir>/<file name>`
    pub asset_uri: String,
    /// `ipfs://<dir>/metadata.json`
    pub metadata_uri: String,
    pub metadata: IpfsPath,
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
pub fn upload_fingerprint(file: &File, preview: Option<&File>, form: &MintForm) -> String {
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
/// returns where it is, `ipfs://<dir>/<name>` with the name percent-encoded.
async fn store_file(
    file: &Blob,
    name: &str,
    storage: &impl StorageProvider,
    on_hashing: impl FnMut(u64, u64),
    on_upload: impl FnMut(u64, u64) + 'static,
) -> Result<IpfsPath, MintError> {
    let packed = pack_blob(file, Some(name), NFT_STORAGE, on_hashing).await?;
    // Checked before the upload, so a name no URI can carry costs nothing.
    let address = IpfsPath::new(packed.root, [name]).map_err(|reason| MintError::FileName {
        name: name.to_owned(),
        reason,
    })?;
    storage
        .upload_car(&packed.car, &packed.root, on_upload)
        .await?;
    Ok(address)
}

/// Packs and uploads the asset (and its preview image, if any), then its
/// metadata; each CAR's root is computed here first, and a service that
/// stores anything else is refused.
pub async fn upload_nft(
    file: &File,
    preview: Option<&File>,
    form: &MintForm,
    storage: &impl StorageProvider,
    report: impl Fn(MintStage) + Clone + 'static,
) -> Result<UploadedNft, MintError> {
    let (hashing, uploading) = (report.clone(), report.clone());
    let asset_uri = store_file(
        file,
        &file.name(),
        storage,
        move |done, total| hashing(MintStage::HashingAsset { done, total }),
        move |done, total| uploading(MintStage::UploadingAsset { done, total }),
    )
    .await?
    .to_uri();

    report(MintStage::UploadingMetadata);
    let preview_uri = match preview {
        Some(image) => Some(
            store_file(image, &image.name(), storage, |_, _| {}, |_, _| {})
                .await?
                .to_uri(),
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
    let metadata_address = store_file(
        &metadata_blob,
        METADATA_FILE_NAME,
        storage,
        |_, _| {},
        |_, _| {},
    )
    .await?;

    Ok(UploadedNft {
        asset_uri,
        metadata_uri: metadata_address.to_uri(),
        metadata: metadata_address,
        made_from: upload_fingerprint(file, preview, form),
    })
}

/// Signs and sends `mintToken(owner, "<cid>/metadata.json")` and waits for
/// the receipt, whose Transfer-from-zero log names the new token.
pub async fn mint_token(
    uploaded: UploadedNft,
    owner: Address,
    contract: Address,
    from: &str,
    report: impl Fn(MintStage),
) -> Result<MintedToken, MintError> {
    // The contract prefixes "ipfs://" itself, as Minty's does.
    let metadata_path = uploaded.metadata.cid_and_path();
    let data = mint_token_call(owner, &metadata_path);
    report(MintStage::AwaitingSignature);
    let hash = send_transaction(from, Some(contract), &data)
        .await
        .map_err(MintError::Transaction)?;
    report(MintStage::Pending { hash });
    let receipt = wait_for_receipt(hash, from, Some(contract), &data)
        .await
        .map_err(MintError::Transaction)?;
    let token_id = minted_token_id(
        contract,
        receipt
            .logs
            .iter()
            .map(|log| (log.address, log.topics.as_slice())),
    )
    .ok_or(MintError::NoTokenMinted(hash))?;
    Ok(MintedToken {
        token_id,
        hash,
        owner,
        uploaded,
    })
}
