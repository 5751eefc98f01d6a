//! When the wallet's chain has no Minty contract: deploy one from the
//! browser (Minty's `deploy --name --symbol`), or use an existing address
//! after checking that it holds a contract that answers name() and symbol().

use leptos::prelude::*;

use crate::components::TransactionStatus;
use crate::eth::address::parse_address;
use crate::jobs::deploy_job::{DeployError, DeployRequest, DeployStage, Deployed};
use crate::jobs::DeployJob;
use crate::settings::chains::chain_label;

#[component]
pub fn DeployPanel(chain_id: u64, account: String) -> impl IntoView {
    let job = expect_context::<DeployJob>();
    let name = RwSignal::new("Julep".to_owned());
    let symbol = RwSignal::new("JLP".to_owned());
    let existing = RwSignal::new(String::new());
    let busy = move || job.running();

    let deploy = move |_| {
        job.start(DeployRequest::New {
            chain_id,
            account: account.clone(),
            name: name.get_untracked(),
            symbol: symbol.get_untracked(),
        })
    };
    let use_existing = move |_| match parse_address(&existing.get_untracked()) {
        Ok(address) => job.start(DeployRequest::Existing { chain_id, address }),
        Err(problem) => job.refuse(DeployError::from(problem)),
    };
    let status = move || {
        job.stage.get().map(|stage| match stage {
            DeployStage::AwaitingSignature => {
                view! { <p role="status" data-testid="deploy-status">"Waiting for your signature in the wallet…"</p> }.into_any()
            }
            DeployStage::Sent { hash, status } => view! {
                <div role="status" data-testid="deploy-status">
                    <p>"Deploying Minty…"</p>
                    <TransactionStatus hash status test_id="deploy-transaction" />
                </div>
            }
            .into_any(),
            DeployStage::Checking { address } => view! {
                <p role="status" data-testid="deploy-status">{format!("Checking the contract at {address:?}…")}</p>
            }
            .into_any(),
        })
    };
    let done = move || {
        job.done.get().map(|deployed| {
            let text = match deployed {
                Deployed::New { address, .. } => format!("Deployed Minty at {address:?}."),
                Deployed::Existing {
                    address,
                    name,
                    symbol,
                } => {
                    format!("Using \"{name}\" ({symbol}) at {address:?}.")
                }
            };
            view! { <p role="status" data-testid="deploy-done">{text}</p> }
        })
    };

    view! {
        <section class="card" data-testid="deploy-panel">
            <h2>"No Minty contract on " {chain_label(chain_id)}</h2>
            <p class="lede">"Deploy a new collection from this browser, or use a Minty contract that is already on this chain."</p>
            <div class="form-grid">
                <label>"Name" <input data-testid="deploy-name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label>"Symbol" <input data-testid="deploy-symbol" prop:value=symbol on:input=move |ev| symbol.set(event_target_value(&ev)) /></label>
                <button type="button" class="button primary" data-testid="deploy-submit" disabled=busy on:click=deploy>
                    "Deploy Minty"
                </button>
            </div>
            <div class="form-grid">
                <label>
                    "Existing contract address"
                    <input data-testid="existing-address-input" placeholder="0x…" prop:value=existing on:input=move |ev| existing.set(event_target_value(&ev)) />
                </label>
                <button type="button" class="button" data-testid="use-existing-address" disabled=busy on:click=use_existing>
                    "Use this address"
                </button>
            </div>
            {status}
            {done}
            {move || job.error.get().map(|problem| view! { <p class="error" role="alert" data-testid="deploy-error">{problem.to_string()}</p> })}
        </section>
    }
}
