//! Minty's `show <id>` for the token page: the owner and tokenURI from the
//! contract, the metadata through the gateway, and the asset's preview.
//! Everything read here is untrusted: anyone can mint any tokenURI.

use ethers_core::types::Address;
use thiserror::Error;

use crate::chain::ChainReader;
use crate::eth::minty_abi::{
    decode_address, decode_string, owner_of_call, token_uri_call, AbiError, RevertReason,
};
use crate::eth::rpc::ChainError;
use crate::gateway::{content_type, fetch_capped, GatewayError, Overflow};
use crate::ipfs::resolve::{read_file, ResolveError, VerifiedBlocks};
use crate::ipfs::uri::{classify_untrusted_link, IpfsPath, SafeLink, UriError};
use crate::nft::media::{media_kind, text_preview, MediaKind, TEXT_PREVIEW_BYTES};
use crate::nft::metadata::{MetadataError, NftMetadata, MAX_METADATA_BYTES};
use crate::nft::token_id::{TokenId, TokenIdError};
use crate::settings::chains::chain_label;
use crate::settings::Settings;

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
    #[error(
        "The gateway returned bytes that do not match the CID {cid}: it altered the metadata, so nothing it \
         serves can be trusted. Choose another gateway in Settings."
    )]
    GatewayLied { cid: String },
    #[error("The metadata's IPFS address does not lead to a file: {0}.")]
    NotAFile(String),
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
        SafeLink::Ipfs(address) => fetch_verified(address, gateway).await?,
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

/// Largest raw block a gateway may answer with (the biggest profile's chunk,
/// plus room for a directory node).
const MAX_BLOCK_BYTES: usize = (1 << 20) + 64 * 1024;
/// Blocks fetched for one document at most, whatever a hostile DAG links to.
const MAX_BLOCKS: usize = 64;

/// Reads an IPFS file block by block as raw blocks (`?format=raw`, the
/// trustless gateway answer), checking each against its CID, so a gateway
/// cannot swap the content. `Ok(None)` when the gateway does not serve raw
/// blocks: the caller then fetches unverified, and says so.
async fn fetch_verified(
    address: &IpfsPath,
    gateway: &str,
) -> Result<Option<Vec<u8>>, MetadataProblem> {
    let mut blocks = VerifiedBlocks::default();
    for _ in 0..MAX_BLOCKS {
        match read_file(&blocks, &address.cid, &address.path) {
            Ok(bytes) if bytes.len() > MAX_METADATA_BYTES => {
                return Err(MetadataError::TooLarge(bytes.len()).into())
            }
            Ok(bytes) => return Ok(Some(bytes)),
            Err(ResolveError::MissingBlock(cid)) => {
                let root = IpfsPath {
                    cid,
                    path: String::new(),
                };
                let url = format!("{}?format=raw", root.gateway_url(gateway));
                let fetched = fetch_capped(&url, MAX_BLOCK_BYTES, Overflow::Refuse).await?;
                let is_raw_block = fetched
                    .content_type
                    .as_deref()
                    .is_some_and(|media_type| media_type.starts_with(RAW_BLOCK));
                if !is_raw_block {
                    return Ok(None);
                }
                blocks
                    .insert(cid, fetched.bytes)
                    .map_err(|_| MetadataProblem::GatewayLied {
                        cid: cid.to_string(),
                    })?;
                if blocks.bytes() > MAX_METADATA_BYTES + MAX_BLOCK_BYTES {
                    return Err(MetadataError::TooLarge(blocks.bytes()).into());
                }
            }
            Err(other) => return Err(MetadataProblem::NotAFile(other.to_string())),
        }
    }
    Err(MetadataProblem::NotAFile(format!(
        "it needs more than {MAX_BLOCKS} blocks"
    )))
}

/// The media type of a raw block answer (IPIP-402).
const RAW_BLOCK: &str = "application/vnd.ipld.raw";

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
        error: GatewayError,
    },
}

/// Asks the gateway what the asset is, and for text, its first bytes.
pub async fn preview_asset(link: &SafeLink, gateway: &str) -> Preview {
    let url = link.fetch_url(gateway);
    let path = match link {
        SafeLink::Ipfs(address) => address.path.as_str(),
        SafeLink::Web(url) => url.as_str(),
    };
    let media_type = match content_type(&url).await {
        Ok(media_type) => media_type,
        Err(error @ GatewayError::Status { .. }) => return Preview::Unavailable { url, error },
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
            Err(error) => Preview::Unavailable { url, error },
        },
        MediaKind::Other => Preview::Download { url, media_type },
    }
}
