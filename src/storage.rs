//! Storage services that take the app's CARs: one module per provider,
//! all behind [`StorageProvider`], all failing with [`StorageError`].

#[cfg(target_arch = "wasm32")]
pub mod kubo;
pub mod kubo_answer;
#[cfg(target_arch = "wasm32")]
pub mod nft_storage;
pub mod retry;
pub mod upload_answer;
#[cfg(target_arch = "wasm32")]
pub mod xhr_upload;

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
        ours: Cid,
        theirs: String,
    },
}

/// A service that stores a CAR and answers with its root CID.
#[cfg(target_arch = "wasm32")]
#[allow(async_fn_in_trait)] // used on one thread, in the browser
pub trait StorageProvider {
    /// The endpoint uploads go to, as the user configured it.
    fn endpoint(&self) -> &str;

    /// Uploads `car`, whose root is `expected_root`, reporting (bytes sent,
    /// total), and each wait before another attempt (see [`retry`]).
    /// Refuses an answer that names any other root.
    async fn upload_car(
        &self,
        car: &web_sys::Blob,
        expected_root: &Cid,
        on_progress: impl FnMut(u64, u64) + 'static,
        on_retry: impl Fn(retry::RetryNotice),
    ) -> Result<(), StorageError>;

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
}

#[cfg(target_arch = "wasm32")]
impl ChosenStorage {
    /// `token` must come from [`upload_token`]; nft.storage's API needs one.
    pub fn new(
        provider: StorageProviderKind,
        endpoint: &str,
        token: Option<ApiToken>,
    ) -> Result<Self, StorageError> {
        Ok(match provider {
            StorageProviderKind::NftStorage => ChosenStorage::NftStorage(
                nft_storage::NftStorage::new(endpoint, token.ok_or(StorageError::NoToken)?),
            ),
            StorageProviderKind::KuboRpc => {
                ChosenStorage::KuboRpc(kubo::KuboRpc::new(endpoint, token))
            }
        })
    }

    /// Uploads end with [`StorageError::Cancelled`] once `signal` aborts.
    pub fn cancelled_by(self, signal: web_sys::AbortSignal) -> Self {
        match self {
            ChosenStorage::NftStorage(storage) => {
                ChosenStorage::NftStorage(storage.cancelled_by(signal))
            }
            ChosenStorage::KuboRpc(storage) => ChosenStorage::KuboRpc(storage.cancelled_by(signal)),
        }
    }
}

#[cfg(target_arch = "wasm32")]
impl StorageProvider for ChosenStorage {
    fn endpoint(&self) -> &str {
        match self {
            ChosenStorage::NftStorage(storage) => storage.endpoint(),
            ChosenStorage::KuboRpc(storage) => storage.endpoint(),
        }
    }

    async fn upload_car(
        &self,
        car: &web_sys::Blob,
        expected_root: &Cid,
        on_progress: impl FnMut(u64, u64) + 'static,
        on_retry: impl Fn(retry::RetryNotice),
    ) -> Result<(), StorageError> {
        match self {
            ChosenStorage::NftStorage(storage) => {
                storage
                    .upload_car(car, expected_root, on_progress, on_retry)
                    .await
            }
            ChosenStorage::KuboRpc(storage) => {
                storage
                    .upload_car(car, expected_root, on_progress, on_retry)
                    .await
            }
        }
    }

    async fn is_stored(&self, root: &Cid) -> Result<bool, StorageError> {
        match self {
            ChosenStorage::NftStorage(storage) => storage.is_stored(root).await,
            ChosenStorage::KuboRpc(storage) => storage.is_stored(root).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
