//! The gateway shell: fetches what metadata links to (through an IPFS
//! gateway, or a plain web URL) with a byte cap, since a link from untrusted
//! metadata may lead to a file of any size, and asks for media types.

use gloo_net::http::{Method, Request, Response};
use js_sys::{Reflect, Uint8Array};
use thiserror::Error;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::ReadableStreamDefaultReader;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GatewayError {
    #[error("{url} could not be reached: the gateway may be down or may refuse requests from this page (CORS). Try again, or choose another gateway in Settings.")]
    Unreachable { url: String },
    #[error("{url} answered HTTP {status}{}", status_hint(*.status))]
    Status { url: String, status: u16 },
    #[error("{url} is larger than the {limit} bytes this app reads from it.")]
    TooLarge { url: String, limit: usize },
    #[error("The download of {url} broke off: try again.")]
    Interrupted { url: String },
}

fn status_hint(status: u16) -> &'static str {
    match status {
        404 | 410 => ": the content is not there, or no longer pinned by any provider.",
        429 => ": the gateway is limiting requests; try again in a minute.",
        500..=599 => ": the gateway failed; try again, or choose another gateway in Settings.",
        _ => ".",
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
    let response = send(Request::get(url).build(), url).await?;
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
    let (bytes, truncated) = read_body(&response, limit, url).await?;
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
    let response = send(Request::get(url).method(Method::HEAD).build(), url).await?;
    Ok(response.headers().get("content-type"))
}

async fn send(
    request: Result<Request, gloo_net::Error>,
    url: &str,
) -> Result<Response, GatewayError> {
    let unreachable = || GatewayError::Unreachable {
        url: url.to_owned(),
    };
    // Building fails only for a URL fetch() cannot take at all.
    let response = request
        .map_err(|_| unreachable())?
        .send()
        .await
        .map_err(|_| unreachable())?;
    if !response.ok() {
        return Err(GatewayError::Status {
            url: url.to_owned(),
            status: response.status(),
        });
    }
    Ok(response)
}

/// Reads the body as a stream until it ends or passes `limit`, then stops
/// the download; returns the bytes kept and whether there were more.
async fn read_body(
    response: &Response,
    limit: usize,
    url: &str,
) -> Result<(Vec<u8>, bool), GatewayError> {
    let Some(stream) = response.body() else {
        return Ok((Vec::new(), false));
    };
    let interrupted = |_| GatewayError::Interrupted {
        url: url.to_owned(),
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
