//! Pinata (https://docs.pinata.cloud). A file up to 100 MB goes to
//! `POST {api}/pinning/pinFileToIPFS` as multipart, wrapped in a directory,
//! so `ipfs://<dir>/<name>` keeps its name; a larger one goes through v3's
//! resumable upload on the uploads origin ([`super::tus_upload`]), which
//! takes no folders, and is addressed as `ipfs://<file cid>`. Pinata
//! receives the file, not a CAR, and computes the CID itself with Kubo's
//! CIDv1 defaults, the app's `nft-storage` profile; the app checks it
//! against its own. The JWT goes only in the Authorization header, and only
//! to the two origins it was saved for.

use cid::Cid;
use serde_json::json;
use web_sys::AbortSignal;

use super::pinata_answer::{read_file_list_answer, read_pin_file_answer, read_upload_cid};
use super::retry::RetryNotice;
use super::tus::is_resumable;
use super::tus_upload::TusUpload;
use super::xhr_upload::{BlobBody, BlobUpload};
use super::{FileUpload, StorageError, StorageProvider, StoredAs};
use crate::settings::api_token::ApiToken;

/// `pinataOptions` of every `pinFileToIPFS`: CIDv1, as the app computes,
/// and the file wrapped in a directory that keeps its name.
const PIN_OPTIONS: &str = r#"{"cidVersion":1,"wrapWithDirectory":true}"#;

pub struct Pinata {
    /// Base URL of the API (`https://api.pinata.cloud`), no trailing slash.
    api: String,
    /// Base URL of resumable uploads (`https://uploads.pinata.cloud`).
    uploads: String,
    token: ApiToken,
    /// Aborted when the creator presses Cancel.
    cancel: Option<AbortSignal>,
}

impl Pinata {
    pub fn new(api: &str, uploads: &str, token: ApiToken) -> Self {
        Self {
            api: api.trim_end_matches('/').to_owned(),
            uploads: uploads.trim_end_matches('/').to_owned(),
            token,
            cancel: None,
        }
    }

    /// Uploads end with [`StorageError::Cancelled`] once `signal` aborts.
    pub fn cancelled_by(mut self, signal: AbortSignal) -> Self {
        self.cancel = Some(signal);
        self
    }

    async fn pin_file(
        &self,
        file: &FileUpload<'_>,
        on_progress: impl FnMut(u64, u64) + 'static,
        on_retry: impl Fn(RetryNotice),
    ) -> Result<StoredAs, StorageError> {
        let fields = [
            ("pinataOptions", PIN_OPTIONS.to_owned()),
            ("pinataMetadata", json!({ "name": file.name }).to_string()),
        ];
        let upload = BlobUpload {
            method: "POST",
            url: format!("{}/pinning/pinFileToIPFS", self.api),
            endpoint: &self.api,
            bearer: Some(self.token.expose()),
            headers: &[],
            body: BlobBody::Multipart {
                part: "file",
                file_name: file.name,
                fields: &fields,
            },
            cancel: self.cancel.as_ref(),
            read_headers: &[],
        };
        upload
            .send(file.file, on_progress, on_retry, |answer| {
                read_pin_file_answer(
                    &self.api,
                    answer.status,
                    &answer.body,
                    file.root,
                    self.token.expose(),
                )
            })
            .await
            .map(|()| StoredAs::InDirectory)
    }
}

impl StorageProvider for Pinata {
    fn endpoint(&self) -> &str {
        &self.api
    }

    async fn upload(
        &self,
        file: &FileUpload<'_>,
        on_progress: impl FnMut(u64, u64) + 'static,
        on_retry: impl Fn(RetryNotice),
    ) -> Result<StoredAs, StorageError> {
        if !is_resumable(file.file.size() as u64) {
            return self.pin_file(file, on_progress, on_retry).await;
        }
        let upload = TusUpload {
            uploads: &self.uploads,
            token: &self.token,
            cancel: self.cancel.as_ref(),
        };
        let upload_cid = upload
            .send(file.file, file.name, file.media_type, on_progress, on_retry)
            .await?;
        read_upload_cid(
            &self.uploads,
            upload_cid.as_deref(),
            file.file_cid,
            self.token.expose(),
        )?;
        Ok(StoredAs::BareFile)
    }

    /// v3's `GET /v3/files/public?cid=<cid>`
    /// (https://docs.pinata.cloud/api-reference/endpoint/list-files): held
    /// when it lists the CID among the public files.
    async fn is_stored(&self, root: &Cid) -> Result<bool, StorageError> {
        let url = format!("{}/v3/files/public?cid={root}", self.api);
        let unreachable = || StorageError::Unreachable {
            endpoint: self.api.clone(),
        };
        let response = gloo_net::http::Request::get(&url)
            .header("Authorization", &format!("Bearer {}", self.token.expose()))
            .send()
            .await
            .map_err(|_| unreachable())?;
        let body = response.text().await.map_err(|_| unreachable())?;
        read_file_list_answer(
            &self.api,
            response.status(),
            &body,
            root,
            self.token.expose(),
        )
    }
}
