//! Pinata's v3 resumable uploads, TUS 1.0.0 (https://tus.io/protocols/resumable-upload)
//! as https://docs.pinata.cloud/files/uploading-files#resumable-uploads
//! describes them: `POST /v3/files` with `Upload-Length` and
//! `Upload-Metadata` (`filename`, `filetype`, `network`) answers 201 and a
//! `Location`; `PATCH` there appends a chunk at `Upload-Offset` and answers
//! the new offset; `HEAD` tells the offset to resume from. The answer that
//! completes the upload names the file's CID in `upload-cid`; the file is
//! imported on its own, with no directory.
//!
//! Pinata's default-private quirk is kept: an upload whose metadata does not
//! say `network public` is stored privately, which is not on IPFS, so the
//! gateway never serves it.

// A refusal is the answer itself, made once per request; boxing it would
// only add noise.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use futures_util::StreamExt;
use minty::ipfs::pack::pack_file;
use minty::ipfs::profile::NFT_STORAGE;
use serde_json::{json, Value};

use super::faults::{self, Api, DueFault};
use super::pinata::{authorize, maybe_lie, new_id, Network, PinataError, PinataFile};
use super::uploads::now_iso8601;
use super::StorageState;

pub const TUS_VERSION: &str = "1.0.0";
/// The largest upload this stand-in takes (and its gateway serves): room
/// for the end-to-end tests' 120 MB file, far below what Pinata takes, and
/// below the 250 MiB DAG bomb the gateway's test must still refuse.
pub const MAX_UPLOAD_LENGTH: u64 = 200 * 1024 * 1024;
/// Pinata takes chunks under 50 MB.
pub const MAX_CHUNK_BYTES: u64 = 50_000_000;

struct Upload {
    length: u64,
    offset: u64,
    name: String,
    media_type: String,
    network: Network,
    path: PathBuf,
}

/// Uploads under way, and (for the tests) what each TUS request asked.
pub struct TusUploads {
    directory: PathBuf,
    uploads: Mutex<HashMap<String, Upload>>,
    log: Mutex<Vec<Value>>,
}

impl TusUploads {
    pub fn open(directory: PathBuf) -> io::Result<Self> {
        fs::create_dir_all(&directory)?;
        Ok(Self {
            directory,
            uploads: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
        })
    }

    fn note(&self, entry: Value) {
        self.log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(entry);
    }

    fn state_of(&self, id: &str) -> Option<(u64, u64, PathBuf)> {
        let uploads = self.uploads.lock().unwrap_or_else(|p| p.into_inner());
        uploads
            .get(id)
            .map(|upload| (upload.offset, upload.length, upload.path.clone()))
    }

    fn advance(&self, id: &str, by: u64) -> Option<u64> {
        let mut uploads = self.uploads.lock().unwrap_or_else(|p| p.into_inner());
        let upload = uploads.get_mut(id)?;
        upload.offset += by;
        Some(upload.offset)
    }
}

fn tus_headers(response: &mut Response, offset: Option<u64>) {
    let headers = response.headers_mut();
    headers.insert("Tus-Resumable", HeaderValue::from_static(TUS_VERSION));
    if let Some(offset) = offset {
        headers.insert("Upload-Offset", HeaderValue::from(offset));
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

fn check_version(headers: &HeaderMap) -> Result<(), Response> {
    if header_text(headers, "Tus-Resumable") == Some(TUS_VERSION) {
        return Ok(());
    }
    let mut response = PinataError::new(
        StatusCode::PRECONDITION_FAILED,
        "INVALID_REQUEST",
        "Tus-Resumable: 1.0.0 is required",
    )
    .into_response();
    response
        .headers_mut()
        .insert("Tus-Version", HeaderValue::from_static(TUS_VERSION));
    Err(response)
}

/// `Upload-Metadata`: comma-separated `key base64(value)` pairs; a key may
/// come without a value.
fn parse_metadata(text: &str) -> Result<HashMap<String, String>, PinataError> {
    let mut pairs = HashMap::new();
    for pair in text
        .split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
    {
        let (key, value) = pair.split_once(' ').unwrap_or((pair, ""));
        let decoded = BASE64
            .decode(value.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| {
                PinataError::bad_request(format!("Upload-Metadata {key} is not base64 text"))
            })?;
        pairs.insert(key.to_owned(), decoded);
    }
    Ok(pairs)
}

/// `POST /v3/files`: creates an upload.
pub async fn create(State(state): State<Arc<StorageState>>, headers: HeaderMap) -> Response {
    match try_create(&state, &headers) {
        Ok(response) | Err(response) => response,
    }
}

fn try_create(state: &StorageState, headers: &HeaderMap) -> Result<Response, Response> {
    authorize(state, headers).map_err(IntoResponse::into_response)?;
    check_version(headers)?;
    let length = header_text(headers, "Upload-Length")
        .and_then(|text| text.trim().parse::<u64>().ok())
        .ok_or_else(|| {
            PinataError::bad_request("Upload-Length is required, in bytes").into_response()
        })?;
    if length > MAX_UPLOAD_LENGTH {
        return Err(PinataError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("this stand-in takes uploads up to {MAX_UPLOAD_LENGTH} bytes"),
        )
        .into_response());
    }
    let metadata = parse_metadata(header_text(headers, "Upload-Metadata").unwrap_or_default())
        .map_err(IntoResponse::into_response)?;
    // Pinata's default is private: only an explicit `public` is on IPFS.
    let network = match metadata.get("network").map(String::as_str) {
        Some("public") => Network::Public,
        _ => Network::Private,
    };
    let id = new_id();
    let path = state.pinata_uploads.directory.join(format!("{id}.part"));
    File::create(&path).map_err(|e| PinataError::internal(e).into_response())?;
    state.pinata_uploads.note(json!({
        "method": "POST",
        "id": id,
        "length": length,
        "metadata": metadata,
    }));
    state
        .pinata_uploads
        .uploads
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(
            id.clone(),
            Upload {
                length,
                offset: 0,
                name: metadata.get("filename").cloned().unwrap_or_default(),
                media_type: metadata.get("filetype").cloned().unwrap_or_default(),
                network,
                path,
            },
        );
    let host = header_text(headers, "Host").unwrap_or("127.0.0.1");
    let mut response = StatusCode::CREATED.into_response();
    tus_headers(&mut response, None);
    if let Ok(location) = HeaderValue::from_str(&format!("http://{host}/v3/files/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// `HEAD /v3/files/{id}`: where to resume.
pub async fn head(
    State(state): State<Arc<StorageState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(refused) = authorize(&state, &headers) {
        return refused.into_response();
    }
    state
        .pinata_uploads
        .note(json!({"method": "HEAD", "id": id}));
    let Some((offset, length, _)) = state.pinata_uploads.state_of(&id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = StatusCode::OK.into_response();
    tus_headers(&mut response, Some(offset));
    response
        .headers_mut()
        .insert("Upload-Length", HeaderValue::from(length));
    response
}

/// `PATCH /v3/files/{id}`: appends one chunk at `Upload-Offset`.
pub async fn patch(
    State(state): State<Arc<StorageState>>,
    Path(id): Path<String>,
    request: Request,
) -> Response {
    match try_patch(&state, &id, request).await {
        Ok(response) | Err(response) => response,
    }
}

async fn try_patch(state: &StorageState, id: &str, request: Request) -> Result<Response, Response> {
    let Some((offset, length, path)) = state.pinata_uploads.state_of(id) else {
        return Err(StatusCode::NOT_FOUND.into_response());
    };
    let internal = |e: io::Error| PinataError::internal(e).into_response();
    match state.upload_faults.take(Api::Pinata) {
        Some(DueFault::Answer(failure)) => return Err(failure),
        Some(DueFault::Drop) => {
            // What arrived before the drop is kept, as a TUS server keeps it.
            let mut file = OpenOptions::new()
                .append(true)
                .open(&path)
                .map_err(internal)?;
            let mut kept = 0;
            let dropped = faults::drop_midway(request, |bytes| {
                if file.write_all(bytes).is_ok() {
                    kept += bytes.len() as u64;
                }
            })
            .await;
            if let Some(offset) = state.pinata_uploads.advance(id, kept) {
                state.pinata_uploads.note(json!({
                    "method": "PATCH",
                    "id": id,
                    "offset": offset - kept,
                    "bytes": kept,
                    "dropped": true,
                }));
            }
            return Err(dropped);
        }
        Some(DueFault::Stall) => return Err(faults::stall(request).await),
        Some(DueFault::Redirect) => return Err(faults::redirect_elsewhere(&request)),
        None => {}
    }
    let headers = request.headers();
    authorize(state, headers).map_err(IntoResponse::into_response)?;
    check_version(headers)?;
    if header_text(headers, "Content-Type") != Some("application/offset+octet-stream") {
        return Err(PinataError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "INVALID_REQUEST",
            "Content-Type must be application/offset+octet-stream",
        )
        .into_response());
    }
    let asked = header_text(headers, "Upload-Offset").and_then(|text| text.parse::<u64>().ok());
    if asked != Some(offset) {
        let mut response = PinataError::new(
            StatusCode::CONFLICT,
            "INVALID_REQUEST",
            format!("Upload-Offset must be {offset}: ask HEAD where to resume"),
        )
        .into_response();
        tus_headers(&mut response, Some(offset));
        return Err(response);
    }
    let declared = header_text(headers, "Content-Length").and_then(|text| text.parse::<u64>().ok());
    if declared.is_some_and(|bytes| bytes >= MAX_CHUNK_BYTES) {
        return Err(PinataError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            "a chunk must be under 50 MB",
        )
        .into_response());
    }

    let mut file = OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(internal)?;
    let mut body = request.into_body().into_data_stream();
    let mut received = 0_u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| PinataError::bad_request(e.to_string()).into_response())?;
        received += chunk.len() as u64;
        if received >= MAX_CHUNK_BYTES || offset + received > length {
            return Err(PinataError::bad_request(
                "the chunk is too long: under 50 MB, and not past Upload-Length",
            )
            .into_response());
        }
        file.write_all(&chunk).map_err(internal)?;
    }
    drop(file);
    let offset = state
        .pinata_uploads
        .advance(id, received)
        .ok_or_else(|| StatusCode::NOT_FOUND.into_response())?;
    state.pinata_uploads.note(json!({
        "method": "PATCH",
        "id": id,
        "offset": offset - received,
        "bytes": received,
    }));
    let mut response = StatusCode::NO_CONTENT.into_response();
    tus_headers(&mut response, Some(offset));
    if offset == length {
        let cid = finish(state, id).await?;
        if let Ok(value) = HeaderValue::from_str(&maybe_lie(state, cid).to_string()) {
            response.headers_mut().insert("upload-cid", value);
        }
    }
    Ok(response)
}

/// Imports a complete upload as one file: public files go to the blockstore
/// (and so the gateway), private ones are only recorded.
async fn finish(state: &StorageState, id: &str) -> Result<minty::ipfs::Cid, Response> {
    let upload = state
        .pinata_uploads
        .uploads
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(id)
        .ok_or_else(|| StatusCode::NOT_FOUND.into_response())?;
    let path = upload.path.clone();
    let packed = tokio::task::spawn_blocking(move || {
        let bytes = fs::read(&path)?;
        let packed = pack_file(NFT_STORAGE, None, &bytes);
        fs::remove_file(&path)?;
        Ok::<_, io::Error>(packed)
    })
    .await
    .map_err(|e| PinataError::internal(e).into_response())?
    .map_err(|e| PinataError::internal(e).into_response())?;
    if upload.network == Network::Public {
        state
            .blocks
            .put_all(&packed.blocks)
            .map_err(|e| PinataError::internal(e).into_response())?;
    }
    state
        .pinata_files
        .record(
            &packed.root,
            PinataFile {
                id: id.to_owned(),
                name: upload.name,
                cid: packed.root.to_string(),
                size: upload.length,
                mime_type: upload.media_type,
                network: upload.network,
                created_at: now_iso8601(),
            },
        )
        .map_err(|e| PinataError::internal(e).into_response())?;
    Ok(packed.root)
}

/// Test switch (only with `test_switches`): every TUS request so far, with
/// its method, offset, size and metadata, so a test can check the chunks.
pub async fn requests(State(state): State<Arc<StorageState>>) -> Json<Vec<Value>> {
    Json(
        state
            .pinata_uploads
            .log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone(),
    )
}
