//! nft.storage's HTTP API, `POST {endpoint}/upload` with a CAR body, kept
//! exactly as the service defined it, so that compatible services (and the
//! local one from `npm run dev`) work with the same code. The API token goes
//! only in this request's Authorization header, to this endpoint.

use cid::Cid;
use web_sys::AbortSignal;

use super::retry::RetryNotice;
use super::upload_answer::read_upload_answer;
use super::xhr_upload::{BlobBody, BlobUpload};
use super::{FileUpload, StorageError, StorageProvider, StoredAs};
use crate::settings::api_token::ApiToken;

pub struct NftStorage {
    /// Base URL of the API, without a trailing slash.
    endpoint: String,
    token: ApiToken,
    /// Aborted when the creator presses Cancel.
    cancel: Option<AbortSignal>,
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
}

impl StorageProvider for NftStorage {
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
            url: format!("{}/upload", self.endpoint),
            endpoint: &self.endpoint,
            bearer: Some(self.token.expose()),
            headers: &[],
            cancel: self.cancel.as_ref(),
            read_headers: &[],
            body: BlobBody::Raw {
                content_type: "application/car",
            },
        };
        upload
            .send(file.car, on_progress, on_retry, |answer| {
                read_upload_answer(
                    &self.endpoint,
                    answer.status,
                    &answer.body,
                    expected_root,
                    self.token.expose(),
                )
            })
            .await
            .map(|()| StoredAs::InDirectory)
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
