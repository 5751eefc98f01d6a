//! Pinata's API as the app calls it, on the same blockstore and gateway as
//! the others, built from Pinata's documented request and answer shapes:
//! - `POST /pinning/pinFileToIPFS`, multipart `file` part(s) with
//!   `pinataOptions` `{cidVersion, wrapWithDirectory}` and `pinataMetadata`
//!   `{name}`; answers `{IpfsHash, PinSize, Timestamp, isDuplicate}`
//!   (https://docs.pinata.cloud/api-reference/endpoint/ipfs/pin-file-to-ipfs);
//! - `GET /v3/files/{network}?cid=` lists files
//!   (https://docs.pinata.cloud/api-reference/endpoint/list-files);
//! - errors are `{"error": {"reason", "details"}}`, 401 `INVALID_CREDENTIALS`
//!   for a JWT that is not accepted.
//!
//! The CID is computed here for real, with the app's own importer under the
//! `nft-storage` profile: Kubo's CIDv1 defaults, which Pinata's match. This
//! stand-in has no CIDv0 importer, so it refuses `cidVersion` 0, which is
//! also Pinata's default when `pinataOptions` says nothing: a client that
//! forgets to ask for CIDv1 fails here as its CIDs would fail against
//! Pinata. The resumable v3 uploads are in [`super::pinata_tus`].

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use minty::ipfs::pack::{pack_file, pack_files, PackedDag};
use minty::ipfs::profile::NFT_STORAGE;
use minty::ipfs::Cid;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::faults::{self, Api};
use super::uploads::now_iso8601;
use super::StorageState;

/// An error answer in Pinata's shape.
pub struct PinataError {
    status: StatusCode,
    reason: &'static str,
    details: String,
}

impl PinataError {
    pub fn new(status: StatusCode, reason: &'static str, details: impl Into<String>) -> Self {
        Self {
            status,
            reason,
            details: details.into(),
        }
    }

    pub fn bad_request(details: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "INVALID_REQUEST", details)
    }

    pub fn internal(error: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            error.to_string(),
        )
    }
}

impl IntoResponse for PinataError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"reason": self.reason, "details": self.details}});
        (self.status, Json(body)).into_response()
    }
}

/// Checks `Authorization: Bearer <JWT>`: any non-empty one, or only the
/// stack's required token when it has one.
pub fn authorize(state: &StorageState, headers: &HeaderMap) -> Result<(), PinataError> {
    let token = super::bearer_token(headers).ok_or_else(|| {
        PinataError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_CREDENTIALS",
            "No credentials provided: send Authorization: Bearer <JWT>.",
        )
    })?;
    match &state.config.required_token {
        Some(required) if token != required => Err(PinataError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_CREDENTIALS",
            "Invalid/expired credentials provided",
        )),
        _ => Ok(()),
    }
}

/// Who may read a file: `public` is on IPFS (and the gateway); `private`
/// is Pinata's default for v3 uploads, and never reaches the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Network {
    Public,
    Private,
}

/// One stored file or pin, as v3's file list shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PinataFile {
    pub id: String,
    pub name: String,
    pub cid: String,
    pub size: u64,
    pub mime_type: String,
    pub network: Network,
    pub created_at: String,
}

/// Every pin and file, one JSON file per CID and network, so they survive a
/// restart like the blocks.
pub struct PinataFiles {
    directory: PathBuf,
    lock: Mutex<()>,
}

impl PinataFiles {
    pub fn open(directory: PathBuf) -> io::Result<Self> {
        fs::create_dir_all(&directory)?;
        Ok(Self {
            directory,
            lock: Mutex::new(()),
        })
    }

    fn path_of(&self, cid: &Cid, network: Network) -> PathBuf {
        let network = match network {
            Network::Public => "public",
            Network::Private => "private",
        };
        self.directory.join(format!("{network}-{cid}.json"))
    }

    /// Records `file`; answers whether its CID was already there (Pinata's
    /// `isDuplicate`), in which case the first record is kept.
    pub fn record(&self, cid: &Cid, file: PinataFile) -> io::Result<bool> {
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        let path = self.path_of(cid, file.network);
        if path.exists() {
            return Ok(true);
        }
        let temporary = path.with_extension("json.partial");
        fs::write(&temporary, serde_json::to_vec_pretty(&file)?)?;
        fs::rename(&temporary, &path)?;
        Ok(false)
    }

    pub fn find(&self, cid: &Cid, network: Network) -> Option<PinataFile> {
        let text = fs::read_to_string(self.path_of(cid, network)).ok()?;
        serde_json::from_str(&text).ok()
    }
}

/// `pinataOptions`, as documented; Pinata's defaults when missing.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct PinOptions {
    #[serde(default)]
    cid_version: u8,
    #[serde(default)]
    wrap_with_directory: bool,
}

#[derive(Debug, Default, Deserialize)]
struct PinMetadata {
    name: Option<String>,
}

/// A fresh id for a file or an upload: unique within this service.
pub fn new_id() -> String {
    use std::sync::atomic::AtomicU64;
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_nanos();
    format!(
        "{:x}{:04x}{:x}",
        nanos,
        std::process::id() & 0xffff,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// The CID to answer for an upload stored as `cid`: another while the
/// `lie-about-cids` switch is on for Pinata.
pub fn maybe_lie(state: &StorageState, cid: Cid) -> Cid {
    state.wrong_cids.answer(Api::Pinata, cid)
}

/// `POST /pinning/pinFileToIPFS`.
pub async fn pin_file_to_ipfs(
    State(state): State<Arc<StorageState>>,
    request: Request,
) -> Result<Response, PinataError> {
    let request = match faults::intercept(&state.upload_faults, Api::Pinata, request).await {
        Ok(request) => request,
        Err(fault) => return Ok(fault),
    };
    authorize(&state, request.headers())?;
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| PinataError::bad_request(rejection.body_text()))?;
    let mut files: Vec<(String, String, Bytes)> = Vec::new();
    let mut options = PinOptions::default();
    let mut metadata = PinMetadata::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| PinataError::bad_request(e.body_text()))?
    {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("blob").to_owned();
                let media_type = field
                    .content_type()
                    .unwrap_or("application/octet-stream")
                    .to_owned();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| PinataError::bad_request(e.body_text()))?;
                files.push((name, media_type, bytes));
            }
            Some("pinataOptions") => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| PinataError::bad_request(e.body_text()))?;
                options = serde_json::from_str(&text).map_err(|e| {
                    PinataError::bad_request(format!("pinataOptions is not valid JSON: {e}"))
                })?;
            }
            Some("pinataMetadata") => {
                let text = field
                    .text()
                    .await
                    .map_err(|e| PinataError::bad_request(e.body_text()))?;
                metadata = serde_json::from_str(&text).map_err(|e| {
                    PinataError::bad_request(format!("pinataMetadata is not valid JSON: {e}"))
                })?;
            }
            _ => {}
        }
    }
    if files.is_empty() {
        return Err(PinataError::bad_request(
            "No file was sent: send a `file` part.",
        ));
    }
    if options.cid_version != 1 {
        return Err(PinataError::bad_request(format!(
            "cidVersion {} is not computed by this stand-in, which only computes CIDv1 \
             (Pinata's default is 0: send pinataOptions {{\"cidVersion\":1}})",
            options.cid_version
        )));
    }
    let size: u64 = files.iter().map(|(_, _, bytes)| bytes.len() as u64).sum();
    let first_name = files[0].0.clone();
    let media_type = files[0].1.clone();
    let wrap = options.wrap_with_directory || files.len() > 1;
    let packed: PackedDag = tokio::task::spawn_blocking(move || {
        if wrap {
            let named: Vec<(String, Bytes)> = files
                .into_iter()
                .map(|(name, _, bytes)| (name, bytes))
                .collect();
            pack_files(NFT_STORAGE, &named).map_err(|e| e.to_string())
        } else {
            Ok(pack_file(NFT_STORAGE, None, &files[0].2))
        }
    })
    .await
    .map_err(PinataError::internal)?
    .map_err(PinataError::bad_request)?;
    let root = packed.root;
    // Pinata's PinSize is the pinned DAG's size, every block counted.
    let pin_size: u64 = packed
        .blocks
        .iter()
        .map(|block| block.bytes.len() as u64)
        .sum();
    let store = Arc::clone(&state);
    tokio::task::spawn_blocking(move || store.blocks.put_all(&packed.blocks))
        .await
        .map_err(PinataError::internal)?
        .map_err(PinataError::internal)?;
    let timestamp = now_iso8601();
    let is_duplicate = state
        .pinata_files
        .record(
            &root,
            PinataFile {
                id: new_id(),
                name: metadata.name.unwrap_or(first_name),
                cid: root.to_string(),
                size,
                mime_type: media_type,
                network: Network::Public,
                created_at: timestamp.clone(),
            },
        )
        .map_err(PinataError::internal)?;
    Ok(Json(json!({
        "IpfsHash": maybe_lie(&state, root).to_string(),
        "PinSize": pin_size,
        "Timestamp": timestamp,
        "isDuplicate": is_duplicate,
    }))
    .into_response())
}

/// `GET /v3/files/{network}?cid=<cid>`: the caller's files of that network
/// with that CID (this stand-in lists only by CID).
pub async fn list_files(
    state: &StorageState,
    headers: &HeaderMap,
    network: &str,
    query: &HashMap<String, String>,
) -> Result<Response, PinataError> {
    authorize(state, headers)?;
    let network = match network {
        "public" => Network::Public,
        "private" => Network::Private,
        other => {
            return Err(PinataError::new(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                format!("no such network or upload: {other}"),
            ))
        }
    };
    let files: Vec<Value> = query
        .get("cid")
        .and_then(|cid| cid.parse::<Cid>().ok())
        .and_then(|cid| state.pinata_files.find(&cid, network))
        .map(|file| serde_json::to_value(file).unwrap_or_default())
        .into_iter()
        .collect();
    Ok(Json(json!({"data": {"files": files, "next_page_token": ""}})).into_response())
}

/// `GET /v3/files/{network}`, routed here beside the upload URLs.
pub async fn get_files(
    State(state): State<Arc<StorageState>>,
    Path(network): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, PinataError> {
    list_files(&state, &headers, &network, &query).await
}
