//! Replication, Minty's `pin`: asking remote pinning services to keep a
//! token's metadata and asset, through the IPFS Pinning Services API
//! (https://ipfs.github.io/pinning-services-api-spec/). Reading answers,
//! the status of each pin and the saved list of services are pure; `psa`
//! is the fetch shell, and `jobs::pin_job` drives it above any view.

pub mod progress;
#[cfg(target_arch = "wasm32")]
pub mod psa;
pub mod psa_answer;
pub mod services;

use thiserror::Error;

use crate::code_split::CodeNotLoaded;

/// Why a pin request did not end `pinned`. `service` is the name the user
/// gave the service in Settings.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PinError {
    /// Its code could not be fetched (src/code_split.rs).
    #[error(transparent)]
    CodeNotLoaded(#[from] CodeNotLoaded),
    #[error(
        "The access token for {service} was saved for {saved_for}, not for {endpoint}, so it is not sent there. \
         Save the token again for this service in Settings."
    )]
    TokenForAnotherEndpoint {
        service: String,
        saved_for: String,
        endpoint: String,
    },
    #[error(
        "{service} refused the access token (401). Check in Settings that it is the service's current \
         access token (a JWT for Pinata) and that it may manage pins."
    )]
    Unauthorized { service: String },
    #[error(
        "Could not reach {service} at {endpoint}. Check the address in Settings and your network."
    )]
    Unreachable { service: String, endpoint: String },
    #[error("{service} refused the request ({status}): {message}")]
    Refused {
        service: String,
        status: u16,
        message: String,
    },
    #[error("{service} answered in a way this app does not understand: {detail}")]
    BadAnswer { service: String, detail: String },
    #[error("{service} could not pin it: {reason}")]
    Failed { service: String, reason: String },
    #[error(
        "{service} still had it {status} after {minutes} minutes; this page stopped asking. \
         The service may still pin it: press Pin again later to look."
    )]
    StillWaiting {
        service: String,
        status: &'static str,
        minutes: u64,
    },
}
