//! Test switch (only with `--storage-test-switches`): the next N uploads
//! fail, as a busy, broken or unreachable service would, so the end-to-end
//! tests can prove what the app retries and what it does not:
//! - `status`: an HTTP error in the shape of the API asked (nft.storage's or
//!   Pinata's); a 429 carries
//!   `Retry-After` (delta-seconds, RFC 9110 §10.2.3) when the test asks;
//! - `drop`: half the body is read, then the connection is closed without
//!   an answer, as when a network drops mid-upload;
//! - `stall`: the body is never read and nothing is answered, as behind a
//!   dead proxy; the client's own watchdog has to give up.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;

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

/// `POST /__test/fail-uploads` body: `{"status": 429, "count": 2, "retryAfter": 1}`,
/// `{"fault": "drop", "count": 1}`, `{"fault": "stall", "count": 1}` or
/// `{"fault": "redirect", "count": 1}`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadFault {
    #[serde(default)]
    pub fault: FaultKind,
    /// For `status` faults; 500 when missing.
    pub status: Option<u16>,
    pub count: u32,
    pub retry_after: Option<u64>,
}

#[derive(Debug, Default)]
pub struct UploadFaults(Mutex<Option<UploadFault>>);

/// Whose error shape a status fault answers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorShape {
    /// `{ok: false, error: {name, message}}`
    NftStorage,
    /// `{error: {reason, details}}`
    Pinata,
}

/// What the service does with an upload a fault is due for.
pub enum DueFault {
    Answer(Response),
    Redirect,
    Drop,
    Stall,
}

impl UploadFaults {
    /// The fault for this upload, if one is still due. The switch counts
    /// uploads to every API alike: nft.storage's `/upload`, and Pinata's
    /// `pinFileToIPFS` and resumable `PATCH`es.
    pub fn take(&self, shape: ErrorShape) -> Option<DueFault> {
        let mut due = self.0.lock().expect("the fault switch is never poisoned");
        let fault = due.as_mut().filter(|fault| fault.count > 0)?;
        fault.count -= 1;
        let fault = *fault;
        Some(match fault.fault {
            FaultKind::Drop => DueFault::Drop,
            FaultKind::Stall => DueFault::Stall,
            FaultKind::Redirect => DueFault::Redirect,
            FaultKind::Status => DueFault::Answer(status_answer(fault, shape)),
        })
    }
}

fn status_answer(fault: UploadFault, shape: ErrorShape) -> Response {
    let status = fault
        .status
        .and_then(|status| StatusCode::from_u16(status).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let message = status.canonical_reason().unwrap_or("Error");
    let body = match shape {
        ErrorShape::NftStorage => {
            json!({"ok": false, "error": {"name": "HTTPError", "message": message}})
        }
        ErrorShape::Pinata => json!({"error": {
            "reason": message.to_ascii_uppercase().replace(' ', "_"),
            "details": message,
        }}),
    };
    let mut response = (status, Json(body)).into_response();
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

pub async fn set_upload_faults(
    State(state): State<Arc<StorageState>>,
    Json(fault): Json<UploadFault>,
) -> StatusCode {
    *state
        .upload_faults
        .0
        .lock()
        .expect("the fault switch is never poisoned") = Some(fault);
    StatusCode::NO_CONTENT
}
