//! One way to upload a CAR from the browser, for every provider: an
//! XMLHttpRequest (only it reports upload progress), watched for stalls,
//! abortable by Cancel, and tried again as [`super::retry`] says, with each
//! wait reported.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Date, Math, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Blob, FormData, ProgressEvent, XmlHttpRequest};

use super::retry::{
    next_wait, parse_retry_after, upload_idle_timeout, AttemptFailure, RetryNotice,
};
use super::StorageError;

/// Test-only: a shorter idle watchdog, set at build time by the local
/// stack's test mode (`minty-devstack up --storage-test-switches`) so the
/// stall story does not wait a minute. Debug builds only; see
/// [`upload_idle_timeout`].
const TEST_UPLOAD_IDLE_SECS: Option<&str> = option_env!("MINTY_TEST_UPLOAD_IDLE_SECS");

/// How often the watchdog looks at the time since the last progress event.
const WATCHDOG_TICK_MS: i32 = 1000;

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
    /// Aborted when the creator presses Cancel.
    pub cancel: Option<&'a AbortSignal>,
}

/// What one attempt got back; status 0 means no answer at all (a refused
/// or dropped connection, or a CORS refusal).
pub struct AttemptAnswer {
    pub status: u16,
    pub body: String,
    pub retry_after: Option<Duration>,
    /// Bytes of the body sent, as the last progress event reported them.
    pub bytes_sent: u64,
    /// The idle watchdog aborted the attempt.
    pub stalled: bool,
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
        let idle_limit = upload_idle_timeout(TEST_UPLOAD_IDLE_SECS, cfg!(debug_assertions));
        let mut attempt = 1;
        loop {
            if self.is_cancelled() {
                return Err(StorageError::Cancelled);
            }
            let answer = self.attempt(car, on_progress.clone(), idle_limit).await?;
            let Some(failure) =
                AttemptFailure::of_attempt(answer.status, answer.bytes_sent, answer.stalled)
            else {
                return read(&answer);
            };
            let Some(wait) = next_wait(attempt, failure, answer.retry_after, Math::random()) else {
                let endpoint = self.endpoint.to_owned();
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
            self.pause(wait).await;
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.is_some_and(AbortSignal::aborted)
    }

    /// Waits `wait`, or less when the upload is cancelled meanwhile.
    async fn pause(&self, wait: Duration) {
        let promise = Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                    &resolve,
                    wait.as_millis() as i32,
                );
            }
            if let Some(signal) = self.cancel {
                let _ = signal.add_event_listener_with_callback("abort", &resolve);
            }
        });
        let _ = JsFuture::from(promise).await;
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
        idle_limit: Duration,
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
        let bytes_sent = Rc::new(Cell::new(0_u64));
        let last_progress = Rc::new(Cell::new(Date::now()));
        let progress = {
            let (bytes_sent, last_progress) = (bytes_sent.clone(), last_progress.clone());
            Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
                last_progress.set(Date::now());
                let loaded = event.loaded() as u64;
                bytes_sent.set(bytes_sent.get().max(loaded));
                (on_progress.borrow_mut())(loaded.min(total), total);
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
        if let Some(signal) = self.cancel {
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
        window.clear_interval_with_handle(watchdog_id);
        if let Some(signal) = self.cancel {
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
