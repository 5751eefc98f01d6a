//! Test switch (only with `--storage-test-switches`): the next N uploads to
//! one API fail, as a busy, broken or unreachable service would, so the
//! end-to-end tests can prove what the app retries and what it does not.
//!
//! `api` names whose uploads the fault applies to, and each API keeps one
//! pending fault of its own, so arming one never disturbs another's:
//! - `nft-storage` (the default when `api` is missing): `POST /upload`;
//! - `pinata`: `POST /pinning/pinFileToIPFS` and the resumable uploads'
//!   `PATCH /v3/files/{id}`. Creating a resumable upload (`POST /v3/files`)
//!   carries no bytes and is not counted, nor is `HEAD`: the fault meets
//!   the first chunk;
//! - `kubo`: `POST /api/v0/dag/import`.
//!
//! The faults:
//! - `status`: an HTTP error with that status, in the shape of the API
//!   asked (nft.storage's, Pinata's or Kubo's); a 429 carries `Retry-After`
//!   (delta-seconds, RFC 9110 §10.2.3) when the test asks;
//! - `drop`: half the body is read, then the connection is closed without
//!   an answer, as when a network drops mid-upload;
//! - `stall`: the body is never read and nothing is answered, as behind a
//!   dead proxy; the client's own watchdog has to give up;
//! - `redirect`: a 307 to the same path on another origin.
//!
//! A second switch, `POST /__test/lie-about-cids?api=<api>` with body "on"
//! or "off", makes one API's upload answers name a CID for other bytes
//! (`WrongCids`), until it is turned off; without `api`, nft.storage's.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use minty::ipfs::pack::pack_file;
use minty::ipfs::profile::NFT_STORAGE;
use minty::ipfs::Cid;
use serde::Deserialize;
use serde_json::json;

use super::kubo::KuboError;
use super::StorageState;

/// How long a stalled upload is held before the service lets it go, so a
/// client without a watchdog still ends eventually.
pub const STALL_FOR: Duration = Duration::from_secs(300);

/// After reading half of a dropped upload, the service waits this long
/// before closing, so the client has reported the bytes it sent.
const DROP_AFTER: Duration = Duration::from_millis(300);

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    #[default]
    Status,
    Drop,
    Stall,
    Redirect,
}

/// The API whose uploads a fault applies to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Api {
    /// `POST /upload`.
    #[default]
    NftStorage,
    /// `POST /pinning/pinFileToIPFS` and `PATCH /v3/files/{id}`.
    Pinata,
    /// `POST /api/v0/dag/import`.
    Kubo,
}

impl Api {
    fn error_shape(self) -> ErrorShape {
        match self {
            Api::NftStorage => ErrorShape::NftStorage,
            Api::Pinata => ErrorShape::Pinata,
            Api::Kubo => ErrorShape::Kubo,
        }
    }
}

/// `POST /__test/fail-uploads` body: `{"api": "pinata", "status": 429,
/// "count": 2, "retryAfter": 1}`, `{"api": "kubo", "fault": "drop", "count": 1}`,
/// `{"api": "nft-storage", "fault": "stall", "count": 1}` or
/// `{"api": "pinata", "fault": "redirect", "count": 1}`. An `api` the service
/// does not have is refused with 422.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadFault {
    /// `nft-storage` when missing, as before the switch named an API.
    #[serde(default)]
    pub api: Api,
    #[serde(default)]
    pub fault: FaultKind,
    /// For `status` faults; 500 when missing.
    pub status: Option<u16>,
    pub count: u32,
    pub retry_after: Option<u64>,
}

/// The pending fault of each API; arming one replaces only that API's.
#[derive(Debug, Default)]
pub struct UploadFaults(Mutex<HashMap<Api, UploadFault>>);

/// Whose error shape a status fault answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    /// `{ok: false, error: {name, message}}`
    NftStorage,
    /// `{error: {reason, details}}`
    Pinata,
    /// Kubo's RPC error, `{Message, Code: 0, Type: "error"}`, under the
    /// status the fault asks for (Kubo itself answers 500 for most).
    Kubo,
}

/// What the service does with an upload a fault is due for.
pub enum DueFault {
    Answer(Response),
    Redirect,
    Drop,
    Stall,
}

impl UploadFaults {
    /// The fault for this upload to `api`, if one is still due; each taken
    /// fault counts down that API's only.
    pub fn take(&self, api: Api) -> Option<DueFault> {
        let mut due = self.0.lock().expect("the fault switch is never poisoned");
        let fault = due.get_mut(&api).filter(|fault| fault.count > 0)?;
        fault.count -= 1;
        let fault = *fault;
        Some(match fault.fault {
            FaultKind::Drop => DueFault::Drop,
            FaultKind::Stall => DueFault::Stall,
            FaultKind::Redirect => DueFault::Redirect,
            FaultKind::Status => DueFault::Answer(status_answer(fault, api.error_shape())),
        })
    }

    fn arm(&self, fault: UploadFault) {
        self.0
            .lock()
            .expect("the fault switch is never poisoned")
            .insert(fault.api, fault);
    }
}

fn status_answer(fault: UploadFault, shape: ErrorShape) -> Response {
    let status = fault
        .status
        .and_then(|status| StatusCode::from_u16(status).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = status.canonical_reason().unwrap_or("Error");
    let mut response = match shape {
        ErrorShape::NftStorage => (
            status,
            Json(json!({"ok": false, "error": {"name": "HTTPError", "message": message}})),
        )
            .into_response(),
        ErrorShape::Pinata => (
            status,
            Json(json!({"error": {
                "reason": message.to_ascii_uppercase().replace(' ', "_"),
                "details": message,
            }})),
        )
            .into_response(),
        ErrorShape::Kubo => KuboError::with_status(status, message).into_response(),
    };
    if let Some(seconds) = fault.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Reads about half of the request's body, handing each piece to `keep`
/// (a resumable upload keeps what arrived), then answers with a body that
/// fails before its first byte: hyper then closes the connection without
/// writing the status line, so the client sees the connection drop.
pub async fn drop_midway(request: Request, mut keep: impl FnMut(&[u8])) -> Response {
    let declared: usize = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let mut body = request.into_body().into_data_stream();
    let mut read = 0;
    while read < declared / 2 {
        match body.next().await {
            Some(Ok(chunk)) => {
                let wanted = (declared / 2 - read).min(chunk.len());
                keep(&chunk[..wanted]);
                read += chunk.len();
            }
            _ => break,
        }
    }
    tokio::time::sleep(DROP_AFTER).await;
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "test switch: the connection drops mid-upload",
        ))
    });
    Response::new(Body::from_stream(failing))
}

/// A 307 (which keeps the method and body, RFC 9110 §15.4.8) to the same
/// path on this service under its other loopback name, `localhost` for
/// `127.0.0.1` and back: another origin, as a misconfigured proxy or a
/// hostile endpoint might send the client to.
pub fn redirect_elsewhere(request: &Request) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let (name, port) = host.rsplit_once(':').unwrap_or((host, "80"));
    let other = if name == "localhost" {
        "127.0.0.1"
    } else {
        "localhost"
    };
    let path = request
        .uri()
        .path_and_query()
        .map_or("/", |path| path.as_str());
    match HeaderValue::from_str(&format!("http://{other}:{port}{path}")) {
        Ok(location) => (
            StatusCode::TEMPORARY_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => StatusCode::BAD_REQUEST.into_response(),
    }
}

/// Holds the upload without reading it or answering.
pub async fn stall(request: Request) -> Response {
    tokio::time::sleep(STALL_FOR).await;
    drop(request);
    StatusCode::REQUEST_TIMEOUT.into_response()
}

/// Plays the fault due for this upload to `api`, if one is: `Err` with what
/// the client gets, or `Ok` with the request untouched for the handler.
/// (Pinata's resumable PATCH keeps what arrives before a drop, so it plays
/// its faults itself.)
pub async fn intercept(
    faults: &UploadFaults,
    api: Api,
    request: Request,
) -> Result<Request, Response> {
    Err(match faults.take(api) {
        None => return Ok(request),
        Some(DueFault::Answer(failure)) => failure,
        Some(DueFault::Drop) => drop_midway(request, |_| {}).await,
        Some(DueFault::Stall) => stall(request).await,
        Some(DueFault::Redirect) => redirect_elsewhere(&request),
    })
}

pub async fn set_upload_faults(
    State(state): State<Arc<StorageState>>,
    Json(fault): Json<UploadFault>,
) -> StatusCode {
    state.upload_faults.arm(fault);
    StatusCode::NO_CONTENT
}

/// The APIs whose upload answers name a CID other than the stored one (the
/// `lie-about-cids` switch), as a dishonest or broken service might.
#[derive(Debug, Default)]
pub struct WrongCids(Mutex<HashSet<Api>>);

impl WrongCids {
    /// The CID an upload to `api` stored as `cid` is answered with: a CID
    /// for other bytes while the switch is on for that API.
    pub fn answer(&self, api: Api, cid: Cid) -> Cid {
        let lying = self
            .0
            .lock()
            .expect("the CID switch is never poisoned")
            .contains(&api);
        if lying {
            pack_file(NFT_STORAGE, None, format!("not {cid}").as_bytes()).root
        } else {
            cid
        }
    }
}

/// `?api=` of an on/off switch that applies to one API.
#[derive(Deserialize)]
pub struct SwitchScope {
    /// `nft-storage` when missing.
    #[serde(default)]
    api: Api,
}

/// `POST /__test/lie-about-cids?api=<api>`, body "on" or "off".
pub async fn set_wrong_cids(
    State(state): State<Arc<StorageState>>,
    Query(scope): Query<SwitchScope>,
    body: String,
) -> StatusCode {
    let mut lying = state
        .wrong_cids
        .0
        .lock()
        .expect("the CID switch is never poisoned");
    if body.trim() == "on" {
        lying.insert(scope.api);
    } else {
        lying.remove(&scope.api);
    }
    StatusCode::NO_CONTENT
}
