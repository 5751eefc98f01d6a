//! Kubo's RPC API, the calls the app makes, on the same blockstore and
//! gateway as the nft.storage API: `POST /api/v0/dag/import` and
//! `POST /api/v0/pin/ls`. Shapes as Kubo's RPC reference gives them:
//! https://docs.ipfs.tech/reference/kubo/rpc/#api-v0-dag-import and
//! https://docs.ipfs.tech/reference/kubo/rpc/#api-v0-pin-ls . Kubo takes
//! every RPC call as POST only and answers a GET with 405; errors are
//! `{"Message", "Code", "Type": "error"}`, 500 for Kubo's "normal" errors
//! (Code 0) and 400 for a malformed request (Code 1).
//!
//! `dag/import` honours the `fail-uploads` test switch armed for `kubo`
//! (see `faults`): a status fault answers Kubo's error shape under the
//! status asked for; and `lie-about-cids` for `kubo` makes it report each
//! root as another CID (the real root is still pinned).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use minty::ipfs::car::Car;
use minty::ipfs::{Block, Cid};
use serde::Deserialize;
use serde_json::json;

use super::faults::{self, Api};
use super::StorageState;

/// Kubo's error answer.
pub struct KuboError {
    status: StatusCode,
    code: u8,
    message: String,
}

impl KuboError {
    /// Kubo's `ErrNormal`: 500, Code 0.
    fn normal(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: 0,
            message: message.into(),
        }
    }

    /// Kubo's `ErrNormal` under another status, as a test fault asks.
    pub fn with_status(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code: 0,
            message: message.into(),
        }
    }

    /// Kubo's `ErrClient`: 400, Code 1.
    fn client(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: 1,
            message: message.into(),
        }
    }
}

impl IntoResponse for KuboError {
    fn into_response(self) -> Response {
        let body = json!({"Message": self.message, "Code": self.code, "Type": "error"});
        (self.status, Json(body)).into_response()
    }
}

/// The roots pinned through the RPC API, one empty file per CID, so they
/// survive a restart like the blocks.
pub struct Pins {
    directory: PathBuf,
}

impl Pins {
    pub fn open(directory: PathBuf) -> io::Result<Self> {
        fs::create_dir_all(&directory)?;
        Ok(Self { directory })
    }

    fn pin(&self, cid: &Cid) -> io::Result<()> {
        fs::write(self.directory.join(cid.to_string()), b"")
    }

    fn is_pinned(&self, cid: &Cid) -> bool {
        self.directory.join(cid.to_string()).is_file()
    }
}

#[derive(Deserialize)]
pub struct ImportOptions {
    /// Kubo's default is true.
    #[serde(rename = "pin-roots")]
    pin_roots: Option<bool>,
    #[serde(default)]
    stats: bool,
}

/// `POST /api/v0/dag/import`: each multipart `file` part is a CAR whose
/// blocks are all checked against their CIDs and stored; then each root is
/// pinned and reported as an ndjson line
/// `{"Root":{"Cid":{"/":"<cid>"},"PinErrorMsg":""}}`. A root whose block is
/// neither in the CARs nor already stored is reported with a `PinErrorMsg`,
/// as Kubo does, and not pinned. `stats=true` adds
/// `{"Stats":{"BlockCount":n,"BlockBytesCount":n}}`.
pub async fn dag_import(
    State(state): State<Arc<StorageState>>,
    Query(options): Query<ImportOptions>,
    request: Request,
) -> Result<Response, KuboError> {
    let request = match faults::intercept(&state.upload_faults, Api::Kubo, request).await {
        Ok(request) => request,
        Err(fault) => return Ok(fault),
    };
    let mut multipart = Multipart::from_request(request, &())
        .await
        .map_err(|rejection| KuboError::client(rejection.body_text()))?;
    let mut cars = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| KuboError::client(e.body_text()))?
    {
        if field.name() != Some("file") {
            continue;
        }
        cars.push(
            field
                .bytes()
                .await
                .map_err(|e| KuboError::client(e.body_text()))?,
        );
    }
    if cars.is_empty() {
        return Err(KuboError::client("argument \"path\" is required"));
    }
    let (roots, blocks) = tokio::task::spawn_blocking(move || read_cars(&cars))
        .await
        .map_err(|e| KuboError::normal(e.to_string()))??;
    let block_bytes: usize = blocks.iter().map(|block| block.bytes.len()).sum();
    let block_count = blocks.len();
    let store = Arc::clone(&state);
    tokio::task::spawn_blocking(move || store.blocks.put_all(&blocks))
        .await
        .map_err(|e| KuboError::normal(e.to_string()))?
        .map_err(|e| KuboError::normal(e.to_string()))?;

    let mut lines = String::new();
    if options.pin_roots.unwrap_or(true) {
        for root in roots {
            let pin_error = if state.kubo_pin_errors.load(Ordering::Relaxed) {
                // What a node whose pinning timed out answers.
                "pin: context deadline exceeded".to_owned()
            } else if state.blocks.has(&root) {
                state
                    .pins
                    .pin(&root)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            } else {
                format!("block was not found locally (offline): ipld: could not find {root}")
            };
            let reported = state.wrong_cids.answer(Api::Kubo, root);
            let line =
                json!({"Root": {"Cid": {"/": reported.to_string()}, "PinErrorMsg": pin_error}});
            lines.push_str(&format!("{line}\n"));
        }
    }
    if options.stats {
        let line = json!({"Stats": {"BlockCount": block_count, "BlockBytesCount": block_bytes}});
        lines.push_str(&format!("{line}\n"));
    }
    Ok(([(header::CONTENT_TYPE, "application/json")], lines).into_response())
}

/// Every block of every CAR, each checked against its CID, and their roots.
fn read_cars(cars: &[axum::body::Bytes]) -> Result<(Vec<Cid>, Vec<Block>), KuboError> {
    let mut roots = Vec::new();
    let mut blocks = Vec::new();
    for bytes in cars {
        let car = Car::read(bytes).map_err(|e| KuboError::normal(format!("invalid CAR: {e}")))?;
        for root in car.roots {
            if !roots.contains(&root) {
                roots.push(root);
            }
        }
        blocks.extend(car.blocks);
    }
    Ok((roots, blocks))
}

#[derive(Deserialize)]
pub struct PinLsOptions {
    arg: Option<String>,
}

/// `POST /api/v0/pin/ls?arg=<cid>`: `{"Keys":{"<cid>":{"Type":"recursive","Name":""}}}`
/// for a pinned root, and Kubo's 500 "path '<cid>' is not pinned" otherwise.
/// Without `arg`, every pin.
pub async fn pin_ls(
    State(state): State<Arc<StorageState>>,
    Query(options): Query<PinLsOptions>,
) -> Result<Response, KuboError> {
    let pinned = |cid: &Cid| (cid.to_string(), json!({"Type": "recursive", "Name": ""}));
    let keys: BTreeMap<String, serde_json::Value> = match options.arg {
        Some(arg) => {
            let cid = arg
                .parse::<Cid>()
                .map_err(|e| KuboError::normal(format!("invalid path {arg:?}: {e}")))?;
            if !state.pins.is_pinned(&cid) {
                return Err(KuboError::normal(format!("path '{arg}' is not pinned")));
            }
            [pinned(&cid)].into()
        }
        None => fs::read_dir(&state.pins.directory)
            .map_err(|e| KuboError::normal(e.to_string()))?
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<Cid>().ok())
            .map(|cid| pinned(&cid))
            .collect(),
    };
    Ok(Json(json!({"Keys": keys})).into_response())
}

/// Test switch (only with `test_switches`): body "on" or "off".
pub async fn set_pin_errors(State(state): State<Arc<StorageState>>, body: String) -> StatusCode {
    state
        .kubo_pin_errors
        .store(body.trim() == "on", Ordering::Relaxed);
    StatusCode::NO_CONTENT
}
