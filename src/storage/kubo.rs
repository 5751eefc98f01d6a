//! Kubo's RPC API (https://docs.ipfs.tech/reference/kubo/rpc/), for IPFS
//! Desktop, a user's own node and hosted Kubo-compatible RPC: the CAR goes
//! to `POST /api/v0/dag/import?pin-roots=true` as a multipart `file` part.
//! Every call is a POST, as Kubo requires. No custom header is sent but an
//! optional `Authorization: Bearer` for hosted endpoints, so a local node is
//! asked no CORS preflight.

use cid::Cid;
use web_sys::AbortSignal;

use super::kubo_answer::{read_dag_import_answer, read_pin_ls_answer};
use super::retry::RetryNotice;
use super::xhr_upload::{BlobBody, BlobUpload};
use super::{FileUpload, StorageError, StorageProvider, StoredAs};
use crate::settings::api_token::ApiToken;

pub struct KuboRpc {
    /// Base URL of the node's API (`http://127.0.0.1:5001`), no trailing slash.
    endpoint: String,
    token: Option<ApiToken>,
    /// Aborted when the creator presses Cancel.
    cancel: Option<AbortSignal>,
}

impl KuboRpc {
    pub fn new(endpoint: &str, token: Option<ApiToken>) -> Self {
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

    fn secret(&self) -> &str {
        self.token.as_ref().map_or("", ApiToken::expose)
    }
}

impl StorageProvider for KuboRpc {
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    async fn upload(
        &self,
        file: &FileUpload<'_>,
        on_progress: impl FnMut(u64, u64) + 'static,
        on_retry: impl Fn(RetryNotice),
    ) -> Result<StoredAs, StorageError> {
        let expected_root = file.root;
        let upload = BlobUpload {
            method: "POST",
            url: format!("{}/api/v0/dag/import?pin-roots=true", self.endpoint),
            endpoint: &self.endpoint,
            bearer: self.token.as_ref().map(ApiToken::expose),
            headers: &[],
            cancel: self.cancel.as_ref(),
            read_headers: &[],
            body: BlobBody::Multipart {
                part: "file",
                file_name: "upload.car",
                fields: &[],
            },
        };
        upload
            .send(file.car, on_progress, on_retry, |answer| {
                read_dag_import_answer(
                    &self.endpoint,
                    answer.status,
                    &answer.body,
                    expected_root,
                    self.secret(),
                )
            })
            .await
            .map(|()| StoredAs::InDirectory)
    }

    /// `POST /api/v0/pin/ls?arg=<cid>`: local to the node (unlike
    /// `block/stat`, which would look for the block on the network), and a
    /// pinned root is one the node keeps.
    async fn is_stored(&self, root: &Cid) -> Result<bool, StorageError> {
        let url = format!("{}/api/v0/pin/ls?arg={root}", self.endpoint);
        let mut request = gloo_net::http::Request::post(&url);
        if let Some(token) = &self.token {
            request = request.header("Authorization", &format!("Bearer {}", token.expose()));
        }
        let unreachable = || StorageError::Unreachable {
            endpoint: self.endpoint.clone(),
        };
        let response = request.send().await.map_err(|_| unreachable())?;
        let body = response.text().await.map_err(|_| unreachable())?;
        read_pin_ls_answer(
            &self.endpoint,
            response.status(),
            &body,
            root,
            self.secret(),
        )
    }
}
