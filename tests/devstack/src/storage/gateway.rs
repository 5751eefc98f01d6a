//! A path gateway over the stored blocks: `GET /ipfs/{cid}[/path]` answers
//! with the file's bytes, or a plain listing for a directory; and, as
//! trustless gateways do, `GET /ipfs/{cid}?format=raw` (or `Accept:
//! application/vnd.ipld.raw`) answers with the block itself, which a client
//! can check against the CID.

use std::sync::Arc;

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minty::ipfs::resolve::{decode_dag_pb, read_file, resolve_path, BlockSource, ResolveError};
use minty::ipfs::unixfs::NodeType;
use minty::ipfs::uri::RAW_BLOCK_MEDIA_TYPE;
use minty::ipfs::Cid;

use super::content_type::content_type_for;
use super::StorageState;

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
    serve(state, cid, String::new()).await
}

fn raw_block(state: &StorageState, cid: &str) -> Response {
    let Ok(cid) = cid.parse::<Cid>() else {
        return (StatusCode::BAD_REQUEST, format!("invalid CID: {cid}")).into_response();
    };
    match state.blocks.block_bytes(&cid) {
        Some(bytes) => {
            let mut response = maybe_corrupt(state, bytes.into_owned()).into_response();
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

/// Test switch: a gateway that alters what it serves.
fn maybe_corrupt(state: &StorageState, mut bytes: Vec<u8>) -> Vec<u8> {
    if state.corrupt_gateway.load(Ordering::Relaxed) {
        match bytes.last_mut() {
            Some(last) => *last ^= 0x01,
            None => bytes.push(0),
        }
    }
    bytes
}

pub async fn serve_path(
    state: State<Arc<StorageState>>,
    Path((cid, path)): Path<(String, String)>,
) -> Response {
    serve(state, cid, path).await
}

async fn serve(State(state): State<Arc<StorageState>>, cid: String, path: String) -> Response {
    let Ok(root) = cid.parse::<Cid>() else {
        return (StatusCode::BAD_REQUEST, format!("invalid CID: {cid}")).into_response();
    };
    tokio::task::spawn_blocking(move || answer(&state, root, &path))
        .await
        .unwrap_or_else(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response())
}

fn answer(state: &StorageState, root: Cid, path: &str) -> Response {
    let result = resolve_path(&state.blocks, &root, path).and_then(|target| {
        let listing = directory_listing(state, &target, &root, path)?;
        match listing {
            Some(html) => Ok((target, "text/html; charset=utf-8", html.into_bytes())),
            None => {
                let bytes = read_file(&state.blocks, &root, path)?;
                let file_name = path.rsplit('/').next().filter(|name| !name.is_empty());
                Ok((target, content_type_for(file_name, &bytes), bytes))
            }
        }
    });
    match result {
        Ok((target, content_type, bytes)) => {
            let mut response = maybe_corrupt(state, bytes).into_response();
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

/// An HTML listing when `target` is a directory; names are escaped.
fn directory_listing(
    state: &StorageState,
    target: &Cid,
    root: &Cid,
    path: &str,
) -> Result<Option<String>, ResolveError> {
    if target.codec() != minty::ipfs::block::DAG_PB_CODEC {
        return Ok(None);
    }
    let (node, data) = decode_dag_pb(&state.blocks, target)?;
    if data.node_type != NodeType::Directory {
        return Ok(None);
    }
    let base = format!("/ipfs/{root}/{}", path.trim_end_matches('/'));
    let base = base.trim_end_matches('/');
    let mut html = format!(
        "<!doctype html><meta charset=utf-8><title>{}</title><ul>",
        escape(&base[6..])
    );
    for link in &node.links {
        let name = link.name.as_deref().unwrap_or_default();
        html.push_str(&format!(
            "<li><a href=\"{}/{}\">{}</a></li>",
            escape(base),
            escape(&percent_encode(name)),
            escape(name)
        ));
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

fn percent_encode(name: &str) -> String {
    name.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}
