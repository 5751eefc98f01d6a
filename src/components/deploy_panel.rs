//! When the wallet's chain has no Minty contract: deploy one from the
//! browser (Minty's `deploy --name --symbol`), or use an existing address
//! after checking that it holds a contract that answers name() and symbol().

use ethers_core::types::Address;
use leptos::{prelude::*, task::spawn_local};

use crate::app::SettingsContext;
use crate::eth::address::parse_address;
use crate::eth::minty_abi::{decode_string, deploy_data, name_call, symbol_call};
use crate::settings::chains::chain_label;
use crate::settings::edit::Edit;
use crate::wallet::transactions::{call, code_at, send_transaction, wait_for_receipt};

#[component]
pub fn DeployPanel(chain_id: u64, account: String) -> impl IntoView {
    let settings_context = expect_context::<SettingsContext>();
    let name = RwSignal::new("Julep".to_owned());
    let symbol = RwSignal::new("JLP".to_owned());
    let existing = RwSignal::new(String::new());
    let status = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);

    let remember = move |address: Address| {
        let edit = Edit::Contract {
            chain_id: chain_id.to_string(),
            address: ethers_core::utils::to_checksum(&address, None),
        };
        if let Err(problem) = settings_context.save(&edit) {
            error.set(Some(problem.to_string()));
        }
    };

    let deploy_account = account.clone();
    let deploy = move |_| {
        let from = deploy_account.clone();
        let (name, symbol) = (name.get_untracked(), symbol.get_untracked());
        if name.trim().is_empty() || symbol.trim().is_empty() {
            error.set(Some("Give the collection a name and a symbol.".into()));
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let outcome = async {
                let data = deploy_data(name.trim(), symbol.trim()).map_err(|e| e.to_string())?;
                status.set(Some("Waiting for your signature in the wallet…".into()));
                let hash = send_transaction(&from, None, &data)
                    .await
                    .map_err(|e| e.to_string())?;
                status.set(Some(format!("Deploying in transaction {hash:?}…")));
                let receipt = wait_for_receipt(hash, &from, None, &data)
                    .await
                    .map_err(|e| e.to_string())?;
                receipt
                    .contract_address
                    .ok_or_else(|| "The receipt names no contract address.".to_owned())
            }
            .await;
            match outcome {
                Ok(address) => {
                    status.set(Some(format!("Deployed Minty at {address:?}.")));
                    remember(address);
                }
                Err(message) => {
                    status.set(None);
                    error.set(Some(message));
                }
            }
            busy.set(false);
        });
    };

    let use_existing = move |_| {
        let address = match parse_address(&existing.get_untracked()) {
            Ok(address) => address,
            Err(problem) => {
                error.set(Some(problem.to_string()));
                return;
            }
        };
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let checked = async {
                if code_at(address).await.map_err(|e| e.to_string())?.is_empty() {
                    return Err(format!(
                        "There is no contract at {address:?} on {}: check the address and the wallet's network.",
                        chain_label(chain_id)
                    ));
                }
                let not_minty = |_| format!("The contract at {address:?} does not answer name() and symbol(), so it is not a Minty contract.");
                let name = decode_string(&call(address, &name_call()).await.map_err(|e| e.to_string())?).map_err(not_minty)?;
                let symbol = decode_string(&call(address, &symbol_call()).await.map_err(|e| e.to_string())?).map_err(not_minty)?;
                Ok((name, symbol))
            }
            .await;
            match checked {
                Ok((name, symbol)) => {
                    status.set(Some(format!("Using \"{name}\" ({symbol}) at {address:?}.")));
                    remember(address);
                }
                Err(message) => error.set(Some(message)),
            }
            busy.set(false);
        });
    };

    view! {
        <section class="card" data-testid="deploy-panel">
            <h2>"No Minty contract on " {chain_label(chain_id)}</h2>
            <p class="lede">"Deploy a new collection from this browser, or use a Minty contract that is already on this chain."</p>
            <div class="form-grid">
                <label>"Name" <input data-testid="deploy-name" prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) /></label>
                <label>"Symbol" <input data-testid="deploy-symbol" prop:value=symbol on:input=move |ev| symbol.set(event_target_value(&ev)) /></label>
                <button type="button" class="button primary" data-testid="deploy-submit" disabled=move || busy.get() on:click=deploy>
                    "Deploy Minty"
                </button>
            </div>
            <div class="form-grid">
                <label>
                    "Existing contract address"
                    <input data-testid="existing-address-input" placeholder="0x…" prop:value=existing on:input=move |ev| existing.set(event_target_value(&ev)) />
                </label>
                <button type="button" class="button" data-testid="use-existing-address" disabled=move || busy.get() on:click=use_existing>
                    "Use this address"
                </button>
            </div>
            {move || status.get().map(|text| view! { <p role="status" data-testid="deploy-status">{text}</p> })}
            {move || error.get().map(|text| view! { <p class="error" role="alert" data-testid="deploy-error">{text}</p> })}
        </section>
    }
}
