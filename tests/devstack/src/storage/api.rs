//! nft.storage's HTTP API, as the source documents and the real service
//! define it: JSON answers `{ok: true, value}` or `{ok: false, error}`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use minty::ipfs::block::sha256_multihash;
use minty::ipfs::car::Car;
use minty::ipfs::pack::{pack_file, pack_files};
use minty::ipfs::profile::NFT_STORAGE;
use minty::ipfs::{Block, Cid};
use serde_json::json;

use super::completeness::{completeness, Completeness};
use super::faults::{self, Api};
use super::uploads::UploadedFile;
use super::StorageState;

/// An error answer in nft.storage's shape.
pub struct ApiError {
    status: StatusCode,
    name: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, name: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            name,
            message: message.into(),
        }
    }

    fn internal(error: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "HTTPError",
            error.to_string(),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"ok": false, "error": {"name": self.name, "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

/// Checks the bearer token and returns its fingerprint, the only form in
/// which the service keeps it.
fn authorize(state: &StorageState, headers: &HeaderMap) -> Result<String, ApiError> {
    let token = super::bearer_token(headers)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "HTTPError",
                "API Key is missing, make sure the `Authorization` header has a value in the following format `Bearer {token}`.",
            )
        })?;
    if let Some(required) = &state.config.required_token {
        if token != required {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "ERROR_INVALID_TOKEN",
                "API key is not valid: check the token you configured.",
            ));
        }
    }
    let digest = sha256_multihash(token.as_bytes());
    Ok(digest
        .digest()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect())
}

fn parse_cid(text: &str) -> Result<Cid, ApiError> {
    text.parse().map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "ERROR_INVALID_CID",
            format!("Invalid CID: {text}"),
        )
    })
}

/// `POST /upload`: a CAR (`application/car`) is stored as given, a
/// multipart body's `file` parts are wrapped in a directory under their
/// names, and any other body is stored as one unwrapped file.
pub async fn upload(
    State(state): State<Arc<StorageState>>,
    request: Request,
) -> Result<Response, ApiError> {
    let request = match faults::intercept(&state.upload_faults, Api::NftStorage, request).await {
        Ok(request) => request,
        Err(fault) => return Ok(fault),
    };
    let owner = authorize(&state, request.headers())?;
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_owned();
    let media_type = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();

    let (root, blocks, size, files, recorded_type) = if media_type == "multipart/form-data" {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|rejection| {
                ApiError::new(StatusCode::BAD_REQUEST, "HTTPError", rejection.body_text())
            })?;
        let mut parts: Vec<(String, Bytes)> = Vec::new();
        let mut files = Vec::new();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "HTTPError", e.body_text()))?
        {
            if field.name() != Some("file") {
                continue;
            }
            let name = field.file_name().unwrap_or("blob").to_owned();
            let part_type = field
                .content_type()
                .unwrap_or("application/octet-stream")
                .to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "HTTPError", e.body_text()))?;
            files.push(UploadedFile {
                name: name.clone(),
                content_type: part_type,
            });
            parts.push((name, bytes));
        }
        if parts.is_empty() {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "HTTPError",
                "No files found in the form: send them as `file` parts.",
            ));
        }
        let size = parts.iter().map(|(_, bytes)| bytes.len() as u64).sum();
        let packed = tokio::task::spawn_blocking(move || pack_files(NFT_STORAGE, &parts))
            .await
            .map_err(ApiError::internal)?
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "HTTPError", e.to_string()))?;
        (
            packed.root,
            packed.blocks,
            size,
            files,
            "directory".to_owned(),
        )
    } else {
        let body = Bytes::from_request(request, &())
            .await
            .map_err(|rejection| {
                ApiError::new(rejection.status(), "HTTPError", rejection.body_text())
            })?;
        let size = body.len() as u64;
        if media_type == "application/car" {
            let (root, blocks) = tokio::task::spawn_blocking(move || read_car(&body))
                .await
                .map_err(ApiError::internal)??;
            (root, blocks, size, Vec::new(), media_type)
        } else {
            let packed = tokio::task::spawn_blocking(move || pack_file(NFT_STORAGE, None, &body))
                .await
                .map_err(ApiError::internal)?;
            (packed.root, packed.blocks, size, Vec::new(), content_type)
        }
    };

    let store = Arc::clone(&state);
    tokio::task::spawn_blocking(move || store.blocks.put_all(&blocks))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let record = state
        .uploads
        .record(&root, &recorded_type, size, files, &owner)
        .map_err(ApiError::internal)?;
    let mut value = record.to_api_json(dag_bytes(&state, &root));
    let answered = state.wrong_cids.answer(Api::NftStorage, root);
    if answered != root {
        value["cid"] = json!(answered.to_string());
    }
    Ok(Json(json!({"ok": true, "value": value})).into_response())
}

/// Verifies every block of a CAR with a single root. The root block need
/// not be in it: nft.storage took a large upload as several CARs, each
/// naming the root and holding a part of the blocks.
fn read_car(bytes: &[u8]) -> Result<(Cid, Vec<Block>), ApiError> {
    let invalid =
        |message: String| ApiError::new(StatusCode::BAD_REQUEST, "ERROR_INVALID_CAR", message);
    let car = Car::read(bytes).map_err(|e| invalid(format!("Invalid CAR: {e}")))?;
    let root = car
        .single_root()
        .map_err(|e| invalid(format!("Invalid CAR: {e}")))?;
    Ok((root, car.blocks))
}

/// The DAG's size once all of it has arrived.
fn dag_bytes(state: &StorageState, root: &Cid) -> Option<u64> {
    match completeness(&state.blocks, root) {
        Completeness::Complete { bytes } => Some(bytes),
        Completeness::Missing => None,
    }
}

/// `GET /check/{cid}`: public; whether the service holds the CID.
pub async fn check(
    State(state): State<Arc<StorageState>>,
    Path(cid): Path<String>,
) -> Result<Response, ApiError> {
    let cid = parse_cid(&cid)?;
    let record = state.uploads.find(&cid);
    if record.is_none() && !state.blocks.has(&cid) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "HTTPError",
            "NFT not found",
        ));
    }
    // Queued while parts of a split upload are still to come.
    let (status, size) = match dag_bytes(&state, &cid) {
        Some(bytes) => ("pinned", Some(bytes)),
        None => ("queued", record.map(|record| record.size)),
    };
    Ok(Json(json!({
        "ok": true,
        "value": {
            "cid": cid.to_string(),
            "pin": {"cid": cid.to_string(), "status": status, "size": size},
            "deals": [],
        },
    }))
    .into_response())
}

/// `GET /{cid}`: the status of one of the caller's own uploads.
pub async fn status(
    State(state): State<Arc<StorageState>>,
    headers: HeaderMap,
    Path(cid): Path<String>,
) -> Result<Response, ApiError> {
    let owner = authorize(&state, &headers)?;
    let cid = parse_cid(&cid)?;
    match state.uploads.find(&cid) {
        Some(record) if record.owners.contains(&owner) => {
            let value = record.to_api_json(dag_bytes(&state, &cid));
            Ok(Json(json!({"ok": true, "value": value})).into_response())
        }
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "HTTPError",
            "NFT not found",
        )),
    }
}

/// Test switch (only with `test_switches`): body "on", "off", or the CID
/// of the one block whose raw answers are altered.
pub async fn set_corrupt_gateway(State(state): State<Arc<StorageState>>, body: String) -> Response {
    match state.corrupt_gateway.set(&body) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => (StatusCode::BAD_REQUEST, error).into_response(),
    }
}
