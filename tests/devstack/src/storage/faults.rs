//! Test switch (only with `--storage-test-switches`): the next N uploads
//! fail with an HTTP status, as a busy or broken service would, so the end-
//! to-end tests can prove what the app retries and what it does not. The
//! answers have nft.storage's error shape; a 429 carries `Retry-After`
//! (delta-seconds, RFC 9110 §10.2.3) when the test asks for one.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::StorageState;

/// `POST /__test/fail-uploads` body: `{"status": 429, "count": 2, "retryAfter": 1}`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadFault {
    pub status: u16,
    pub count: u32,
    pub retry_after: Option<u64>,
}

#[derive(Debug, Default)]
pub struct UploadFaults(Mutex<Option<UploadFault>>);

impl UploadFaults {
    /// The failure for this upload, if one is still due.
    pub fn take(&self) -> Option<Response> {
        let mut due = self.0.lock().expect("the fault switch is never poisoned");
        let fault = due.as_mut().filter(|fault| fault.count > 0)?;
        fault.count -= 1;
        let fault = *fault;
        let status =
            StatusCode::from_u16(fault.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let message = status.canonical_reason().unwrap_or("Error");
        let mut response = (
            status,
            Json(json!({"ok": false, "error": {"name": "HTTPError", "message": message}})),
        )
            .into_response();
        if let Some(seconds) = fault.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        Some(response)
    }
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
