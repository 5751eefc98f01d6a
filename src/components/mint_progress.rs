//! Where a mint is: a sentence for each stage, a progress bar while bytes
//! move, and the transaction hash as soon as the wallet has sent it.

use leptos::prelude::*;

use crate::mint::MintStage;

fn describe(stage: &MintStage) -> (String, Option<(u64, u64)>) {
    match stage {
        MintStage::HashingAsset { done, total } => {
            ("Computing the file's CID…".into(), Some((*done, *total)))
        }
        MintStage::UploadingAsset { done, total } => {
            ("Uploading the file…".into(), Some((*done, *total)))
        }
        MintStage::UploadingMetadata => ("Uploading the metadata…".into(), None),
        MintStage::AwaitingSignature => ("Waiting for your signature in the wallet…".into(), None),
        MintStage::Pending { .. } => ("Transaction sent; waiting for it to be mined…".into(), None),
    }
}

#[component]
pub fn MintProgress(stage: RwSignal<Option<MintStage>>) -> impl IntoView {
    move || {
        stage.get().map(|stage| {
            let (label, progress) = describe(&stage);
            let hash = match &stage {
                MintStage::Pending { hash } => Some(format!("{hash:?}")),
                _ => None,
            };
            view! {
                <div class="progress" role="status" aria-live="polite">
                    <p data-testid="mint-stage">{label}</p>
                    {progress
                        .map(|(done, total)| {
                            view! {
                                <progress
                                    data-testid="mint-progress"
                                    max=total.max(1).to_string()
                                    value=done.to_string()
                                ></progress>
                            }
                        })}
                    {hash
                        .map(|hash| {
                            view! {
                                <p>
                                    "Transaction "
                                    <span class="mono" data-testid="mint-tx-hash">
                                        {hash}
                                    </span>
                                </p>
                            }
                        })}
                </div>
            }
        })
    }
}
