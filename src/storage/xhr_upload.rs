//! One way to upload a Blob (a CAR, a picked file or a slice of one) from
//! the browser, for every provider: an XMLHttpRequest (only it reports
//! upload progress), watched for stalls, abortable by Cancel, and tried
//! again as [`super::retry`] says, with each wait reported.

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
use super::{landed_elsewhere, StorageError};

/// Test-only: a shorter idle watchdog, set at build time by the local
/// stack's test mode (`minty-devstack up --storage-test-switches`) so the
/// stall story does not wait a minute. Debug builds only; see
/// [`upload_idle_timeout`].
const TEST_UPLOAD_IDLE_SECS: Option<&str> = option_env!("MINTY_TEST_UPLOAD_IDLE_SECS");

/// How often the watchdog looks at the time since the last progress event.
const WATCHDOG_TICK_MS: i32 = 1000;

/// How the Blob goes in the request body.
#[derive(Clone, Copy)]
pub enum BlobBody<'a> {
    /// The Blob as the whole body, with this Content-Type.
    Raw { content_type: &'static str },
    /// A `multipart/form-data` body with the Blob as the part `part`, named
    /// `file_name`, then each of `fields` as a text part; the browser sets
    /// the Content-Type and its boundary, so a local node is asked no CORS
    /// preflight for it.
    Multipart {
        part: &'static str,
        file_name: &'a str,
        fields: &'a [(&'static str, String)],
    },
    /// No body at all: the Blob is not sent (TUS's creation and HEAD).
    Empty,
}

/// One request as a provider makes it.
pub struct BlobUpload<'a> {
    /// `POST` for every provider's upload; TUS adds `PATCH` and `HEAD`.
    pub method: &'static str,
    /// The full URL, query included.
    pub url: String,
    /// The API base URL the user configured, named in errors.
    pub endpoint: &'a str,
    /// Sent as `Authorization: Bearer …` when there is one.
    pub bearer: Option<&'a str>,
    /// Further request headers (TUS's).
    pub headers: &'a [(&'static str, String)],
    pub body: BlobBody<'a>,
    /// Aborted when the creator presses Cancel.
    pub cancel: Option<&'a AbortSignal>,
    /// Answer headers to read, each of which a service on another origin
    /// must list in Access-Control-Expose-Headers.
    pub read_headers: &'a [&'static str],
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
    /// The answer's values of the upload's `read_headers`.
    pub headers: Vec<(&'static str, Option<String>)>,
}

impl AttemptAnswer {
    /// The value of `name`, one of the upload's `read_headers`.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(read, _)| read.eq_ignore_ascii_case(name))
            .and_then(|(_, value)| value.as_deref())
    }

    /// How the attempt failed, or `None` when it succeeded (2xx).
    pub fn failure(&self) -> Option<AttemptFailure> {
        AttemptFailure::of_attempt(self.status, self.bytes_sent, self.stalled)
    }
}

/// The idle watchdog's limit in this build.
pub fn idle_limit() -> Duration {
    upload_idle_timeout(TEST_UPLOAD_IDLE_SECS, cfg!(debug_assertions))
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

impl BlobUpload<'_> {
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
        let idle_limit = idle_limit();
        let mut attempt = 1;
        loop {
            if self.is_cancelled() {
                return Err(StorageError::Cancelled);
            }
            let answer = self.attempt(car, on_progress.clone(), idle_limit).await?;
            let Some(failure) = answer.failure() else {
                return read(&answer);
            };
            match self.after_failure(attempt, failure, &answer) {
                Some(notice) => {
                    attempt = notice.next_attempt;
                    let wait = notice.wait;
                    on_retry(notice);
                    self.pause(wait).await;
                }
                None => {
                    return match failure {
                        AttemptFailure::Status(_) => read(&answer),
                        other => Err(self.gave_up(other, attempt, idle_limit)),
                    };
                }
            }
        }
    }

    /// What to do after failed attempt number `attempt`: the notice of the
    /// next attempt and its wait, or `None` to give up.
    pub fn after_failure(
        &self,
        attempt: u32,
        failure: AttemptFailure,
        answer: &AttemptAnswer,
    ) -> Option<RetryNotice> {
        let wait = next_wait(attempt, failure, answer.retry_after, Math::random())?;
        Some(RetryNotice {
            service: service_name(self.endpoint),
            failure,
            wait,
            next_attempt: attempt + 1,
        })
    }

    /// The error for a failure without an answer after `attempts` attempts.
    pub fn gave_up(
        &self,
        failure: AttemptFailure,
        attempts: u32,
        idle_limit: Duration,
    ) -> StorageError {
        let endpoint = self.endpoint.to_owned();
        match failure {
            AttemptFailure::Dropped => StorageError::ConnectionDropped { endpoint, attempts },
            AttemptFailure::Stalled => StorageError::Stalled {
                endpoint,
                idle_secs: idle_limit.as_secs(),
                attempts,
            },
            AttemptFailure::Unreachable | AttemptFailure::Status(_) => {
                StorageError::Unreachable { endpoint }
            }
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_some_and(AbortSignal::aborted)
    }

    /// Waits `wait`, or less when the upload is cancelled meanwhile.
    pub async fn pause(&self, wait: Duration) {
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

    /// One attempt, whatever its outcome; only a Cancel or a browser that
    /// cannot make the request at all is an error.
    pub async fn attempt(
        &self,
        car: &Blob,
        on_progress: Rc<RefCell<impl FnMut(u64, u64) + 'static>>,
        idle_limit: Duration,
    ) -> Result<AttemptAnswer, StorageError> {
        let unreachable = || self.unreachable();
        let request = XmlHttpRequest::new().map_err(|_| unreachable())?;
        request
            .open(self.method, &self.url)
            .map_err(|_| unreachable())?;
        if let Some(token) = self.bearer {
            request
                .set_request_header("Authorization", &format!("Bearer {token}"))
                .map_err(|_| unreachable())?;
        }
        for (name, value) in self.headers {
            request
                .set_request_header(name, value)
                .map_err(|_| unreachable())?;
        }
        if let BlobBody::Raw { content_type } = self.body {
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
            BlobBody::Raw { .. } => request.send_with_opt_blob(Some(car)),
            BlobBody::Multipart {
                part,
                file_name,
                fields,
            } => {
                let form = FormData::new().map_err(|_| unreachable())?;
                form.append_with_blob_and_filename(part, car, file_name)
                    .map_err(|_| unreachable())?;
                for (name, value) in fields {
                    form.append_with_str(name, value)
                        .map_err(|_| unreachable())?;
                }
                request.send_with_opt_form_data(Some(&form))
            }
            BlobBody::Empty => request.send(),
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
        // XMLHttpRequest follows redirects before the app can refuse them;
        // an answer from another origin is not the endpoint's, whatever it says.
        if let Some(to) = landed_elsewhere(&self.url, &request.response_url()) {
            return Err(StorageError::RedirectedElsewhere {
                endpoint: self.endpoint.to_owned(),
                to,
            });
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
            headers: self
                .read_headers
                .iter()
                .map(|name| (*name, request.get_response_header(name).ok().flatten()))
                .collect(),
        })
    }
}
