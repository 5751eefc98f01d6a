//! nft.storage's HTTP API, `POST {endpoint}/upload` with a CAR body, kept
//! exactly as the service defined it, so that compatible services (and the
//! local one from `npm run dev`) work with the same code. The API token goes
//! only in this request's Authorization header, to this endpoint.

use std::cell::RefCell;
use std::rc::Rc;

use std::time::Duration;

use cid::Cid;
use js_sys::{Math, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

use super::retry::{next_wait, parse_retry_after, AttemptFailure, RetryNotice};
use super::upload_answer::read_upload_answer;
use super::{StorageError, StorageProvider};
use crate::settings::api_token::ApiToken;
use crate::wallet::transactions::sleep;

pub struct NftStorage {
    /// Base URL of the API, without a trailing slash.
    endpoint: String,
    token: ApiToken,
}

/// What one attempt got back; status 0 means no answer at all (a refused
/// or dropped connection, or a CORS refusal).
struct AttemptAnswer {
    status: u16,
    body: String,
    retry_after: Option<Duration>,
}

impl NftStorage {
    pub fn new(endpoint: &str, token: ApiToken) -> Self {
        Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            token,
        }
    }

    /// The service as the user knows it: the endpoint's host.
    fn service_name(&self) -> String {
        let without_scheme = self
            .endpoint
            .split_once("://")
            .map_or(self.endpoint.as_str(), |(_, rest)| rest);
        without_scheme
            .split('/')
            .next()
            .unwrap_or(without_scheme)
            .to_owned()
    }

    fn read(&self, answer: &AttemptAnswer, expected_root: &Cid) -> Result<(), StorageError> {
        read_upload_answer(
            &self.endpoint,
            answer.status,
            &answer.body,
            expected_root,
            self.token.expose(),
        )
    }

    /// One `POST /upload`, with XMLHttpRequest rather than fetch: only it
    /// reports upload progress.
    async fn attempt_upload(
        &self,
        car: &Blob,
        on_progress: Rc<RefCell<impl FnMut(u64, u64) + 'static>>,
    ) -> Result<AttemptAnswer, StorageError> {
        let unreachable = || StorageError::Unreachable {
            endpoint: self.endpoint.clone(),
        };
        let request = XmlHttpRequest::new().map_err(|_| unreachable())?;
        request
            .open("POST", &format!("{}/upload", self.endpoint))
            .map_err(|_| unreachable())?;
        request
            .set_request_header("Authorization", &format!("Bearer {}", self.token.expose()))
            .map_err(|_| unreachable())?;
        request
            .set_request_header("Content-Type", "application/car")
            .map_err(|_| unreachable())?;

        let total = car.size() as u64;
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
            (on_progress.borrow_mut())(event.loaded() as u64, total);
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
        request
            .send_with_opt_blob(Some(car))
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

impl StorageProvider for NftStorage {
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    async fn upload_car(
        &self,
        car: &Blob,
        expected_root: &Cid,
        on_progress: impl FnMut(u64, u64) + 'static,
        on_retry: impl Fn(RetryNotice),
    ) -> Result<(), StorageError> {
        let on_progress = Rc::new(RefCell::new(on_progress));
        let mut attempt = 1;
        loop {
            let answer = self.attempt_upload(car, on_progress.clone()).await?;
            let failure = match answer.status {
                0 => AttemptFailure::Network,
                200..=299 => return self.read(&answer, expected_root),
                status => AttemptFailure::Status(status),
            };
            let Some(wait) = next_wait(attempt, failure, answer.retry_after, Math::random()) else {
                return match failure {
                    AttemptFailure::Network => Err(StorageError::Unreachable {
                        endpoint: self.endpoint.clone(),
                    }),
                    AttemptFailure::Status(_) => self.read(&answer, expected_root),
                };
            };
            attempt += 1;
            on_retry(RetryNotice {
                service: self.service_name(),
                failure,
                wait,
                next_attempt: attempt,
            });
            sleep(wait).await;
        }
    }

    /// nft.storage's public `GET /check/{cid}`: 200 when it holds the CID,
    /// 404 when it does not. No token is sent: the call needs none.
    async fn is_stored(&self, root: &Cid) -> Result<bool, StorageError> {
        let url = format!("{}/check/{root}", self.endpoint);
        let response = gloo_net::http::Request::get(&url)
            .send()
            .await
            .map_err(|_| StorageError::Unreachable {
                endpoint: self.endpoint.clone(),
            })?;
        match response.status() {
            200 => Ok(true),
            404 => Ok(false),
            status => Err(StorageError::Refused {
                endpoint: self.endpoint.clone(),
                status,
                message: "the check call failed".into(),
            }),
        }
    }
}
