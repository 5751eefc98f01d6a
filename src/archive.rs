//! The token archive's shell: its size from what its roots declare, then
//! the archive itself. Every block of the metadata's and the asset's DAGs
//! is fetched as a raw block through the gateway plan, checked against its
//! CID by the core's `DagExport`, and appended to a `Blob` in parts, so
//! however large the asset, wasm memory holds a few blocks at a time.
//! Saving hands the Blob to the browser as a download.

use cid::Cid;
use js_sys::{Array, Uint8Array};
use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement};

use crate::byte_size::human_bytes;
use crate::code_split::{code_not_loaded_is, CodeNotLoaded};
use crate::gateway::GatewayError;
use crate::gateway_plan::GatewayPlan;
use crate::ipfs::block::verify_block;
use crate::ipfs::car::{car_header, car_section_prefix};
use crate::ipfs::dag_export::{declared_size, DagExport, DeclaredSize, ExportError, ExportStep};
use crate::ipfs::Block;
use crate::nft::archive::{archive_budget, ArchiveSize, CAR_MEDIA_TYPE, MAX_ARCHIVE_BYTES};
use crate::raw_blocks::{BlockFetchError, BlockFetcher, Refusal, PARALLEL_BLOCK_FETCHES};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ArchiveError {
    /// Its code could not be fetched (src/code_split.rs).
    #[error(transparent)]
    CodeNotLoaded(#[from] CodeNotLoaded),
    #[error(
        "The gateway returned bytes that do not match the CID {cid}: it altered the content, so \
         the archive was not made. Choose another gateway in Settings, or add a fallback."
    )]
    Altered { cid: String },
    #[error(
        "No gateway serves raw blocks (?format=raw), so the archive's blocks cannot be checked \
         against their CIDs: add a trustless gateway, such as https://trustless-gateway.link/ipfs/, \
         in Settings."
    )]
    NoRawBlocks,
    #[error(transparent)]
    Gateway(#[from] GatewayError),
    #[error("This token's data declares {}, more than the {} an archive here holds.", human_bytes(*.declared), human_bytes(MAX_ARCHIVE_BYTES))]
    TooLarge { declared: u64 },
    #[error("The archive was refused: {0}.")]
    Refused(ExportError),
    #[error("The browser could not hold the archive: {0}.")]
    Browser(String),
}

impl ArchiveError {
    /// Whether asking again may go otherwise: the gateways may recover,
    /// while what the data declares or holds stays as it is.
    pub fn may_pass(&self) -> bool {
        !matches!(
            self,
            ArchiveError::TooLarge { .. } | ArchiveError::Refused(_)
        )
    }
}

impl From<BlockFetchError<ExportError>> for ArchiveError {
    fn from(error: BlockFetchError<ExportError>) -> Self {
        match error {
            BlockFetchError::Altered(cid) => ArchiveError::Altered {
                cid: cid.to_string(),
            },
            BlockFetchError::NoRawBlocks => ArchiveError::NoRawBlocks,
            BlockFetchError::Gateway(error) => ArchiveError::Gateway(error),
            BlockFetchError::Refused(error) => ArchiveError::Refused(error),
        }
    }
}

/// The archive's size as its roots declare it, each root block fetched
/// and checked; refused when it declares more than an archive holds.
pub async fn archive_size(
    roots: &[Cid],
    mut plan: GatewayPlan,
) -> Result<ArchiveSize, ArchiveError> {
    let mut blocks = BlockFetcher::new(&mut plan);
    let mut sizes = Vec::with_capacity(roots.len());
    for root in roots {
        let mut size = None;
        blocks
            .fetch(root, |bytes| {
                verify_block(root, &bytes).map_err(|_| Refusal::Altered)?;
                size = Some(declared_size(root, &bytes).map_err(Refusal::Fatal)?);
                Ok(())
            })
            .await?;
        sizes.extend(size);
    }
    let size = ArchiveSize::of(roots, DeclaredSize::sum(sizes));
    if size.bytes > MAX_ARCHIVE_BYTES {
        return Err(ArchiveError::TooLarge {
            declared: size.bytes,
        });
    }
    Ok(size)
}

/// A finished archive.
pub struct Archive {
    pub blob: Blob,
    pub bytes: u64,
}

/// Builds the CARv1 of every block under `roots`, the header naming them
/// in order. `on_progress` gets the bytes of blocks written so far.
pub async fn build_archive(
    roots: &[Cid],
    mut plan: GatewayPlan,
    mut on_progress: impl FnMut(u64),
) -> Result<Archive, ArchiveError> {
    let mut export = DagExport::new(roots, archive_budget());
    let mut car = BlobParts::new();
    car.push(&car_header(roots));
    let mut blocks = BlockFetcher::new(&mut plan);
    let mut fetched_ahead_for = None;
    loop {
        let cid = match export.step().map_err(ArchiveError::Refused)? {
            ExportStep::Done => break,
            ExportStep::Write(block) => {
                car.push_block(&block)?;
                on_progress(export.written_bytes());
                continue;
            }
            ExportStep::Fetch(cid) => cid,
        };
        if fetched_ahead_for != Some(cid) {
            fetched_ahead_for = Some(cid);
            let batch = export.wanted(cid, PARALLEL_BLOCK_FETCHES);
            if batch.len() > 1 {
                if let Some(answers) = blocks.fetch_together(&batch).await {
                    for (cid, bytes) in batch.into_iter().zip(answers) {
                        // One that fails here is asked for again alone.
                        match bytes.map(|bytes| export.supply(cid, bytes)) {
                            None | Some(Ok(()) | Err(ExportError::Altered(_))) => {}
                            Some(Err(error)) => return Err(ArchiveError::Refused(error)),
                        }
                    }
                    continue;
                }
            }
        }
        blocks
            .fetch(&cid, |bytes| {
                export.supply(cid, bytes).map_err(|error| match error {
                    ExportError::Altered(_) => Refusal::Altered,
                    other => Refusal::Fatal(other),
                })
            })
            .await?;
    }
    car.finish()
}

/// Pieces are merged into one Blob once they hold this much, so the page
/// keeps a few Blobs, which the browser may hold outside the page's heap
/// (on disk when large), rather than thousands of arrays.
const MERGE_BYTES: u64 = 32 << 20;

/// A Blob built piece by piece: every block is copied out of wasm once.
struct BlobParts {
    pieces: Array,
    piece_bytes: u64,
    merged: Array,
    bytes: u64,
    options: BlobPropertyBag,
}

impl BlobParts {
    fn new() -> Self {
        let options = BlobPropertyBag::new();
        options.set_type(CAR_MEDIA_TYPE);
        Self {
            pieces: Array::new(),
            piece_bytes: 0,
            merged: Array::new(),
            bytes: 0,
            options,
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        self.pieces.push(&Uint8Array::from(bytes));
        self.piece_bytes += bytes.len() as u64;
        self.bytes += bytes.len() as u64;
    }

    fn push_block(&mut self, block: &Block) -> Result<(), ArchiveError> {
        self.push(&car_section_prefix(&block.cid, block.bytes.len() as u64));
        self.push(&block.bytes);
        if self.piece_bytes >= MERGE_BYTES {
            self.merge()?;
        }
        Ok(())
    }

    fn merge(&mut self) -> Result<(), ArchiveError> {
        let blob = Blob::new_with_u8_array_sequence(&self.pieces).map_err(browser_error)?;
        self.merged.push(&blob);
        self.pieces = Array::new();
        self.piece_bytes = 0;
        Ok(())
    }

    fn finish(mut self) -> Result<Archive, ArchiveError> {
        self.merge()?;
        let blob = Blob::new_with_blob_sequence_and_options(&self.merged, &self.options)
            .map_err(browser_error)?;
        Ok(Archive {
            blob,
            bytes: self.bytes,
        })
    }
}

/// How long a saved archive's `blob:` URL lives. Chromium takes the
/// download's bytes as it starts, but other browsers read the URL later;
/// FileSaver.js waits 40 s before revoking, and so does this.
const REVOKE_AFTER_MS: i32 = 40_000;

/// Saves `blob` as a download named `file_name`: a `blob:` URL clicked
/// through an `<a download>` that is never added to the page, and revoked
/// once the browser has taken the bytes.
pub fn save(blob: &Blob, file_name: &str) -> Result<(), ArchiveError> {
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(browser_error)?;
    let revoke = {
        let url = url.clone();
        wasm_bindgen::closure::Closure::once_into_js(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        })
    };
    let link = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.create_element("a").ok())
        .and_then(|element| element.dyn_into::<HtmlAnchorElement>().ok());
    let Some(link) = link else {
        let _ = web_sys::Url::revoke_object_url(&url);
        return Err(ArchiveError::Browser("no page to save from".to_owned()));
    };
    link.set_href(&url);
    link.set_download(file_name);
    link.click();
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            revoke.unchecked_ref(),
            REVOKE_AFTER_MS,
        );
    }
    Ok(())
}

fn browser_error(error: JsValue) -> ArchiveError {
    ArchiveError::Browser(
        error
            .as_string()
            .or_else(|| {
                error
                    .dyn_ref::<js_sys::Error>()
                    .map(|error| String::from(error.message()))
            })
            .unwrap_or_else(|| "unknown error".to_owned()),
    )
}

code_not_loaded_is!(ArchiveError);
