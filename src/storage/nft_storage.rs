//! nft.storage's HTTP API, `POST {endpoint}/upload` with a CAR body, kept
//! exactly as the service defined it, so that compatible services (and the
//! local one from `npm run dev`) work with the same code. The API token goes
//! only in this request's Authorization header, to this endpoint.

use std::cell::RefCell;
use std::rc::Rc;

use cid::Cid;
use futures::stream::{self, StreamExt, TryStreamExt};
use web_sys::{AbortSignal, Blob};

use super::nft_storage_status::{read_status_answer, PinState, StoredStatus};
use super::retry::RetryNotice;
use super::upload_answer::read_upload_answer;
use super::xhr_upload::{BlobBody, BlobUpload};
use super::{FileUpload, StorageError, StorageProvider, StoredAs};
use crate::ipfs::car_split::PARTS_IN_FLIGHT;
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

impl NftStorage {
    /// One `POST /upload` of a CAR whose root is `expected_root`.
    async fn upload_car(
        &self,
        car: &Blob,
        expected_root: &Cid,
        on_progress: impl FnMut(u64, u64) + 'static,
        on_retry: impl Fn(RetryNotice),
    ) -> Result<(), StorageError> {
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
            .send(car, on_progress, on_retry, |answer| {
                read_upload_answer(
                    &self.endpoint,
                    answer.status,
                    &answer.body,
                    expected_root,
                    self.token.expose(),
                )
            })
            .await
    }

    /// The uploader's `GET /{cid}`: pin state, size and Filecoin deals of
    /// one of this token's uploads; `None` when the service has no such
    /// upload for this token.
    pub async fn status(&self, cid: &Cid) -> Result<Option<StoredStatus>, StorageError> {
        let url = format!("{}/{cid}", self.endpoint);
        let request = gloo_net::http::Request::get(&url)
            .header("Authorization", &format!("Bearer {}", self.token.expose()));
        self.read_status(request).await
    }

    async fn read_status(
        &self,
        request: gloo_net::http::RequestBuilder,
    ) -> Result<Option<StoredStatus>, StorageError> {
        let unreachable = || StorageError::Unreachable {
            endpoint: self.endpoint.clone(),
        };
        let response = request.send().await.map_err(|_| unreachable())?;
        let body = response.text().await.map_err(|_| unreachable())?;
        read_status_answer(
            &self.endpoint,
            response.status(),
            &body,
            self.token.expose(),
        )
    }
}

impl StorageProvider for NftStorage {
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// A CAR over 100 MiB goes as the packer's parts, at most
    /// [`PARTS_IN_FLIGHT`] at once, as nft.storage's client sent them; each
    /// answer must name the root, and progress counts the bytes of all.
    async fn upload(
        &self,
        file: &FileUpload<'_>,
        mut on_progress: impl FnMut(u64, u64) + 'static,
        on_retry: impl Fn(RetryNotice),
    ) -> Result<StoredAs, StorageError> {
        if file.car_parts.is_empty() {
            self.upload_car(file.car, file.root, on_progress, &on_retry)
                .await?;
            return Ok(StoredAs::InDirectory);
        }
        let total: u64 = file.car_parts.iter().map(|part| part.bytes).sum();
        let sent = Rc::new(RefCell::new(vec![0_u64; file.car_parts.len()]));
        let report = Rc::new(RefCell::new(move |done| on_progress(done, total)));
        let on_retry = &on_retry;
        stream::iter(file.car_parts.iter().enumerate())
            .map(|(index, part)| {
                let (sent, report) = (sent.clone(), report.clone());
                let progress = move |done: u64, _| {
                    sent.borrow_mut()[index] = done;
                    let done = sent.borrow().iter().sum();
                    (report.borrow_mut())(done);
                };
                self.upload_car(&part.car, file.root, progress, on_retry)
            })
            .buffer_unordered(PARTS_IN_FLIGHT)
            .try_collect::<()>()
            .await?;
        Ok(StoredAs::InDirectory)
    }

    /// nft.storage's public `GET /check/{cid}`: 404 when it does not hold
    /// the CID. No token is sent: the call needs none. A split upload still
    /// missing parts is "queued", and does not count.
    async fn is_stored(&self, root: &Cid) -> Result<bool, StorageError> {
        let url = format!("{}/check/{root}", self.endpoint);
        let status = self.read_status(gloo_net::http::Request::get(&url)).await?;
        Ok(status.is_some_and(|status| status.pin == PinState::Pinned))
    }
}
