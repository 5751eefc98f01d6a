//! The local storage service: nft.storage's HTTP API (`POST /upload`,
//! `GET /check/{cid}`, `GET /{cid}`), Kubo's RPC `dag/import` and `pin/ls`,
//! Pinata's `pinFileToIPFS` and v3 resumable uploads (its API and uploads
//! origins both served here: the app takes each as a configured base URL),
//! plus an IPFS path gateway
//! (`GET /ipfs/{cid}[/path]`), backed by a directory that persists.
//!
//! It stands in for nft.storage, whose Classic upload API stopped accepting
//! data on 2024-06-30, during development and tests. CIDs are computed with
//! the app's own importer under the `nft-storage` profile, as the nft.storage
//! client computed them.

pub mod api;
pub mod blockstore;
pub mod completeness;
pub mod content_type;
pub mod faults;
pub mod gateway;
pub mod kubo;
pub mod pinata;
pub mod pinata_tus;
pub mod psa;
pub mod uploads;

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, head, post};
use axum::Router;

use blockstore::Blockstore;
use uploads::UploadIndex;

/// nft.storage accepted at most 100 MiB per `/upload` request.
pub const MAX_UPLOAD_BYTES: usize = 100 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct StorageConfig {
    pub data_dir: PathBuf,
    /// When set, only this token is accepted; otherwise any non-empty one.
    pub required_token: Option<String>,
    /// Enables `POST /__test/*` switches that make the service misbehave on
    /// purpose, for end-to-end tests of the app's defences. Never on by default.
    pub test_switches: bool,
}

pub struct StorageState {
    pub config: StorageConfig,
    pub blocks: Blockstore,
    pub uploads: UploadIndex,
    /// Roots pinned through Kubo's RPC API.
    pub pins: kubo::Pins,
    /// Files pinned or uploaded through Pinata's API.
    pub pinata_files: pinata::PinataFiles,
    /// Pinata's resumable uploads under way.
    pub pinata_uploads: pinata_tus::TusUploads,
    /// Test switch: answer one API's uploads with a CID other than the
    /// stored one.
    pub wrong_cids: faults::WrongCids,
    /// Test switch: alter the bytes the gateway serves, or one block's.
    pub corrupt_gateway: gateway::Corruption,
    /// Test switch: Kubo's dag/import reports every root with a `PinErrorMsg`.
    pub kubo_pin_errors: std::sync::atomic::AtomicBool,
    /// Test switch: fail the next uploads with a status.
    pub upload_faults: faults::UploadFaults,
}

/// The token of `Authorization: Bearer <token>`, when there is a non-blank
/// one; every API of the service reads it the same way and answers its
/// absence in its own shape.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

pub fn router(config: StorageConfig) -> std::io::Result<Router> {
    let state = Arc::new(StorageState {
        blocks: Blockstore::open(config.data_dir.join("blocks"))?,
        uploads: UploadIndex::open(config.data_dir.join("uploads"))?,
        pins: kubo::Pins::open(config.data_dir.join("pins"))?,
        pinata_files: pinata::PinataFiles::open(config.data_dir.join("pinata"))?,
        pinata_uploads: pinata_tus::TusUploads::open(config.data_dir.join("pinata-uploads"))?,
        wrong_cids: Default::default(),
        corrupt_gateway: Default::default(),
        kubo_pin_errors: Default::default(),
        upload_faults: Default::default(),
        config,
    });
    let test_switches = state.config.test_switches;
    let router = Router::new()
        .route("/upload", post(api::upload))
        .route("/check/{cid}", get(api::check))
        .route("/api/v0/dag/import", post(kubo::dag_import))
        .route("/api/v0/pin/ls", post(kubo::pin_ls))
        .route("/pinning/pinFileToIPFS", post(pinata::pin_file_to_ipfs))
        .route("/v3/files", post(pinata_tus::create))
        .route(
            "/v3/files/{id}",
            head(pinata_tus::head)
                .patch(pinata_tus::patch)
                .get(pinata::get_files),
        )
        .route("/ipfs/{cid}", get(gateway::serve_root))
        .route("/ipfs/{cid}/{*path}", get(gateway::serve_path))
        .route("/{cid}", get(api::status));
    let router = if test_switches {
        router
            .route("/__test/lie-about-cids", post(faults::set_wrong_cids))
            .route("/__test/corrupt-gateway", post(api::set_corrupt_gateway))
            .route("/__test/fail-uploads", post(faults::set_upload_faults))
            .route("/__test/kubo-pin-errors", post(kubo::set_pin_errors))
            .route("/__test/pinata-requests", get(pinata_tus::requests))
    } else {
        router
    };
    Ok(router
        .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES))
        .layer(middleware::from_fn(cors))
        .with_state(state))
}

/// Serves until the listener fails or the task is dropped.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: StorageConfig,
) -> std::io::Result<()> {
    // The pinning-service stand-ins read this server's own gateway.
    let gateway = format!("http://{}", listener.local_addr()?);
    let psa = psa::router(&config.data_dir, &gateway, config.required_token.as_deref())?
        .layer(middleware::from_fn(cors));
    axum::serve(listener, router(config)?.merge(psa)).await
}

/// Any page may call the API and read the gateway, as with the real
/// services; the token is never a cookie, so this exposes nothing.
async fn cors(request: Request, next: Next) -> Response {
    let mut response = if request.method() == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, POST, PATCH, DELETE, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        // TUS's request headers too, for Pinata's resumable uploads.
        HeaderValue::from_static(
            "Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Metadata, Upload-Offset",
        ),
    );
    // As rate-limited APIs do, so a page can honour the wait it asks for;
    // and TUS's answer headers, which a page must read to resume.
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static(
            "Retry-After, Location, Upload-Offset, Upload-Length, upload-cid, Tus-Resumable",
        ),
    );
    headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("600"),
    );
    response
}
