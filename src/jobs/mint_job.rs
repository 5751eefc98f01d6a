//! The mint job: upload, then sign and follow `mintToken`, holding its
//! stage, error and result in signals that live as long as the app.

use leptos::prelude::*;
use web_sys::File;

use crate::mint::{
    mint_token, upload_fingerprint, upload_nft, MintError, MintStage, MintTarget, MintedToken,
    UploadedNft,
};
use crate::nft::mint_details::MintDetails;
use crate::settings::api_token::ApiToken;
use crate::storage::nft_storage::NftStorage;
use crate::wallet::contract_check::ensure_erc721;

/// Everything a mint needs, fixed when the creator presses Mint.
#[derive(Clone)]
pub struct MintRequest {
    pub file: File,
    pub preview: Option<File>,
    pub details: MintDetails,
    pub storage_endpoint: String,
    pub api_token: ApiToken,
    pub target: MintTarget,
}

#[derive(Clone, Copy)]
pub struct MintJob {
    pub stage: RwSignal<Option<MintStage>>,
    pub error: RwSignal<Option<MintError>>,
    pub minted: RwSignal<Option<MintedToken>>,
    run: Action<MintRequest, ()>,
}

impl MintJob {
    /// Call under the app root's owner, so the job outlives every page.
    pub fn new() -> Self {
        let stage = RwSignal::new(None);
        let error = RwSignal::new(None);
        let minted = RwSignal::new(None);
        // Kept across attempts: a retry after a rejected signature reuses it.
        let uploaded = RwSignal::new(None);
        let run = Action::new_local(move |request: &MintRequest| {
            let request = request.clone();
            async move {
                let report = move |next: MintStage| stage.set(Some(next));
                let outcome = run_mint(request, uploaded, report).await;
                stage.set(None);
                match outcome {
                    Ok(token) => minted.set(Some(token)),
                    Err(problem) => error.set(Some(problem)),
                }
            }
        });
        MintJob {
            stage,
            error,
            minted,
            run,
        }
    }

    pub fn running(self) -> bool {
        self.run.pending().get()
    }

    /// Starts a mint unless one is running.
    pub fn start(self, request: MintRequest) {
        if self.run.pending().get_untracked() {
            return;
        }
        self.error.set(None);
        self.minted.set(None);
        self.run.dispatch_local(request);
    }

    /// A form error found before anything started.
    pub fn refuse(self, problem: MintError) {
        self.minted.set(None);
        self.error.set(Some(problem));
    }

    /// Whether closing the tab now could lose an upload or the transaction.
    pub fn at_risk(self) -> bool {
        self.run.pending().get_untracked()
    }
}

async fn run_mint(
    request: MintRequest,
    uploaded: RwSignal<Option<UploadedNft>>,
    report: impl Fn(MintStage) + Clone + 'static,
) -> Result<MintedToken, MintError> {
    let MintRequest {
        file,
        preview,
        details,
        storage_endpoint,
        api_token,
        target,
    } = request;
    // Before uploading: an address that is not an ERC-721 would only fail
    // after the upload and the gas were spent.
    report(MintStage::CheckingContract);
    ensure_erc721(target.chain_id, target.contract).await?;
    let fingerprint = upload_fingerprint(&file, preview.as_ref(), &details);
    let reusable = uploaded
        .get_untracked()
        .filter(|done| done.made_from == fingerprint);
    let ready = match reusable {
        Some(done) => done,
        None => {
            let storage = NftStorage::new(&storage_endpoint, api_token);
            let done =
                upload_nft(&file, preview.as_ref(), &details, &storage, report.clone()).await?;
            uploaded.set(Some(done.clone()));
            done
        }
    };
    mint_token(ready, details.owner, &target, report).await
}
