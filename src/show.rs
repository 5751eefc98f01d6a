//! Minty's `show <id>` for the token page: the owner and tokenURI from the
//! contract, the metadata through the gateway, and the asset's preview.
//! Everything read here is untrusted: anyone can mint any tokenURI.

use cid::Cid;
use ethers_core::types::Address;
use thiserror::Error;

use crate::blob_pack::blob_of_bytes;
use crate::chain::ChainReader;
use crate::eth::minty_abi::{
    decode_address, decode_string, owner_of_call, token_uri_call, AbiError, RevertReason,
};
use crate::eth::rpc::ChainError;
use crate::gateway::{content_type, fetch_capped, Fetched, GatewayError, Overflow};
use crate::gateway_plan::{GatewayPlan, Next};
use crate::ipfs::file_reader::ReadBudget;
use crate::ipfs::resolve::ResolveError;
use crate::ipfs::uri::{classify_untrusted_link, IpfsPath, SafeLink, UriError};
use crate::ipfs::verified_read::{ReadStep, SupplyError, VerifiedRead};
use crate::nft::media::{
    blob_media_type, media_kind, text_preview, BlobMediaType, MediaKind, TEXT_PREVIEW_BYTES,
};
use crate::nft::metadata::{MetadataError, NftMetadata, MAX_METADATA_BYTES};
use crate::nft::token_id::{TokenId, TokenIdError};
use crate::raw_blocks::{BlockFetchError, BlockFetcher, Refusal, PARALLEL_BLOCK_FETCHES};
use crate::settings::chains::chain_label;
use crate::settings::Settings;
use crate::svg_raster::svg_to_png;
use crate::wallet::transactions::sleep;

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
    /// The gateway that served it; `None` for a web URL.
    pub gateway: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// The Minty contract it was read from.
    pub contract: Address,
    pub id: TokenId,
    pub owner: Address,
    pub token_uri: String,
    pub metadata: Result<Metadata, MetadataProblem>,
}

/// The app's Minty contract on the app's chain, read the way
/// [`ChainReader`] chose: the wallet, or the RPC URL.
#[derive(Debug, Clone)]
pub struct MintyReader {
    pub chain: ChainReader,
    pub contract: Address,
}

impl MintyReader {
    pub fn new(settings: &Settings, wallet_chain: Option<u64>) -> Result<Self, ShowError> {
        let contract = settings.contract().ok_or(ShowError::NoContract {
            chain_id: settings.chain_id,
        })?;
        Ok(MintyReader {
            chain: ChainReader::new(settings, wallet_chain)?,
            contract,
        })
    }

    /// `eth_call` at the latest block. An address without code "returns"
    /// nothing at all, so an empty answer means there is no Minty there.
    pub async fn call(&self, data: &[u8]) -> Result<Vec<u8>, ShowError> {
        match self.chain.eth_call(self.contract, data).await? {
            bytes if bytes.is_empty() => Err(ShowError::NotMinty {
                contract: self.contract,
            }),
            bytes => Ok(bytes),
        }
    }
}

/// Reads token `id_text` (as written in the page's address).
pub async fn show_token(
    id_text: &str,
    settings: &Settings,
    wallet_chain: Option<u64>,
) -> Result<TokenRecord, ShowError> {
    let id: TokenId = id_text.parse()?;
    let minty = MintyReader::new(settings, wallet_chain)?;
    let contract = minty.contract;
    let call = |data: Vec<u8>| {
        let minty = minty.clone();
        async move {
            match minty.call(&data).await {
                // OpenZeppelin 5's ownerOf and tokenURI revert this way.
                Err(ShowError::Chain(ChainError::Reverted(RevertReason::NonexistentToken(_)))) => {
                    Err(ShowError::NoSuchToken(id))
                }
                other => other,
            }
        }
    };
    let owner = decode_address(&call(owner_of_call(id.0)).await?)?;
    let token_uri = decode_string(&call(token_uri_call(id.0)).await?)?;
    let metadata = load_metadata(&token_uri, GatewayPlan::new(settings.gateways())).await;
    Ok(TokenRecord {
        contract,
        id,
        owner,
        token_uri,
        metadata,
    })
}

pub async fn load_metadata(
    token_uri: &str,
    plan: GatewayPlan,
) -> Result<Metadata, MetadataProblem> {
    let link = classify_untrusted_link(token_uri)?;
    let verified = match &link {
        SafeLink::Ipfs(address) => {
            let mut plan = plan.clone();
            fetch_verified(address, &mut plan, MAX_METADATA_BYTES as u64)
                .await?
                .map(|bytes| (bytes, plan.current().map(str::to_owned)))
        }
        SafeLink::Web(_) => None,
    };
    let (bytes, gateway, verified) = match verified {
        Some((bytes, gateway)) => (bytes, gateway, true),
        None => {
            let (fetched, gateway) =
                fetch_unverified(&link, plan, MAX_METADATA_BYTES, Overflow::Refuse).await?;
            (fetched.bytes, gateway, false)
        }
    };
    Ok(Metadata {
        fields: NftMetadata::parse(&bytes)?,
        json: String::from_utf8_lossy(&bytes).into_owned(),
        verified,
        gateway,
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
/// neither swap the content nor make the page fetch without end. Each
/// block is asked of the gateways in `plan` in turn, with retries, and the
/// gateway that served the last block is left as its current one.
/// `Ok(None)` when no gateway serves raw blocks: the caller then fetches
/// unverified, and says so.
async fn fetch_verified(
    address: &IpfsPath,
    plan: &mut GatewayPlan,
    limit: u64,
) -> Result<Option<Vec<u8>>, VerifyError> {
    let mut read = VerifiedRead::new(address.clone(), ReadBudget::new(limit));
    let mut blocks = BlockFetcher::new(plan);
    let mut fetched_ahead_for = None;
    loop {
        let cid = match read.step()? {
            ReadStep::Done(bytes) => return Ok(Some(bytes)),
            ReadStep::Fetch(cid) => cid,
        };
        if fetched_ahead_for != Some(cid) {
            fetched_ahead_for = Some(cid);
            if fetch_ahead(&mut read, cid, &blocks).await? {
                continue;
            }
        }
        let taken = blocks
            .fetch(&cid, |bytes| {
                read.supply(cid, bytes).map_err(|error| match error {
                    SupplyError::Altered(_) => Refusal::Altered,
                    other => Refusal::Fatal(other),
                })
            })
            .await;
        match taken {
            Ok(()) => {}
            Err(BlockFetchError::Altered(cid)) => {
                return Err(VerifyError::Altered {
                    cid: cid.to_string(),
                })
            }
            Err(BlockFetchError::NoRawBlocks) => return Ok(None),
            Err(BlockFetchError::Gateway(error)) => return Err(error.into()),
            Err(BlockFetchError::Refused(error)) => return Err(error.into()),
        }
    }
}

/// Fetches `cid` and the blocks the walk wants after it together, and
/// supplies those that arrive as raw blocks; a block that fails here is
/// asked for again alone, through the gateway plan, which names what went
/// wrong. `Ok(false)` when there is nothing to fetch ahead.
async fn fetch_ahead(
    read: &mut VerifiedRead,
    cid: Cid,
    blocks: &BlockFetcher<'_>,
) -> Result<bool, VerifyError> {
    let batch = read.wanted(cid, PARALLEL_BLOCK_FETCHES);
    if batch.len() < 2 {
        return Ok(false);
    }
    let Some(answers) = blocks.fetch_together(&batch).await else {
        return Ok(false);
    };
    for (cid, answer) in batch.into_iter().zip(answers) {
        let Some(bytes) = answer else {
            continue;
        };
        match read.supply(cid, bytes) {
            Ok(()) | Err(SupplyError::Altered(_)) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(true)
}

/// GETs what `link` names from the first gateway in `plan` that serves it,
/// with retries; a web URL has one server, asked the same way. Returns the
/// gateway that answered (`None` for a web URL).
async fn fetch_unverified(
    link: &SafeLink,
    plan: GatewayPlan,
    limit: usize,
    overflow: Overflow,
) -> Result<(Fetched, Option<String>), GatewayError> {
    let mut plan = match link {
        SafeLink::Ipfs(_) => plan,
        SafeLink::Web(url) => GatewayPlan::new([url.as_str()]),
    };
    let mut failures = Vec::new();
    while let Some(gateway) = plan.current() {
        let url = link.fetch_url(gateway);
        match fetch_capped(&url, limit, overflow).await {
            Ok(fetched) => {
                let gateway = matches!(link, SafeLink::Ipfs(_)).then(|| gateway.to_owned());
                return Ok((fetched, gateway));
            }
            Err(error) => {
                let failure = error.failure();
                failures.push(error);
                if let Next::Retry(pause) = plan.failed(failure) {
                    sleep(pause).await;
                }
            }
        }
    }
    Err(GatewayError::from_failures(failures))
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
        reason: String,
    },
}

/// A preview, whether its bytes were checked against their CID, and the
/// gateway that served them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetPreview {
    pub preview: Preview,
    pub verified: bool,
    /// `None` for a web URL, or when no gateway answered.
    pub gateway: Option<String>,
}

/// Previews the asset. An IPFS asset small enough is fetched as raw blocks
/// and checked against its CID, then shown from the checked bytes; anything
/// else is shown from the gateway, marked unchecked. The gateways in `plan`
/// are asked in turn.
pub async fn preview_asset(link: &SafeLink, plan: GatewayPlan) -> AssetPreview {
    let path = match link {
        SafeLink::Ipfs(address) => address.file_name().unwrap_or_default(),
        SafeLink::Web(url) => url.as_str(),
    };
    if let SafeLink::Ipfs(address) = link {
        let mut verified_plan = plan.clone();
        match fetch_verified(address, &mut verified_plan, MAX_VERIFIED_ASSET_BYTES).await {
            Ok(Some(bytes)) => {
                let gateway = verified_plan.current().unwrap_or_default().to_owned();
                let url = link.fetch_url(&gateway);
                // The gateway's word decides how to show the bytes, not
                // whether they are the asset: the CID settled that.
                let media_type = content_type(&url).await.ok().flatten();
                if let Some(preview) =
                    checked_preview(&bytes, media_type.as_deref(), path, &url).await
                {
                    return AssetPreview {
                        preview,
                        verified: true,
                        gateway: Some(gateway),
                    };
                }
            }
            // No raw blocks, or too large to check here: shown unchecked.
            Ok(None) | Err(VerifyError::TooLarge(_)) => {}
            Err(error) => {
                return AssetPreview {
                    preview: Preview::Unavailable {
                        reason: error.to_string(),
                    },
                    verified: false,
                    gateway: None,
                }
            }
        }
    }
    let (preview, gateway) = unchecked_preview(link, plan, path).await;
    AssetPreview {
        preview,
        verified: false,
        gateway,
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
            reason: "The browser could not hold the checked file for display.".to_owned(),
        });
    };
    Some(match kind {
        MediaKind::Video => Preview::Video { url: blob_url },
        MediaKind::Audio => Preview::Audio { url: blob_url },
        _ => Preview::Image { url: blob_url },
    })
}

/// Asks the gateways what the asset is, and for text, its first bytes; the
/// first gateway that answers the question serves the preview.
async fn unchecked_preview(
    link: &SafeLink,
    plan: GatewayPlan,
    path: &str,
) -> (Preview, Option<String>) {
    let (url, media_type, gateway) = match media_type_from_gateways(link, plan).await {
        Ok(found) => found,
        Err((_, error)) => {
            let reason = error.to_string();
            return (Preview::Unavailable { reason }, None);
        }
    };
    let preview = match media_kind(media_type.as_deref(), path) {
        MediaKind::Image => Preview::Image { url },
        MediaKind::Video => Preview::Video { url },
        MediaKind::Audio => Preview::Audio { url },
        MediaKind::Text => match fetch_capped(&url, TEXT_PREVIEW_BYTES, Overflow::Truncate).await {
            Ok(fetched) => Preview::Text {
                text: text_preview(&fetched.bytes, fetched.truncated),
                truncated: fetched.truncated,
            },
            Err(error) => Preview::Unavailable {
                reason: error.to_string(),
            },
        },
        MediaKind::Other => Preview::Download { url, media_type },
    };
    (preview, gateway)
}

/// The asset's URL at the first gateway that answers a HEAD request for
/// it, with the media type it declares and the gateway (`None` for a web
/// URL). Some servers refuse HEAD or hide it from other origins: when no
/// gateway answered with an HTTP status or within its time, the first one
/// is used and the file name decides the type.
async fn media_type_from_gateways(
    link: &SafeLink,
    plan: GatewayPlan,
) -> Result<(String, Option<String>, Option<String>), (String, GatewayError)> {
    let mut plan = match link {
        SafeLink::Ipfs(_) => plan,
        SafeLink::Web(url) => GatewayPlan::new([url.as_str()]),
    };
    let first = plan.current().unwrap_or_default().to_owned();
    let named = |gateway: &str| matches!(link, SafeLink::Ipfs(_)).then(|| gateway.to_owned());
    let mut failures = Vec::new();
    // Whether a gateway is surely down or refusing, not just hiding HEAD.
    let mut surely_failed = false;
    while let Some(gateway) = plan.current() {
        let url = link.fetch_url(gateway);
        match content_type(&url).await {
            Ok(media_type) => return Ok((url, media_type, named(gateway))),
            Err(error) => {
                surely_failed |= !matches!(
                    error,
                    GatewayError::Unreachable { .. } | GatewayError::Interrupted { .. }
                );
                let failure = error.failure();
                failures.push(error);
                if let Next::Retry(pause) = plan.failed(failure) {
                    sleep(pause).await;
                }
            }
        }
    }
    let url = link.fetch_url(&first);
    if !surely_failed {
        return Ok((url, None, named(&first)));
    }
    Err((url, GatewayError::from_failures(failures)))
}
