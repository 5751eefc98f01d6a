//! A path gateway over the stored blocks: `GET /ipfs/{cid}[/path]` answers
//! with the file's bytes, or a plain listing for a directory; and, as
//! trustless gateways do, `GET /ipfs/{cid}?format=raw` (or `Accept:
//! application/vnd.ipld.raw`) answers with the block itself, which a client
//! can check against the CID.
//!
//! Paths are decoded segment by segment with the app's own URI core, and
//! every file is read within a budget, since anyone can upload a DAG bomb.

use std::sync::Arc;

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use minty::ipfs::file_reader::{read_file, ReadBudget};
use minty::ipfs::resolve::{list_directory, resolve_path, BlockSource, ResolveError};
use minty::ipfs::uri::{parse_path, IpfsPath, RAW_BLOCK_MEDIA_TYPE};
use minty::ipfs::Cid;

use super::content_type::content_type_for;
use super::pinata_tus::MAX_UPLOAD_LENGTH as MAX_TUS_UPLOAD_BYTES;
use super::StorageState;

/// The largest file the gateway serves: the largest upload (a resumable
/// one, to Pinata), since a DAG that expands past it was built to.
const MAX_SERVED_BYTES: u64 = MAX_TUS_UPLOAD_BYTES;

/// The most blocks a directory listing reads: a HAMT of 70,000 entries is
/// about 300 shards, and a hand-made one could be millions.
const MAX_LISTED_BLOCKS: usize = 4_096;

pub async fn serve_root(
    state: State<Arc<StorageState>>,
    Path(cid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let wants_raw = query.get("format").is_some_and(|format| format == "raw")
        || headers
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains(RAW_BLOCK_MEDIA_TYPE));
    if wants_raw {
        return raw_block(&state, &cid);
    }
    serve(state, cid, "").await
}

fn raw_block(state: &StorageState, cid: &str) -> Response {
    let Ok(cid) = cid.parse::<Cid>() else {
        return (StatusCode::BAD_REQUEST, format!("invalid CID: {cid}")).into_response();
    };
    match state.blocks.block_bytes(&cid) {
        Some(bytes) => {
            let mut response = maybe_corrupt(state, Some(&cid), bytes.into_owned()).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(RAW_BLOCK_MEDIA_TYPE),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            response
        }
        None => (
            StatusCode::NOT_FOUND,
            format!("block {cid} is not stored here"),
        )
            .into_response(),
    }
}

/// Test switch: what the gateway alters, set by `POST
/// /__test/corrupt-gateway` with the body `on` (every answer), a CID (only
/// that block's raw answers: a gateway that lies about one block of a DAG)
/// or `off`.
#[derive(Debug, Default)]
pub struct Corruption(Mutex<Altered>);

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Altered {
    #[default]
    Nothing,
    Everything,
    Block(Cid),
}

impl Corruption {
    pub fn set(&self, body: &str) -> Result<(), String> {
        let altered = match body.trim() {
            "on" => Altered::Everything,
            "off" => Altered::Nothing,
            cid => Altered::Block(
                cid.parse()
                    .map_err(|_| format!("expected on, off or a CID, not {cid:?}"))?,
            ),
        };
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = altered;
        Ok(())
    }

    /// Whether an answer is altered: a raw block's names its CID.
    fn alters(&self, block: Option<&Cid>) -> bool {
        match *self.0.lock().unwrap_or_else(|e| e.into_inner()) {
            Altered::Nothing => false,
            Altered::Everything => true,
            Altered::Block(cid) => block == Some(&cid),
        }
    }
}

/// Flips the last bit of an answer the test switch says to alter.
fn maybe_corrupt(state: &StorageState, block: Option<&Cid>, mut bytes: Vec<u8>) -> Vec<u8> {
    if state.corrupt_gateway.alters(block) {
        match bytes.last_mut() {
            Some(last) => *last ^= 0x01,
            None => bytes.push(0),
        }
    }
    bytes
}

/// `GET /ipfs/{cid}/{*path}`. The path is taken from the request as sent,
/// still percent-encoded, because axum's `Path` decodes it whole: "a%2Fb"
/// would become two names, and "%2E%2E" a dot segment.
pub async fn serve_path(
    state: State<Arc<StorageState>>,
    Path((cid, _)): Path<(String, String)>,
    uri: Uri,
) -> Response {
    let encoded_path = uri
        .path()
        .strip_prefix("/ipfs/")
        .and_then(|rest| rest.split_once('/'))
        .map_or("", |(_, path)| path);
    serve(state, cid, encoded_path).await
}

async fn serve(
    State(state): State<Arc<StorageState>>,
    cid: String,
    encoded_path: &str,
) -> Response {
    let Ok(root) = cid.parse::<Cid>() else {
        return (StatusCode::BAD_REQUEST, format!("invalid CID: {cid}")).into_response();
    };
    let address = match parse_path(encoded_path).and_then(|segments| IpfsPath::new(root, segments))
    {
        Ok(address) => address,
        Err(error) => return (StatusCode::BAD_REQUEST, error.to_string()).into_response(),
    };
    tokio::task::spawn_blocking(move || answer(&state, &address))
        .await
        .unwrap_or_else(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response())
}

// ResolveError carries CIDs, so it is large; it is made once per request.
#[allow(clippy::result_large_err)]
fn answer(state: &StorageState, address: &IpfsPath) -> Response {
    let result = resolve_path(&state.blocks, address).and_then(|target| {
        let listing = directory_listing(state, &target, address)?;
        match listing {
            Some(html) => Ok((target, "text/html; charset=utf-8", html.into_bytes())),
            None => {
                // Read from the resolved target, within the budget.
                let file = IpfsPath::root(target);
                let bytes = read_file(&state.blocks, &file, ReadBudget::new(MAX_SERVED_BYTES))?;
                Ok((target, content_type_for(address.file_name(), &bytes), bytes))
            }
        }
    });
    match result {
        Ok((target, content_type, bytes)) => {
            let mut response = maybe_corrupt(state, None, bytes).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            // Content under a CID never changes.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=29030400, immutable"),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            if let Ok(etag) = HeaderValue::from_str(&format!("\"{target}\"")) {
                headers.insert(header::ETAG, etag);
            }
            response
        }
        Err(ResolveError::MissingBlock(cid)) => (
            StatusCode::NOT_FOUND,
            format!("block {cid} is not stored here"),
        )
            .into_response(),
        Err(error @ ResolveError::NoSuchEntry { .. }) => {
            (StatusCode::NOT_FOUND, error.to_string()).into_response()
        }
        Err(error) => (StatusCode::BAD_GATEWAY, error.to_string()).into_response(),
    }
}

/// An HTML listing when `target` is a directory, flat or sharded; names
/// are escaped, and each link is built by the app's one gateway URL builder.
#[allow(clippy::result_large_err)]
fn directory_listing(
    state: &StorageState,
    target: &Cid,
    address: &IpfsPath,
) -> Result<Option<String>, ResolveError> {
    let Some(entries) = list_directory(&state.blocks, target, MAX_LISTED_BLOCKS)? else {
        return Ok(None);
    };
    let title = [address.cid.to_string()]
        .into_iter()
        .chain(address.segments().iter().cloned())
        .collect::<Vec<_>>()
        .join("/");
    let mut html = format!(
        "<!doctype html><meta charset=utf-8><title>{}</title><ul>",
        escape(&title)
    );
    for (name, _) in &entries {
        // An entry no URL can name (".." in a hand-made DAG) is listed
        // without a link.
        let href = address.join(name).map(|entry| entry.gateway_url("/ipfs/"));
        match href {
            Ok(href) => html.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>",
                escape(&href),
                escape(name)
            )),
            Err(_) => html.push_str(&format!("<li>{}</li>", escape(name))),
        }
    }
    html.push_str("</ul>");
    Ok(Some(html))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
