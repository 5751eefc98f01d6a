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
use crate::ipfs::uri::{classify_untrusted_link, SafeLink, UriError};
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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub fields: NftMetadata,
    /// The document as served, for people who want to read it whole.
    pub json: String,
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
    let url = classify_untrusted_link(token_uri)?.fetch_url(gateway);
    let document = fetch_capped(&url, MAX_METADATA_BYTES, Overflow::Refuse).await?;
    Ok(Metadata {
        fields: NftMetadata::parse(&document.bytes)?,
        json: String::from_utf8_lossy(&document.bytes).into_owned(),
    })
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
