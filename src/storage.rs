//! Storage services that take the app's CARs: one module per provider,
//! all behind [`StorageProvider`], all failing with [`StorageError`].

#[cfg(target_arch = "wasm32")]
pub mod nft_storage;
pub mod retry;
pub mod upload_answer;

use cid::Cid;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StorageError {
    #[error("Add your nft.storage API token in Settings before uploading.")]
    NoToken,
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
    #[error("{endpoint} answered in a way this app does not understand: {detail}")]
    BadAnswer { endpoint: String, detail: String },
    #[error(
        "The storage service stored the upload as {theirs}, but this app computed {ours}. \
         No transaction was sent: the service changed the data, so its address cannot be trusted."
    )]
    CidMismatch { ours: Cid, theirs: String },
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
