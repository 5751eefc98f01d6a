//! Work that outlives the view that started it: a mint or a deploy runs in
//! a job owned by the app's root, so leaving the page, a settings save or a
//! repeated wallet event never drops its result. Views come and go and read
//! the job's signals; while a job may still lose something if the tab
//! closes, the browser asks before leaving.
//!
//! Each job's work loads on first use (src/code_split.rs). A deploy, a
//! transfer, a stored or resumed mint and the transaction notices share one
//! module, `transactions`: they share most of their code (the wallet's
//! calls, sending and watching a transaction), and split apart that code
//! was spread over dozens of small chunks, one per set of users. A new mint
//! (the packer, the storage providers), a pin, an archive and the
//! contract's bytecode each have a module of their own.

pub mod archive_job;
pub mod deploy_job;
pub mod journal_store;
pub mod mint_job;
pub mod pin_job;
pub mod transfer_job;

use leptos::prelude::*;

use crate::components::Notices;

pub use archive_job::{ArchiveJob, ArchiveRequest};
pub use deploy_job::DeployJob;
pub use mint_job::{MintJob, MintRequest};
pub use pin_job::{PinJob, PinTarget};
pub use transfer_job::{TransferJob, TransferRequest};

/// Creates the jobs under the current (root) owner and provides them.
pub fn provide_jobs() {
    Notices::provide();
    let mint = MintJob::new();
    let deploy = DeployJob::new();
    let transfer = TransferJob::new();
    provide_context(mint);
    provide_context(deploy);
    provide_context(transfer);
    // Replication needs no guard: a request the tab drops stays with the service.
    provide_context(PinJob::new());
    // Nor does an archive: it is a copy, made again with one click.
    provide_context(ArchiveJob::new());
    guard_unload(move || mint.at_risk() || deploy.at_risk() || transfer.at_risk());
}

/// While `at_risk`, closing or reloading the tab shows the browser's
/// "Leave site?" prompt (the text is the browser's own; the HTML spec no
/// longer lets pages set it).
fn guard_unload(at_risk: impl Fn() -> bool + 'static) {
    let handle = window_event_listener(leptos::ev::beforeunload, move |event| {
        if at_risk() {
            event.prevent_default();
            // Chromium before 119 and Safari need a return value as well.
            event.set_return_value("");
        }
    });
    on_cleanup(move || handle.remove());
}
