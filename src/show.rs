//! Minty's `show <id>` for the token page: the owner and tokenURI from the
//! contract, the metadata through the gateway, and the asset's preview.
//! Everything read here is untrusted: anyone can mint any tokenURI.

use ethers_core::types::Address;
use thiserror::Error;

use crate::blob_pack::blob_of_bytes;
use crate::chain::ChainReader;
use crate::eth::minty_abi::{
    decode_address, decode_string, owner_of_call, token_uri_call, AbiError, RevertReason,
};
use crate::eth::rpc::ChainError;
use crate::gateway::{content_type, fetch_capped, GatewayError, Overflow};
use crate::ipfs::file_reader::ReadBudget;
use crate::ipfs::resolve::ResolveError;
use crate::ipfs::uri::{
    classify_untrusted_link, raw_block_url, IpfsPath, SafeLink, UriError, RAW_BLOCK_MEDIA_TYPE,
};
use crate::ipfs::verified_read::{ReadStep, SupplyError, VerifiedRead, MAX_BLOCK_BYTES};
use crate::nft::media::{
    blob_media_type, media_kind, text_preview, BlobMediaType, MediaKind, TEXT_PREVIEW_BYTES,
};
use crate::nft::metadata::{MetadataError, NftMetadata, MAX_METADATA_BYTES};
use crate::nft::token_id::{TokenId, TokenIdError};
use crate::settings::chains::chain_label;
use crate::settings::Settings;
use crate::svg_raster::svg_to_png;

/// Why a token could not be shown at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ShowError {
    #[error(transparent)]
    InvalidId(#[from] TokenIdError),
    #[error("No such token: token {0} has not been minted on this contract.")]
    NoSuchToken(TokenId),
    #[error("No Minty contract is configured for {}: set its address in Settings.", .chain_id.map_or_else(|| "any chain".to_owned(), chain_label))]
    NoContract { chain_id: Option<u64> },
    #[error("Nothing answered at {contract:?} on this chain: check the Minty contract address and the chain in Settings.")]
    NotMinty { contract: Address },
    #[error(transparent)]
    Chain(#[from] ChainError),
    #[error("The contract's answer could not be read ({0}): check that the contract address in Settings is a Minty contract.")]
    Abi(#[from] AbiError),
}

/// Why the metadata document could not be read; the token is still shown.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MetadataProblem {
    #[error("The metadata was not loaded: its link is not followed.")]
    Link(#[from] UriError),
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error("The metadata document is not valid NFT metadata: {0}.")]
    Invalid(#[from] MetadataError),
    #[error(transparent)]
    Unverifiable(#[from] VerifyError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub fields: NftMetadata,
    /// The document as served, for people who want to read it whole.
    pub json: String,
    /// Every block of it was checked against the CID in the tokenURI.
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: TokenId,
    pub owner: Address,
    pub token_uri: String,
    pub metadata: Result<Metadata, MetadataProblem>,
}

/// Reads token `id_text` (as written in the page's address).
pub async fn show_token(
    id_text: &str,
    settings: &Settings,
    wallet_chain: Option<u64>,
) -> Result<TokenRecord, ShowError> {
    let id: TokenId = id_text.parse()?;
    let contract = settings.contract().ok_or(ShowError::NoContract {
        chain_id: settings.chain_id,
    })?;
    let chain = ChainReader::new(settings, wallet_chain)?;
    let call = |data: Vec<u8>| {
        let chain = chain.clone();
        async move {
            match chain.eth_call(contract, &data).await {
                // OpenZeppelin 5's ownerOf and tokenURI revert this way.
                Err(ChainError::Reverted(RevertReason::NonexistentToken(_))) => {
                    Err(ShowError::NoSuchToken(id))
                }
                // An address without code "returns" nothing at all.
                Ok(bytes) if bytes.is_empty() => Err(ShowError::NotMinty { contract }),
                other => Ok(other?),
            }
        }
    };
    let owner = decode_address(&call(owner_of_call(id.0)).await?)?;
    let token_uri = decode_string(&call(token_uri_call(id.0)).await?)?;
    let metadata = load_metadata(&token_uri, &settings.gateway).await;
    Ok(TokenRecord {
        id,
        owner,
        token_uri,
        metadata,
    })
}

async fn load_metadata(token_uri: &str, gateway: &str) -> Result<Metadata, MetadataProblem> {
    let link = classify_untrusted_link(token_uri)?;
    let verified = match &link {
        SafeLink::Ipfs(address) => {
            fetch_verified(address, gateway, MAX_METADATA_BYTES as u64).await?
        }
        SafeLink::Web(_) => None,
    };
    let (bytes, verified) = match verified {
        Some(bytes) => (bytes, true),
        None => {
            let url = link.fetch_url(gateway);
            (
                fetch_capped(&url, MAX_METADATA_BYTES, Overflow::Refuse)
                    .await?
                    .bytes,
                false,
            )
        }
    };
    Ok(Metadata {
        fields: NftMetadata::parse(&bytes)?,
        json: String::from_utf8_lossy(&bytes).into_owned(),
        verified,
    })
}

/// Assets up to this size are fetched block by block and checked before they
/// are shown; larger ones are shown from the gateway, marked unchecked.
const MAX_VERIFIED_ASSET_BYTES: u64 = 16 << 20;

/// Why a checked fetch did not give the file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error(
        "The gateway returned bytes that do not match the CID {cid}: it altered the content, so nothing it \
         serves can be trusted. Choose another gateway in Settings."
    )]
    Altered { cid: String },
    #[error("The file is {0} bytes, more than this page checks.")]
    TooLarge(u64),
    #[error("The IPFS address does not lead to a file: {0}.")]
    NotAFile(String),
    #[error("The file's blocks do not add up, so it is not shown: {0}.")]
    Malformed(String),
}

impl From<SupplyError> for VerifyError {
    fn from(error: SupplyError) -> Self {
        match error {
            SupplyError::Altered(block) => VerifyError::Altered {
                cid: block.cid().to_string(),
            },
            SupplyError::FetchedTooMuch { fetched, .. } => VerifyError::TooLarge(fetched),
            other => VerifyError::Malformed(other.to_string()),
        }
    }
}

impl From<ResolveError> for VerifyError {
    fn from(error: ResolveError) -> Self {
        match error {
            ResolveError::TooLarge { size, .. } => VerifyError::TooLarge(size),
            ResolveError::NotADirectory { .. }
            | ResolveError::NoSuchEntry { .. }
            | ResolveError::IsADirectory { .. } => VerifyError::NotAFile(error.to_string()),
            other => VerifyError::Malformed(other.to_string()),
        }
    }
}

/// Reads an IPFS file block by block as raw blocks (`?format=raw`, the
/// trustless gateway answer); `VerifiedRead` checks each against its CID
/// and keeps the walk within a budget of `limit` bytes, so a gateway can
/// neither swap the content nor make the page fetch without end. `Ok(None)`
/// when the gateway does not serve raw blocks: the caller then fetches
/// unverified, and says so.
async fn fetch_verified(
    address: &IpfsPath,
    gateway: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, VerifyError> {
    let mut read = VerifiedRead::new(address.clone(), ReadBudget::new(limit));
    loop {
        let cid = match read.step()? {
            ReadStep::Done(bytes) => return Ok(Some(bytes)),
            ReadStep::Fetch(cid) => cid,
        };
        let url = raw_block_url(gateway, &cid);
        let fetched = fetch_capped(&url, MAX_BLOCK_BYTES, Overflow::Refuse).await?;
        let is_raw_block = fetched
            .content_type
            .as_deref()
            .is_some_and(|media_type| media_type.starts_with(RAW_BLOCK_MEDIA_TYPE));
        if !is_raw_block {
            return Ok(None);
        }
        read.supply(cid, fetched.bytes)?;
    }
}

/// How the page previews an asset; every URL came through
/// `classify_untrusted_link`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    Image {
        url: String,
    },
    Video {
        url: String,
    },
    Audio {
        url: String,
    },
    Text {
        text: String,
        truncated: bool,
    },
    Download {
        url: String,
        media_type: Option<String>,
    },
    Unavailable {
        url: String,
        reason: String,
    },
}

/// A preview, and whether its bytes were checked against their CID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetPreview {
    pub preview: Preview,
    pub verified: bool,
}

/// Previews the asset. An IPFS asset small enough is fetched as raw blocks
/// and checked against its CID, then shown from the checked bytes; anything
/// else is shown from the gateway, marked unchecked.
pub async fn preview_asset(link: &SafeLink, gateway: &str) -> AssetPreview {
    let url = link.fetch_url(gateway);
    let path = match link {
        SafeLink::Ipfs(address) => address.file_name().unwrap_or_default(),
        SafeLink::Web(url) => url.as_str(),
    };
    if let SafeLink::Ipfs(address) = link {
        match fetch_verified(address, gateway, MAX_VERIFIED_ASSET_BYTES).await {
            Ok(Some(bytes)) => {
                // The gateway's word decides how to show the bytes, not
                // whether they are the asset: the CID settled that.
                let media_type = content_type(&url).await.ok().flatten();
                if let Some(preview) =
                    checked_preview(&bytes, media_type.as_deref(), path, &url).await
                {
                    return AssetPreview {
                        preview,
                        verified: true,
                    };
                }
            }
            // No raw blocks, or too large to check here: shown unchecked.
            Ok(None) | Err(VerifyError::TooLarge(_)) => {}
            Err(error) => {
                return AssetPreview {
                    preview: Preview::Unavailable {
                        url,
                        reason: error.to_string(),
                    },
                    verified: false,
                }
            }
        }
    }
    AssetPreview {
        preview: unchecked_preview(url, path).await,
        verified: false,
    }
}

/// A preview of bytes already checked. An image, a video or audio is shown
/// through a `blob:` URL of its own, typed from the allowlist, an SVG only
/// once drawn as a PNG; `None` when the bytes cannot be shown that way, and
/// the gateway's URL is shown instead, unchecked.
async fn checked_preview(
    bytes: &[u8],
    media_type: Option<&str>,
    path: &str,
    url: &str,
) -> Option<Preview> {
    let kind = media_kind(media_type, path);
    match kind {
        MediaKind::Text => {
            let truncated = bytes.len() > TEXT_PREVIEW_BYTES;
            let shown = &bytes[..bytes.len().min(TEXT_PREVIEW_BYTES)];
            return Some(Preview::Text {
                text: text_preview(shown, truncated),
                truncated,
            });
        }
        // A download keeps the gateway URL, whose name the browser uses.
        MediaKind::Other => {
            return Some(Preview::Download {
                url: url.to_owned(),
                media_type: media_type.map(str::to_owned),
            })
        }
        MediaKind::Image | MediaKind::Video | MediaKind::Audio => {}
    }
    let blob = match blob_media_type(media_type, path) {
        BlobMediaType::Allowed(blob_type) => blob_of_bytes(bytes, Some(blob_type)),
        BlobMediaType::Svg => svg_to_png(bytes).await.ok(),
        BlobMediaType::Refused => None,
    }?;
    let Some(blob_url) = web_sys::Url::create_object_url_with_blob(&blob).ok() else {
        return Some(Preview::Unavailable {
            url: url.to_owned(),
            reason: "The browser could not hold the checked file for display.".to_owned(),
        });
    };
    Some(match kind {
        MediaKind::Video => Preview::Video { url: blob_url },
        MediaKind::Audio => Preview::Audio { url: blob_url },
        _ => Preview::Image { url: blob_url },
    })
}

/// Asks the gateway what the asset is, and for text, its first bytes.
async fn unchecked_preview(url: String, path: &str) -> Preview {
    let media_type = match content_type(&url).await {
        Ok(media_type) => media_type,
        Err(error @ GatewayError::Status { .. }) => {
            return Preview::Unavailable {
                url,
                reason: error.to_string(),
            }
        }
        // Some servers refuse HEAD or hide it from other origins; the
        // file name then decides.
        Err(_) => None,
    };
    match media_kind(media_type.as_deref(), path) {
        MediaKind::Image => Preview::Image { url },
        MediaKind::Video => Preview::Video { url },
        MediaKind::Audio => Preview::Audio { url },
        MediaKind::Text => match fetch_capped(&url, TEXT_PREVIEW_BYTES, Overflow::Truncate).await {
            Ok(fetched) => Preview::Text {
                text: text_preview(&fetched.bytes, fetched.truncated),
                truncated: fetched.truncated,
            },
            Err(error) => Preview::Unavailable {
                url,
                reason: error.to_string(),
            },
        },
        MediaKind::Other => Preview::Download { url, media_type },
    }
}
