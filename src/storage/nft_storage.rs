//! nft.storage's HTTP API, `POST {endpoint}/upload` with a CAR body, kept
//! exactly as the service defined it, so that compatible services (and the
//! local one from `npm run dev`) work with the same code. The API token goes
//! only in this request's Authorization header, to this endpoint.

use std::cell::RefCell;
use std::rc::Rc;

use cid::Cid;
use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

use super::upload_answer::read_upload_answer;
use super::{StorageError, StorageProvider};
use crate::settings::api_token::ApiToken;

pub struct NftStorage {
    /// Base URL of the API, without a trailing slash.
    endpoint: String,
    token: ApiToken,
}

impl NftStorage {
    pub fn new(endpoint: &str, token: ApiToken) -> Self {
        Self {
            endpoint: endpoint.trim_end_matches('/').to_owned(),
            token,
        }
    }
}

impl StorageProvider for NftStorage {
    fn endpoint(&self) -> &str {
        &self.endpoint
    }

    async fn upload_car(
        &self,
        car: &Blob,
        expected_root: &Cid,
        mut on_progress: impl FnMut(u64, u64) + 'static,
    ) -> Result<(), StorageError> {
        let unreachable = || StorageError::Unreachable {
            endpoint: self.endpoint.clone(),
        };
        // XMLHttpRequest rather than fetch: only it reports upload progress.
        let request = XmlHttpRequest::new().map_err(|_| unreachable())?;
        request
            .open("POST", &format!("{}/upload", self.endpoint))
            .map_err(|_| unreachable())?;
        request
            .set_request_header("Authorization", &format!("Bearer {}", self.token.expose()))
            .map_err(|_| unreachable())?;
        request
            .set_request_header("Content-Type", "application/car")
            .map_err(|_| unreachable())?;

        let total = car.size() as u64;
        let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
            on_progress(event.loaded() as u64, total);
        });
        if let Ok(upload) = request.upload() {
            upload.set_onprogress(Some(progress.as_ref().unchecked_ref()));
        }

        // Settles when the request ends, whichever way; the status tells how.
        let finished = Rc::new(RefCell::new(Vec::<Closure<dyn FnMut()>>::new()));
        let done = Promise::new(&mut |resolve, _reject| {
            let on_end = Closure::<dyn FnMut()>::new(move || {
                let _ = resolve.call0(&JsValue::NULL);
            });
            request.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
            finished.borrow_mut().push(on_end);
        });
        request
            .send_with_opt_blob(Some(car))
            .map_err(|_| unreachable())?;
        let _ = JsFuture::from(done).await;
        drop(progress);
        drop(finished);

        let status = request.status().map_err(|_| unreachable())?;
        if status == 0 {
            // Network failure, refused connection or a CORS refusal.
            return Err(unreachable());
        }
        let body = request.response_text().ok().flatten().unwrap_or_default();
        read_upload_answer(
            &self.endpoint,
            status,
            &body,
            expected_root,
            self.token.expose(),
        )
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
