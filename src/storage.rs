//! Storage services that take the app's files: one module per provider,
//! all behind [`StorageProvider`], all failing with [`StorageError`].
//! nft.storage and Kubo take the CAR the app packed; Pinata takes the file
//! itself and computes the CID, which the app then checks.

#[cfg(target_arch = "wasm32")]
pub mod kubo;
pub mod kubo_answer;
#[cfg(target_arch = "wasm32")]
pub mod nft_storage;
pub mod nft_storage_status;
#[cfg(target_arch = "wasm32")]
pub mod pinata;
pub mod pinata_answer;
pub mod retry;
pub mod tus;
#[cfg(target_arch = "wasm32")]
pub mod tus_upload;
pub mod upload_answer;
#[cfg(target_arch = "wasm32")]
pub mod xhr_upload;

#[cfg(target_arch = "wasm32")]
use cid::Cid;
use thiserror::Error;

use crate::settings::api_token::ApiToken;
use crate::settings::{ProviderEndpoints, StorageProviderKind};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StorageError {
    #[error("Add your {token_name} in Settings before uploading.")]
    NoToken { token_name: &'static str },
    #[error(
        "Your API token was saved for {saved_for}, not for {endpoint}, so it is not sent there. \
         Save the token for this endpoint in Settings."
    )]
    TokenForAnotherEndpoint { saved_for: String, endpoint: String },
    #[error("{endpoint} refused the API token (401). Check the token in Settings.")]
    Unauthorized { endpoint: String },
    #[error(
        "Could not reach the storage endpoint {endpoint}. Check the address in Settings and that the service is up \
         (nft.storage Classic stopped accepting uploads on 2024-06-30)."
    )]
    Unreachable { endpoint: String },
    #[error(
        "The connection to {endpoint} dropped during the upload, {attempts} times in a row. \
         Check your network and try again; nothing was sent to your wallet."
    )]
    ConnectionDropped { endpoint: String, attempts: u32 },
    #[error(
        "{endpoint} stopped sending progress for {idle_secs} s during the upload, {attempts} times in a row. \
         Try again later; nothing was sent to your wallet."
    )]
    Stalled {
        endpoint: String,
        idle_secs: u64,
        attempts: u32,
    },
    #[error("Upload cancelled; nothing was sent to your wallet.")]
    Cancelled,
    #[error(
        "{endpoint} redirected the upload to {to}, another origin, so the app stopped it: \
         nothing it answered is trusted, and the browser does not carry your token across \
         origins. Check the endpoint in Settings; no transaction was sent."
    )]
    RedirectedElsewhere { endpoint: String, to: String },
    #[error("{endpoint} refused the upload ({status}): {message}")]
    Refused {
        endpoint: String,
        status: u16,
        message: String,
    },
    #[error(
        "{endpoint} stored the upload but did not pin it, so the node may drop it: {message}. \
         No transaction was sent."
    )]
    NotPinned { endpoint: String, message: String },
    #[error("{endpoint} answered in a way this app does not understand: {detail}")]
    BadAnswer { endpoint: String, detail: String },
    #[error(
        "{service} stored the upload as {theirs}, but this app computed {ours}. \
         No transaction was sent: the service changed the data, so its address cannot be trusted."
    )]
    CidMismatch {
        /// The provider that disagreed, as the user knows it.
        service: String,
        ours: String,
        theirs: String,
    },
}

/// The origin a request ended at, when a redirect took it away from the
/// origin it was sent to (`landed` is XMLHttpRequest's `responseURL`, empty
/// when nothing answered).
pub fn landed_elsewhere(requested: &str, landed: &str) -> Option<String> {
    use crate::settings::api_token::origin_of;
    if landed.is_empty() {
        return None;
    }
    let landed_origin = origin_of(landed).unwrap_or_else(|| landed.to_owned());
    (origin_of(requested).as_ref() != Some(&landed_origin)).then_some(landed_origin)
}

/// What a provider is given to store one file: the file itself (Pinata
/// takes it as it is) and the CAR the app packed it into (nft.storage and
/// Kubo take that), with the CIDs the app computed for both.
#[cfg(target_arch = "wasm32")]
pub struct FileUpload<'a> {
    /// The picked file (or the metadata), sent as slices, never read whole.
    pub file: &'a web_sys::Blob,
    pub name: &'a str,
    /// The file's media type as the browser gave it; may be empty.
    pub media_type: &'a str,
    /// A CAR of the directory holding the file under `name`.
    pub car: &'a web_sys::Blob,
    /// That directory's CID, the CAR's root.
    pub root: &'a Cid,
    /// The file's own CID.
    pub file_cid: &'a Cid,
    /// The same blocks as several smaller CARs, when the whole is too large
    /// for one upload (see [`crate::ipfs::car_split`]); empty otherwise.
    pub car_parts: &'a [crate::blob_pack::CarPart],
}

/// How the provider addressed the stored file; each CID is the app's own,
/// checked against the service's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoredAs {
    /// In the directory `root`, as `ipfs://<root>/<name>`, keeping the name.
    InDirectory,
    /// On its own, as `ipfs://<file cid>`: Pinata's resumable uploads take
    /// no folders.
    BareFile,
}

/// A service that stores a file and answers with a CID the app computed too.
#[cfg(target_arch = "wasm32")]
#[allow(async_fn_in_trait)] // used on one thread, in the browser
pub trait StorageProvider {
    /// The endpoint uploads go to, as the user configured it.
    fn endpoint(&self) -> &str;

    /// Stores `upload`, reporting (bytes sent, total), and each wait before
    /// another attempt (see [`retry`]). Refuses an answer that names any
    /// CID but the one the app computed for what it stored.
    async fn upload(
        &self,
        upload: &FileUpload<'_>,
        on_progress: impl FnMut(u64, u64) + 'static,
        on_retry: impl Fn(retry::RetryNotice),
    ) -> Result<StoredAs, StorageError>;

    /// Whether the service still holds `root`, so an upload from an earlier
    /// attempt can be reused instead of sent again.
    async fn is_stored(&self, root: &Cid) -> Result<bool, StorageError>;
}

/// The token an upload to `provider` at `endpoint` may carry, from the one
/// saved for that provider: none for a Kubo node without one, and never a
/// token saved for another origin.
pub fn upload_token(
    provider: StorageProviderKind,
    endpoints: &ProviderEndpoints,
    saved: Option<ApiToken>,
) -> Result<Option<ApiToken>, StorageError> {
    match saved {
        Some(token) => match endpoints.all().find(|endpoint| !token.belongs_to(endpoint)) {
            None => Ok(Some(token)),
            Some(endpoint) => Err(StorageError::TokenForAnotherEndpoint {
                saved_for: token.origins_text(),
                endpoint: endpoint.to_owned(),
            }),
        },
        None if provider.needs_token() => Err(StorageError::NoToken {
            token_name: provider.token_name(),
        }),
        None => Ok(None),
    }
}

/// The provider chosen in Settings, as one type the mint job can hold (the
/// trait's generic methods make `dyn StorageProvider` impossible).
#[cfg(target_arch = "wasm32")]
pub enum ChosenStorage {
    NftStorage(nft_storage::NftStorage),
    KuboRpc(kubo::KuboRpc),
    Pinata(pinata::Pinata),
}

#[cfg(target_arch = "wasm32")]
impl ChosenStorage {
    /// `token` must come from [`upload_token`]; nft.storage and Pinata need one.
    pub fn new(
        provider: StorageProviderKind,
        endpoints: &ProviderEndpoints,
        token: Option<ApiToken>,
    ) -> Result<Self, StorageError> {
        let needed = || StorageError::NoToken {
            token_name: provider.token_name(),
        };
        Ok(match provider {
            StorageProviderKind::NftStorage => ChosenStorage::NftStorage(
                nft_storage::NftStorage::new(&endpoints.api, token.ok_or_else(needed)?),
            ),
            StorageProviderKind::KuboRpc => {
                ChosenStorage::KuboRpc(kubo::KuboRpc::new(&endpoints.api, token))
            }
            StorageProviderKind::Pinata => ChosenStorage::Pinata(pinata::Pinata::new(
                &endpoints.api,
                endpoints.uploads.as_deref().unwrap_or(&endpoints.api),
                token.ok_or_else(needed)?,
            )),
        })
    }

    /// Uploads end with [`StorageError::Cancelled`] once `signal` aborts.
    pub fn cancelled_by(self, signal: web_sys::AbortSignal) -> Self {
        match self {
            ChosenStorage::NftStorage(storage) => {
                ChosenStorage::NftStorage(storage.cancelled_by(signal))
            }
            ChosenStorage::KuboRpc(storage) => ChosenStorage::KuboRpc(storage.cancelled_by(signal)),
            ChosenStorage::Pinata(storage) => ChosenStorage::Pinata(storage.cancelled_by(signal)),
        }
    }
}

#[cfg(target_arch = "wasm32")]
impl StorageProvider for ChosenStorage {
    fn endpoint(&self) -> &str {
        match self {
            ChosenStorage::NftStorage(storage) => storage.endpoint(),
            ChosenStorage::KuboRpc(storage) => storage.endpoint(),
            ChosenStorage::Pinata(storage) => storage.endpoint(),
        }
    }

    async fn upload(
        &self,
        upload: &FileUpload<'_>,
        on_progress: impl FnMut(u64, u64) + 'static,
        on_retry: impl Fn(retry::RetryNotice),
    ) -> Result<StoredAs, StorageError> {
        match self {
            ChosenStorage::NftStorage(storage) => {
                storage.upload(upload, on_progress, on_retry).await
            }
            ChosenStorage::KuboRpc(storage) => storage.upload(upload, on_progress, on_retry).await,
            ChosenStorage::Pinata(storage) => storage.upload(upload, on_progress, on_retry).await,
        }
    }

    async fn is_stored(&self, root: &Cid) -> Result<bool, StorageError> {
        match self {
            ChosenStorage::NftStorage(storage) => storage.is_stored(root).await,
            ChosenStorage::KuboRpc(storage) => storage.is_stored(root).await,
            ChosenStorage::Pinata(storage) => storage.is_stored(root).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_to_another_origin_is_told_apart_from_one_within_it() {
        let upload = "http://127.0.0.1:8787/upload";
        assert_eq!(landed_elsewhere(upload, ""), None);
        assert_eq!(landed_elsewhere(upload, upload), None);
        assert_eq!(
            landed_elsewhere(upload, "http://127.0.0.1:8787/v2/upload"),
            None
        );
        assert_eq!(
            landed_elsewhere(upload, "http://localhost:8787/upload"),
            Some("http://localhost:8787".into())
        );
        assert_eq!(
            landed_elsewhere("https://api.pinata.cloud/x", "https://evil.example/x"),
            Some("https://evil.example".into())
        );
    }

    const NODE: &str = "http://127.0.0.1:5001";

    fn at(api: &str) -> ProviderEndpoints {
        ProviderEndpoints {
            api: api.into(),
            uploads: None,
        }
    }

    fn pinata() -> ProviderEndpoints {
        ProviderEndpoints {
            api: "https://api.pinata.cloud".into(),
            uploads: Some("https://uploads.pinata.cloud".into()),
        }
    }

    #[test]
    fn a_kubo_node_takes_uploads_without_a_token_nft_storage_and_pinata_do_not() {
        assert_eq!(
            upload_token(StorageProviderKind::KuboRpc, &at(NODE), None),
            Ok(None)
        );
        assert_eq!(
            upload_token(
                StorageProviderKind::NftStorage,
                &at("https://api.nft.storage"),
                None
            ),
            Err(StorageError::NoToken {
                token_name: "nft.storage API token"
            })
        );
        let error = upload_token(StorageProviderKind::Pinata, &pinata(), None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "Add your Pinata JWT in Settings before uploading."
        );
    }

    #[test]
    fn a_pinata_jwt_goes_out_only_when_both_its_origins_are_pinatas() {
        let jwt = ApiToken::for_endpoints("jwt", pinata().all()).unwrap();
        assert_eq!(
            upload_token(StorageProviderKind::Pinata, &pinata(), Some(jwt.clone())),
            Ok(Some(jwt.clone()))
        );
        let mut moved = pinata();
        moved.uploads = Some("https://uploads.evil.example".into());
        assert_eq!(
            upload_token(StorageProviderKind::Pinata, &moved, Some(jwt)),
            Err(StorageError::TokenForAnotherEndpoint {
                saved_for: "https://api.pinata.cloud and https://uploads.pinata.cloud".into(),
                endpoint: "https://uploads.evil.example".into(),
            })
        );
    }

    #[test]
    fn a_token_goes_only_to_the_origin_it_was_saved_for() {
        let token = ApiToken::new("secret", "https://rpc.example").unwrap();
        for provider in StorageProviderKind::ALL {
            assert_eq!(
                upload_token(provider, &at("https://rpc.example/"), Some(token.clone())),
                Ok(Some(token.clone()))
            );
            assert_eq!(
                upload_token(
                    provider,
                    &at("https://evil.example\\@rpc.example"),
                    Some(token.clone())
                ),
                Err(StorageError::TokenForAnotherEndpoint {
                    saved_for: "https://rpc.example".into(),
                    endpoint: "https://evil.example\\@rpc.example".into(),
                })
            );
        }
    }
}
