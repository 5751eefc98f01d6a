//! What the app says when a part of its code cannot be fetched.
//!
//! Pages and jobs load their code on first use (src/pages/lazy.rs,
//! src/jobs/). A fetch that fails (the network dropped, or Minty was
//! deployed anew since the tab opened and the old files are gone) is this
//! error rather than a crash; the loader keeps no failure, so trying again
//! fetches again.

#[cfg(target_arch = "wasm32")]
use std::future::Future;
#[cfg(target_arch = "wasm32")]
use std::pin::Pin;

#[cfg(target_arch = "wasm32")]
use leptos::wasm_split::SplitLoaderError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Part of Minty's code could not be downloaded: check your connection and try again. If Minty was updated since this tab was opened, reload the page.")]
pub struct CodeNotLoaded;

#[cfg(target_arch = "wasm32")]
impl From<SplitLoaderError> for CodeNotLoaded {
    fn from(_: SplitLoaderError) -> Self {
        CodeNotLoaded
    }
}

/// A job's work, as the split function that holds its code hands it back.
#[cfg(target_arch = "wasm32")]
pub(crate) type LocalRun<T, E> = Pin<Box<dyn Future<Output = Result<T, E>>>>;

/// Fetches a job's code and runs its work: a failed fetch is the job's own
/// error (its `From<SplitLoaderError>`), shown where its other errors are.
#[cfg(target_arch = "wasm32")]
pub(crate) async fn run_split<T, E>(
    fetched: impl Future<Output = Result<LocalRun<T, E>, E>>,
) -> Result<T, E> {
    fetched.await?.await
}

/// Gives an error type its [`CodeNotLoaded`] case: `$error` needs a
/// `CodeNotLoaded(#[from] CodeNotLoaded)` variant.
#[cfg(target_arch = "wasm32")]
macro_rules! code_not_loaded_is {
    ($error:ty) => {
        impl From<leptos::wasm_split::SplitLoaderError> for $error {
            fn from(problem: leptos::wasm_split::SplitLoaderError) -> Self {
                crate::code_split::CodeNotLoaded::from(problem).into()
            }
        }
    };
}
#[cfg(target_arch = "wasm32")]
pub(crate) use code_not_loaded_is;
