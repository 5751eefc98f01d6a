//! nft.storage's HTTP API, `POST {endpoint}/upload` with a CAR body, kept
//! exactly as the service defined it, so that compatible services (and the
//! local one from `npm run dev`) work with the same code. The API token goes
//! only in this request's Authorization header, to this endpoint.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use std::time::Duration;

use cid::Cid;
use js_sys::{Date, Math, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Blob, ProgressEvent, XmlHttpRequest};

use super::retry::{
    next_wait, parse_retry_after, upload_idle_timeout, AttemptFailure, RetryNotice,
};
use super::upload_answer::read_upload_answer;
use super::{StorageError, StorageProvider};
use crate::settings::api_token::ApiToken;

/// Test-only: a shorter idle watchdog, set at build time by the local
/// stack's test mode (`minty-devstack up --storage-test-switches`) so the
/// stall story does not wait a minute. Debug builds only; see
/// [`upload_idle_timeout`].
const TEST_UPLOAD_IDLE_SECS: Option<&str> = option_env!("MINTY_TEST_UPLOAD_IDLE_SECS");

/// How often the watchdog looks at the time since the last progress event.
const WATCHDOG_TICK_MS: i32 = 1000;

pub struct NftStorage {
    /// Base URL of the API, without a trailing slash.
    endpoint: String,
    token: ApiToken,
    /// Aborted when the creator presses Cancel.
    cancel: Option<AbortSignal>,
}

/// What one attempt got back; status 0 means no answer at all (a refused
/// or dropped connection, or a CORS refusal).
struct AttemptAnswer {
    status: u16,
    body: String,
    retry_after: Option<Duration>,
    /// Bytes of the body sent, as the last progress event reported them.
    bytes_sent: u64,
    /// The idle watchdog aborted the attempt.
    stalled: bool,
}

impl NftStorage {
    pub fn new(endpoint: &str, token: ApiToken) -> Self {
        Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            token,
            cancel: None,
        }
    }

    /// Uploads end with [`StorageError::Cancelled`] once `signal` aborts.
    pub fn cancelled_by(mut self, signal: AbortSignal) -> Self {
        self.cancel = Some(signal);
        self
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(AbortSignal::aborted)
    }

    /// Waits `wait`, or less when the upload is cancelled meanwhile.
    async fn pause(&self, wait: Duration) {
        let cancel = self.cancel.clone();
        let promise = Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    wait.as_millis() as i32,
                );
            }
            if let Some(signal) = &cancel {
                let _ = signal.add_event_listener_with_callback("abort", &resolve);
            }
        });
        let _ = JsFuture::from(promise).await;
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
        let bytes_sent = Rc::new(Cell::new(0_u64));
        let last_progress = Rc::new(Cell::new(Date::now()));
        let progress = {
            let (bytes_sent, last_progress) = (bytes_sent.clone(), last_progress.clone());
            Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
                last_progress.set(Date::now());
                let loaded = event.loaded() as u64;
                bytes_sent.set(bytes_sent.get().max(loaded));
                (on_progress.borrow_mut())(loaded, total);
            })
        };
        // The answer's progress counts too: a service still answering is alive.
        let answer_progress = {
            let last_progress = last_progress.clone();
            Closure::<dyn FnMut()>::new(move || last_progress.set(Date::now()))
        };
        if let Ok(upload) = request.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
            upload.set_onload(Some(answer_progress.as_ref().unchecked_ref()));
        }
        request.set_onprogress(Some(answer_progress.as_ref().unchecked_ref()));

        // The idle watchdog: no progress for the limit aborts the attempt.
        let idle_limit = upload_idle_timeout(TEST_UPLOAD_IDLE_SECS, cfg!(debug_assertions));
        let stalled = Rc::new(Cell::new(false));
        let watchdog = {
            let (request, stalled) = (request.clone(), stalled.clone());
            Closure::<dyn FnMut()>::new(move || {
                if !stalled.get()
                    && Date::now() - last_progress.get() > idle_limit.as_millis() as f64
                {
                    stalled.set(true);
                    let _ = request.abort();
                }
            })
        };
        let window = web_sys::window().ok_or_else(unreachable)?;
        let watchdog_id = window
            .set_interval_with_callback_and_timeout_and_arguments_0(
                watchdog.as_ref().unchecked_ref(),
                WATCHDOG_TICK_MS,
            )
            .map_err(|_| unreachable())?;

        // Cancel aborts the request in flight.
        let abort = {
            let request = request.clone();
            Closure::<dyn FnMut()>::new(move || {
                let _ = request.abort();
            })
        };
        if let Some(signal) = &self.cancel {
            let _ =
                signal.add_event_listener_with_callback("abort", abort.as_ref().unchecked_ref());
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
        window.clear_interval_with_handle(watchdog_id);
        if let Some(signal) = &self.cancel {
            let _ =
                signal.remove_event_listener_with_callback("abort", abort.as_ref().unchecked_ref());
        }
        drop((progress, answer_progress, watchdog, abort, finished));
        if self.is_cancelled() {
            return Err(StorageError::Cancelled);
        }

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
            bytes_sent: bytes_sent.get(),
            stalled: stalled.get(),
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
        let idle_limit = upload_idle_timeout(TEST_UPLOAD_IDLE_SECS, cfg!(debug_assertions));
        loop {
            if self.is_cancelled() {
                return Err(StorageError::Cancelled);
            }
            let answer = self.attempt_upload(car, on_progress.clone()).await?;
            let Some(failure) =
                AttemptFailure::of_attempt(answer.status, answer.bytes_sent, answer.stalled)
            else {
                return self.read(&answer, expected_root);
            };
            let Some(wait) = next_wait(attempt, failure, answer.retry_after, Math::random()) else {
                let endpoint = self.endpoint.clone();
                return match failure {
                    AttemptFailure::Unreachable => Err(StorageError::Unreachable { endpoint }),
                    AttemptFailure::Dropped => Err(StorageError::ConnectionDropped {
                        endpoint,
                        attempts: attempt,
                    }),
                    AttemptFailure::Stalled => Err(StorageError::Stalled {
                        endpoint,
                        idle_secs: idle_limit.as_secs(),
                        attempts: attempt,
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
            self.pause(wait).await;
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
