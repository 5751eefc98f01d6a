//! One way to upload a CAR from the browser, for every provider: an
//! XMLHttpRequest (only it reports upload progress), tried again as
//! [`super::retry`] says, with each wait reported.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Math, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, FormData, ProgressEvent, XmlHttpRequest};

use super::retry::{next_wait, parse_retry_after, AttemptFailure, RetryNotice};
use super::StorageError;
use crate::wallet::transactions::sleep;

/// How the CAR goes in the request body.
#[derive(Clone, Copy)]
pub enum CarBody {
    /// The CAR as the whole body, with this Content-Type.
    Raw { content_type: &'static str },
    /// A `multipart/form-data` body with the CAR as its one part of this
    /// name; the browser sets the Content-Type and its boundary, so a local
    /// node is asked no CORS preflight for it.
    Multipart { part: &'static str },
}

/// One upload as a provider makes it.
pub struct CarUpload<'a> {
    /// The full URL, query included.
    pub url: String,
    /// The API base URL the user configured, named in errors.
    pub endpoint: &'a str,
    /// Sent as `Authorization: Bearer …` when there is one.
    pub bearer: Option<&'a str>,
    pub body: CarBody,
}

/// What one attempt got back; status 0 means no answer at all (a refused
/// or dropped connection, or a CORS refusal).
pub struct AttemptAnswer {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<Duration>,
}

/// The service as the user knows it: the endpoint's host.
pub fn service_name(endpoint: &str) -> String {
    let without_scheme = endpoint
        .split_once("://")
        .map_or(endpoint, |(_, rest)| rest);
    without_scheme
        .split('/')
        .next()
        .unwrap_or(without_scheme)
        .to_owned()
}

impl CarUpload<'_> {
    /// Uploads `car` until an attempt succeeds or the retries end; `read`
    /// turns an answer (2xx, or the last refusal) into the outcome.
    pub async fn send(
        &self,
        car: &Blob,
        on_progress: impl FnMut(u64, u64) + 'static,
        on_retry: impl Fn(RetryNotice),
        read: impl Fn(&AttemptAnswer) -> Result<(), StorageError>,
    ) -> Result<(), StorageError> {
        let on_progress = Rc::new(RefCell::new(on_progress));
        let mut attempt = 1;
        loop {
            let answer = self.attempt(car, on_progress.clone()).await?;
            let failure = match answer.status {
                0 => AttemptFailure::Network,
                200..=299 => return read(&answer),
                status => AttemptFailure::Status(status),
            };
            let Some(wait) = next_wait(attempt, failure, answer.retry_after, Math::random()) else {
                return match failure {
                    AttemptFailure::Network => Err(self.unreachable()),
                    AttemptFailure::Status(_) => read(&answer),
                };
            };
            attempt += 1;
            on_retry(RetryNotice {
                service: service_name(self.endpoint),
                failure,
                wait,
                next_attempt: attempt,
            });
            sleep(wait).await;
        }
    }

    fn unreachable(&self) -> StorageError {
        StorageError::Unreachable {
            endpoint: self.endpoint.to_owned(),
        }
    }

    async fn attempt(
        &self,
        car: &Blob,
        on_progress: Rc<RefCell<impl FnMut(u64, u64) + 'static>>,
    ) -> Result<AttemptAnswer, StorageError> {
        let unreachable = || self.unreachable();
        let request = XmlHttpRequest::new().map_err(|_| unreachable())?;
        request.open("POST", &self.url).map_err(|_| unreachable())?;
        if let Some(token) = self.bearer {
            request
                .set_request_header("Authorization", &format!("Bearer {token}"))
                .map_err(|_| unreachable())?;
        }
        if let CarBody::Raw { content_type } = self.body {
            request
                .set_request_header("Content-Type", content_type)
                .map_err(|_| unreachable())?;
        }

        // A multipart body is a few hundred bytes longer than the CAR; the
        // page shows the CAR's bytes.
        let total = car.size() as u64;
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
            (on_progress.borrow_mut())((event.loaded() as u64).min(total), total);
        });
        if let Ok(upload) = request.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }

        // Settles when the request ends, whichever way; the status tells how.
        let finished = Rc::new(RefCell::new(Vec::<Closure<dyn FnMut()>>::new()));
        let done = Promise::new(&mut |resolve, _reject| {
            let on_end = Closure::<dyn FnMut()>::new(move || {
                let _ = resolve.call0(&JsValue::NULL);
            });
            request.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
            finished.borrow_mut().push(on_end);
        });
        match self.body {
            CarBody::Raw { .. } => request.send_with_opt_blob(Some(car)),
            CarBody::Multipart { part } => {
                let form = FormData::new().map_err(|_| unreachable())?;
                form.append_with_blob_and_filename(part, car, "upload.car")
                    .map_err(|_| unreachable())?;
                request.send_with_opt_form_data(Some(&form))
            }
        }
        .map_err(|_| unreachable())?;
        let _ = JsFuture::from(done).await;
        drop(progress);
        drop(finished);

        // Readable across origins only when the service exposes it
        // (Access-Control-Expose-Headers); otherwise the backoff applies.
        let retry_after = request
            .get_response_header("Retry-After")
            .ok()
            .flatten()
            .and_then(|value| parse_retry_after(&value));
        Ok(AttemptAnswer {
            status: request.status().map_err(|_| unreachable())?,
            body: request.response_text().ok().flatten().unwrap_or_default(),
            retry_after,
        })
    }
}
