//! The Pinning Services API over fetch: `POST {endpoint}/pins` and
//! `GET {endpoint}/pins/{requestid}`, with the service's own token in the
//! Authorization header and nowhere else. Each attempt has a timeout;
//! network failures, 429 and 5xx are tried again as uploads are (see
//! `storage::retry`), 400, 401 and 403 never.

use std::time::Duration;

use cid::Cid;
use gloo_net::http::{Method, Request};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::AbortController;

use super::psa_answer::{add_pin_body, pin_url, pins_url, read_pin_status, PinStatus};
use super::services::PinningService;
use super::PinError;
use crate::gateway_plan::REQUEST_TIMEOUT;
use crate::settings::api_token::ApiToken;
use crate::storage::retry::{next_wait, parse_retry_after, AttemptFailure, RetryNotice};
use crate::wallet::transactions::sleep;

pub struct PsaClient {
    name: String,
    endpoint: String,
    token: ApiToken,
}

/// An answer, whatever its status.
struct Answer {
    status: u16,
    retry_after: Option<Duration>,
    body: String,
}

impl PsaClient {
    /// A client for `service`, if its token may go to its endpoint.
    pub fn new(service: &PinningService) -> Result<Self, PinError> {
        let token = service.token_for_requests()?.clone();
        Ok(Self {
            name: service.name.clone(),
            endpoint: service.endpoint.clone(),
            token,
        })
    }

    /// Asks the service to pin `cid` under `name`; it answers 202 with the
    /// new request's status.
    pub async fn add_pin(
        &self,
        cid: &Cid,
        name: &str,
        on_retry: impl Fn(RetryNotice),
    ) -> Result<PinStatus, PinError> {
        let body = add_pin_body(cid, name);
        self.call(
            Method::POST,
            &pins_url(&self.endpoint),
            Some(&body),
            cid,
            on_retry,
        )
        .await
    }

    /// The current status of request `requestid`, which pins `cid`.
    pub async fn pin_status(
        &self,
        requestid: &str,
        cid: &Cid,
        on_retry: impl Fn(RetryNotice),
    ) -> Result<PinStatus, PinError> {
        let url = pin_url(&self.endpoint, requestid);
        self.call(Method::GET, &url, None, cid, on_retry).await
    }

    async fn call(
        &self,
        method: Method,
        url: &str,
        body: Option<&str>,
        cid: &Cid,
        on_retry: impl Fn(RetryNotice),
    ) -> Result<PinStatus, PinError> {
        let read = |answer: &Answer| {
            read_pin_status(
                &self.name,
                answer.status,
                &answer.body,
                cid,
                self.token.expose(),
            )
        };
        let mut attempt = 1;
        loop {
            let answer = self.send_once(method.clone(), url, body).await;
            let (failure, retry_after) = match &answer {
                None => (AttemptFailure::Unreachable, None),
                Some(answer) => match AttemptFailure::of_attempt(answer.status, 0, false) {
                    None => return read(answer),
                    Some(failure) => (failure, answer.retry_after),
                },
            };
            let Some(wait) = next_wait(attempt, failure, retry_after, js_sys::Math::random())
            else {
                return match answer {
                    Some(answer) => read(&answer),
                    None => Err(PinError::Unreachable {
                        service: self.name.clone(),
                        endpoint: self.endpoint.clone(),
                    }),
                };
            };
            attempt += 1;
            on_retry(RetryNotice {
                service: self.name.clone(),
                failure,
                wait,
                next_attempt: attempt,
            });
            sleep(wait).await;
        }
    }

    /// One request, aborted after [`REQUEST_TIMEOUT`]; `None` when no
    /// answer came (refused, unreachable, CORS, timed out).
    async fn send_once(&self, method: Method, url: &str, body: Option<&str>) -> Option<Answer> {
        let controller = AbortController::new().ok()?;
        let abort = {
            let controller = controller.clone();
            Closure::<dyn FnMut()>::new(move || controller.abort())
        };
        let window = web_sys::window()?;
        let timer = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                abort.as_ref().unchecked_ref(),
                REQUEST_TIMEOUT.as_millis() as i32,
            )
            .ok();
        let signal = controller.signal();
        let builder = Request::get(url)
            .method(method)
            .header("Authorization", &format!("Bearer {}", self.token.expose()))
            .abort_signal(Some(&signal));
        let request = match body {
            Some(body) => builder
                .header("Content-Type", "application/json")
                .body(body.to_owned()),
            None => builder.build(),
        };
        let answer = async {
            let response = request.ok()?.send().await.ok()?;
            let retry_after = response
                .headers()
                .get("retry-after")
                .as_deref()
                .and_then(parse_retry_after);
            let body = response.text().await.ok()?;
            Some(Answer {
                status: response.status(),
                retry_after,
                body,
            })
        }
        .await;
        if let Some(timer) = timer {
            window.clear_timeout_with_handle(timer);
        }
        drop(abort);
        answer
    }
}
