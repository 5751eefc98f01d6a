//! Where a mint is: a sentence for each stage, a progress bar while bytes
//! move, and the transaction, named by its hash, as soon as the wallet has
//! sent it.

use std::borrow::Cow;

use leptos::prelude::*;

use crate::byte_size::progress_text;
use crate::components::TransactionStatus;
use crate::mint::MintStage;

fn describe(stage: &MintStage) -> (Cow<'static, str>, Option<(u64, u64)>) {
    let (label, progress): (&'static str, _) = match stage {
        MintStage::HashingAsset { done, total } => {
            ("Computing the file's CID…", Some((*done, *total)))
        }
        MintStage::UploadingAsset { done, total } => {
            ("Uploading the file…", Some((*done, *total)))
        }
        MintStage::UploadingMetadata => ("Uploading the metadata…", None),
        MintStage::CheckingContract => ("Checking the contract…", None),
        MintStage::AwaitingSignature => ("Waiting for your signature in the wallet…", None),
        MintStage::Sent { .. } => ("Minting…", None),
        MintStage::Replaced => (
            "The transaction was replaced in your wallet (sped up or cancelled); finding what the replacement did…",
            None,
        ),
        MintStage::UploadRetrying(notice) => return (format!("{notice}…").into(), None),
    };
    (label.into(), progress)
}

#[component]
pub fn MintProgress(stage: RwSignal<Option<MintStage>>) -> impl IntoView {
    move || {
        stage.get().map(|stage| {
            let (label, progress) = describe(&stage);
            let transaction = match &stage {
                MintStage::Sent { hash, status } => Some((*hash, status.clone())),
                _ => None,
            };
            view! {
                <div class="card progress" role="status" aria-live="polite">
                    <p data-testid="mint-stage">{label}</p>
                    {progress
                        .map(|(done, total)| {
                            view! {
                                <progress
                                    data-testid="mint-progress"
                                    max=total.max(1).to_string()
                                    value=done.to_string()
                                ></progress>
                                <p class="hint" data-testid="mint-progress-text">
                                    {progress_text(done, total)}
                                </p>
                            }
                        })}
                    {transaction
                        .map(|(hash, status)| {
                            view! { <TransactionStatus hash status test_id="mint-transaction" /> }
                        })}
                </div>
            }
        })
    }
}
