//! A TUS 1.0.0 resumable upload from the browser, as Pinata's v3 takes
//! large files (https://docs.pinata.cloud/files/uploading-files#resumable-uploads):
//! `POST {uploads}/v3/files` creates it and answers its `Location`; each
//! `PATCH` there sends one slice of the picked file (never the whole file
//! in memory); after a failed one, `HEAD` reads how much arrived
//! (`Upload-Offset`) and the upload goes on from there. The last answer
//! names the file's CID in `upload-cid`. Each request is one attempt of
//! [`BlobUpload`], with its watchdog, Cancel and retry policy.

use std::cell::RefCell;
use std::rc::Rc;

use web_sys::{AbortSignal, Blob};

use super::pinata_answer::refusal;
use super::retry::{AttemptFailure, RetryNotice, MAX_ATTEMPTS};
use super::tus::{next_chunk, parse_offset, resolve_location, upload_metadata, TUS_VERSION};
use super::xhr_upload::{idle_limit, AttemptAnswer, BlobBody, BlobUpload};
use super::StorageError;
use crate::settings::api_token::{origin_of, ApiToken};

const OFFSET: &str = "Upload-Offset";
const LOCATION: &str = "Location";
const UPLOAD_CID: &str = "upload-cid";

pub struct TusUpload<'a> {
    /// Base URL of the uploads origin, no trailing slash.
    pub uploads: &'a str,
    pub token: &'a ApiToken,
    pub cancel: Option<&'a AbortSignal>,
}

impl TusUpload<'_> {
    /// Sends `file` whole, reporting (bytes stored, total) across chunks;
    /// answers the `upload-cid` of the last answer, if it had one.
    pub async fn send(
        &self,
        file: &Blob,
        name: &str,
        media_type: &str,
        on_progress: impl FnMut(u64, u64) + 'static,
        on_retry: impl Fn(RetryNotice),
    ) -> Result<Option<String>, StorageError> {
        let total = file.size() as u64;
        let nothing = Blob::new().map_err(|_| self.unreachable())?;
        let create_url = format!("{}/v3/files", self.uploads);
        let headers = [
            ("Tus-Resumable", TUS_VERSION.to_owned()),
            ("Upload-Length", total.to_string()),
            ("Upload-Metadata", upload_metadata(name, media_type)),
        ];
        let created = self
            .until_answered(
                &self.request("POST", create_url.clone(), &headers, BlobBody::Empty),
                &nothing,
                &on_retry,
            )
            .await?;
        let location = created
            .header(LOCATION)
            .and_then(|location| resolve_location(&create_url, location))
            .ok_or_else(|| self.bad_answer("it created the upload but named no Location".into()))?;
        // The Location comes from the service: the JWT follows it only to an
        // origin it was saved for.
        if !self.token.belongs_to(&location) {
            return Err(self.bad_answer(format!(
                "it sent the upload to {}, which your Pinata JWT was not saved for",
                origin_of(&location).unwrap_or_else(|| "an unknown origin".into())
            )));
        }

        let on_progress = Rc::new(RefCell::new(on_progress));
        let mut offset = 0;
        let mut attempt = 1;
        loop {
            if self.is_cancelled() {
                return Err(StorageError::Cancelled);
            }
            let (start, end) = next_chunk(offset, total);
            let chunk = file
                .slice_with_f64_and_f64(start as f64, end as f64)
                .map_err(|_| self.unreachable())?;
            let headers = [
                ("Tus-Resumable", TUS_VERSION.to_owned()),
                (OFFSET, start.to_string()),
            ];
            let patch = self.request(
                "PATCH",
                location.clone(),
                &headers,
                BlobBody::Raw {
                    content_type: "application/offset+octet-stream",
                },
            );
            let progress = {
                let on_progress = on_progress.clone();
                move |sent: u64, _| (on_progress.borrow_mut())(start + sent, total)
            };
            let answer = patch
                .attempt(&chunk, Rc::new(RefCell::new(progress)), idle_limit())
                .await?;
            let Some(failure) = answer.failure() else {
                offset = parse_offset(answer.header(OFFSET), total)
                    .filter(|stored| *stored > start || start == total)
                    .ok_or_else(|| {
                        self.bad_answer("it took a chunk without a larger Upload-Offset".into())
                    })?;
                (on_progress.borrow_mut())(offset, total);
                attempt = 1;
                if offset == total {
                    return Ok(answer.header(UPLOAD_CID).map(str::to_owned));
                }
                continue;
            };
            // 409: the service holds another offset than this PATCH named
            // (TUS 1.0.0, "PATCH"), as when the browser itself re-sent a
            // PATCH whose connection dropped. Nothing is wrong but the
            // offset, so ask HEAD at once, within the same attempt budget.
            if failure == AttemptFailure::Status(409) && attempt < MAX_ATTEMPTS {
                attempt += 1;
                offset = self
                    .offset_of(&location, total, &nothing, &on_retry)
                    .await?;
                continue;
            }
            let Some(notice) = patch.after_failure(attempt, failure, &answer) else {
                return Err(match failure {
                    AttemptFailure::Status(status) => {
                        refusal(self.uploads, status, &answer.body, self.token.expose())
                    }
                    other => patch.gave_up(other, attempt, idle_limit()),
                });
            };
            attempt = notice.next_attempt;
            let wait = notice.wait;
            on_retry(notice);
            patch.pause(wait).await;
            // Part of the chunk may have arrived: go on from what the
            // service holds, never from what was sent.
            offset = self
                .offset_of(&location, total, &nothing, &on_retry)
                .await?;
        }
    }

    /// `HEAD` on the upload: the offset the service holds, to resume from.
    async fn offset_of(
        &self,
        location: &str,
        total: u64,
        nothing: &Blob,
        on_retry: &impl Fn(RetryNotice),
    ) -> Result<u64, StorageError> {
        let headers = [("Tus-Resumable", TUS_VERSION.to_owned())];
        let head = self
            .until_answered(
                &self.request("HEAD", location.to_owned(), &headers, BlobBody::Empty),
                nothing,
                on_retry,
            )
            .await?;
        parse_offset(head.header(OFFSET), total).ok_or_else(|| {
            self.bad_answer("its HEAD answer had no Upload-Offset to resume from".into())
        })
    }

    fn request<'r>(
        &'r self,
        method: &'static str,
        url: String,
        headers: &'r [(&'static str, String)],
        body: BlobBody<'r>,
    ) -> BlobUpload<'r> {
        BlobUpload {
            method,
            url,
            endpoint: self.uploads,
            bearer: Some(self.token.expose()),
            headers,
            body,
            cancel: self.cancel,
            read_headers: &[LOCATION, OFFSET, UPLOAD_CID],
        }
    }

    /// A request without a body to speak of, tried as the retry policy says
    /// until it is answered with a 2xx; any other final answer is a refusal.
    async fn until_answered(
        &self,
        request: &BlobUpload<'_>,
        body: &Blob,
        on_retry: &impl Fn(RetryNotice),
    ) -> Result<AttemptAnswer, StorageError> {
        let mut attempt = 1;
        loop {
            if self.is_cancelled() {
                return Err(StorageError::Cancelled);
            }
            let answer = request
                .attempt(body, Rc::new(RefCell::new(|_, _| {})), idle_limit())
                .await?;
            let Some(failure) = answer.failure() else {
                return Ok(answer);
            };
            let Some(notice) = request.after_failure(attempt, failure, &answer) else {
                return Err(match failure {
                    AttemptFailure::Status(status) => {
                        refusal(self.uploads, status, &answer.body, self.token.expose())
                    }
                    other => request.gave_up(other, attempt, idle_limit()),
                });
            };
            attempt = notice.next_attempt;
            let wait = notice.wait;
            on_retry(notice);
            request.pause(wait).await;
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancel.is_some_and(AbortSignal::aborted)
    }

    fn unreachable(&self) -> StorageError {
        StorageError::Unreachable {
            endpoint: self.uploads.to_owned(),
        }
    }

    fn bad_answer(&self, detail: String) -> StorageError {
        StorageError::BadAnswer {
            endpoint: self.uploads.to_owned(),
            detail,
        }
    }
}
