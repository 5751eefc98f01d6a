//! The gateway shell: fetches what metadata links to (through an IPFS
//! gateway, or a plain web URL) with a byte cap, since a link from untrusted
//! metadata may lead to a file of any size, and asks for media types. Every
//! request has a timeout, and is aborted when the view that asked for it
//! goes away.

use std::cell::Cell;
use std::rc::Rc;

use gloo_net::http::{Method, Request, RequestBuilder, Response};
use js_sys::{Reflect, Uint8Array};
use leptos::prelude::on_cleanup;
use send_wrapper::SendWrapper;
use thiserror::Error;
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, ReadableStreamDefaultReader};

use crate::gateway_plan::{Failure, REQUEST_TIMEOUT};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GatewayError {
    #[error("{url} could not be reached: the gateway may be down or may refuse requests from this page (CORS). Try again, or choose another gateway in Settings.")]
    Unreachable { url: String },
    #[error("{url} did not answer within {seconds} seconds: the gateway may be down or overloaded. Try again, or choose another gateway in Settings.")]
    TimedOut { url: String, seconds: u64 },
    #[error("{url} answered HTTP {status}{}", status_hint(*.status))]
    Status { url: String, status: u16 },
    #[error("{url} is larger than the {limit} bytes this app reads from it.")]
    TooLarge { url: String, limit: usize },
    #[error("The download of {url} broke off: try again.")]
    Interrupted { url: String },
    #[error("No gateway could serve it. {}", sentences(.failures))]
    AllFailed { failures: Vec<GatewayError> },
}

fn status_hint(status: u16) -> &'static str {
    match status {
        404 | 410 => ": the content is not there, or no longer pinned by any provider.",
        429 => ": the gateway is limiting requests; try again in a minute.",
        500..=599 => ": the gateway failed; try again, or choose another gateway in Settings.",
        _ => ".",
    }
}

fn sentences(failures: &[GatewayError]) -> String {
    failures
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

impl GatewayError {
    /// The error of a read that every gateway failed: the one failure
    /// itself when there was one gateway to ask.
    pub fn from_failures(mut failures: Vec<GatewayError>) -> Self {
        match failures.len() {
            1 => failures.remove(0),
            _ => GatewayError::AllFailed { failures },
        }
    }

    /// How the gateway plan should take this error.
    pub fn failure(&self) -> Failure {
        match self {
            GatewayError::Status { status, .. } => Failure::Status(*status),
            GatewayError::TimedOut { .. } => Failure::TimedOut,
            GatewayError::Unreachable { .. }
            | GatewayError::Interrupted { .. }
            | GatewayError::TooLarge { .. }
            | GatewayError::AllFailed { .. } => Failure::Unreachable,
        }
    }
}

/// What to do with a body longer than the cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// Fail with [`GatewayError::TooLarge`]: the document must be whole.
    Refuse,
    /// Keep the first bytes, for a preview.
    Truncate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    /// The Content-Type the server declared.
    pub content_type: Option<String>,
    /// The body went on past the bytes kept.
    pub truncated: bool,
}

/// GETs `url`, reading at most `limit` bytes of the body. The declared
/// Content-Length is checked first, but the body is counted too, since a
/// server may omit the header or misstate it.
pub async fn fetch_capped(
    url: &str,
    limit: usize,
    overflow: Overflow,
) -> Result<Fetched, GatewayError> {
    let request = Abortable::new(url);
    let response = request.send(Request::get(url)).await?;
    let content_type = response.headers().get("content-type");
    let declared = response
        .headers()
        .get("content-length")
        .and_then(|length| length.trim().parse::<u64>().ok());
    let too_large = || GatewayError::TooLarge {
        url: url.to_owned(),
        limit,
    };
    if overflow == Overflow::Refuse && declared.is_some_and(|length| length > limit as u64) {
        return Err(too_large());
    }
    let (bytes, truncated) = read_body(&response, limit, &request).await?;
    if truncated && overflow == Overflow::Refuse {
        return Err(too_large());
    }
    Ok(Fetched {
        bytes,
        content_type,
        truncated,
    })
}

/// The media type a HEAD request says `url` has, if the server says.
pub async fn content_type(url: &str) -> Result<Option<String>, GatewayError> {
    let request = Abortable::new(url);
    let response = request.send(Request::get(url).method(Method::HEAD)).await?;
    Ok(response.headers().get("content-type"))
}

/// One request and its `AbortController`, aborted when the timeout passes,
/// when the view that asked is cleaned up, or when this is dropped (the
/// future reading it was dropped), whichever comes first.
struct Abortable {
    url: String,
    controller: Option<AbortController>,
    timed_out: Rc<Cell<bool>>,
    timer: Option<(i32, Closure<dyn FnMut()>)>,
}

impl Abortable {
    fn new(url: &str) -> Self {
        let controller = AbortController::new().ok();
        let timed_out = Rc::new(Cell::new(false));
        let timer = controller.clone().and_then(|controller| {
            let flag = Rc::clone(&timed_out);
            let on_timeout = Closure::<dyn FnMut()>::new(move || {
                flag.set(true);
                controller.abort();
            });
            let handle = web_sys::window()?
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    on_timeout.as_ref().unchecked_ref(),
                    REQUEST_TIMEOUT.as_millis() as i32,
                )
                .ok()?;
            Some((handle, on_timeout))
        });
        if let Some(controller) = controller.clone() {
            // The view's owner runs this when it goes away; the wrapper
            // only satisfies leptos' Send bound, as all of this runs on the
            // page's one thread.
            let controller = SendWrapper::new(controller);
            on_cleanup(move || controller.abort());
        }
        Self {
            url: url.to_owned(),
            controller,
            timed_out,
            timer,
        }
    }

    async fn send(&self, builder: RequestBuilder) -> Result<Response, GatewayError> {
        let signal = self.controller.as_ref().map(AbortController::signal);
        // Building fails only for a URL fetch() cannot take at all.
        let response = builder
            .abort_signal(signal.as_ref())
            .build()
            .map_err(|_| self.unreachable())?
            .send()
            .await
            .map_err(|_| self.broke_off(self.unreachable()))?;
        if !response.ok() {
            return Err(GatewayError::Status {
                url: self.url.clone(),
                status: response.status(),
            });
        }
        Ok(response)
    }

    fn unreachable(&self) -> GatewayError {
        GatewayError::Unreachable {
            url: self.url.clone(),
        }
    }

    /// `otherwise`, unless the request failed because its time ran out.
    fn broke_off(&self, otherwise: GatewayError) -> GatewayError {
        if self.timed_out.get() {
            GatewayError::TimedOut {
                url: self.url.clone(),
                seconds: REQUEST_TIMEOUT.as_secs(),
            }
        } else {
            otherwise
        }
    }
}

impl Drop for Abortable {
    fn drop(&mut self) {
        if let (Some(window), Some((handle, _))) = (web_sys::window(), &self.timer) {
            window.clear_timeout_with_handle(*handle);
        }
        // A request already answered in full ignores this.
        if let Some(controller) = &self.controller {
            controller.abort();
        }
    }
}

/// Reads the body as a stream until it ends or passes `limit`, then stops
/// the download; returns the bytes kept and whether there were more.
async fn read_body(
    response: &Response,
    limit: usize,
    request: &Abortable,
) -> Result<(Vec<u8>, bool), GatewayError> {
    let Some(stream) = response.body() else {
        return Ok((Vec::new(), false));
    };
    let interrupted = |_| {
        request.broke_off(GatewayError::Interrupted {
            url: request.url.clone(),
        })
    };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let step = JsFuture::from(reader.read()).await.map_err(interrupted)?;
        let done = Reflect::get(&step, &JsValue::from_str("done"))
            .ok()
            .and_then(|done| done.as_bool())
            .unwrap_or(true);
        if done {
            return Ok((bytes, false));
        }
        let piece: Uint8Array = Reflect::get(&step, &JsValue::from_str("value"))
            .map_err(interrupted)?
            .unchecked_into();
        let room = limit - bytes.len();
        if piece.length() as usize > room {
            bytes.extend(piece.subarray(0, room as u32).to_vec());
            // Stops the transfer; its promise only reports the cancel itself.
            let _ = reader.cancel();
            return Ok((bytes, true));
        }
        bytes.extend(piece.to_vec());
    }
}
