//! The Minty contract on each chain: the known ones with Remove, and a form
//! that adds or replaces one.

use ethers_core::utils::to_checksum;
use leptos::prelude::*;

use crate::app::SettingsContext;
use crate::components::FieldOutcome;
use crate::settings::{
    chains::chain_label,
    edit::{Edit, Setting},
    local_storage::{self, SaveError},
};

#[component]
pub fn ContractsSetting() -> impl IntoView {
    let context = expect_context::<SettingsContext>();
    let chain_draft = RwSignal::new(String::new());
    let address_draft = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<&'static str, SaveError>>);
    let presets = StoredValue::new(local_storage::presets().contracts);
    let customised = move || {
        context
            .settings
            .with(|settings| presets.with_value(|presets| settings.contracts != *presets))
    };
    let contracts = move || {
        context.settings.with(|settings| {
            settings
                .contracts
                .iter()
                .map(|(chain_id, address)| {
                    let expected = settings.chain_id == Some(*chain_id);
                    (*chain_id, to_checksum(address, None), expected)
                })
                .collect::<Vec<_>>()
        })
    };
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let edit = Edit::Contract {
            chain_id: chain_draft.get_untracked(),
            address: address_draft.get_untracked(),
        };
        let result = context.save(&edit).map(|()| {
            chain_draft.set(String::new());
            address_draft.set(String::new());
            "Saved"
        });
        outcome.set(Some(result));
    };
    let remove = move |chain_id: u64| {
        let result = context.save(&Edit::RemoveContract(chain_id));
        outcome.set(Some(result.map(|()| "Removed")));
    };
    let reset = move |_| {
        let result = context.save(&Edit::Reset(Setting::Contracts));
        outcome.set(Some(result.map(|()| "Back to the presets")));
    };
    view! {
        <div class="field">
            <h3 class="label">"Minty contracts"</h3>
            <p class="hint">
                "The address of the Minty contract on each chain it is deployed on. Minty mints on the expected chain's contract."
            </p>
            <ul class="entries" data-testid="contracts-list">
                <Show when=move || !contracts().is_empty()>
                    <For each=contracts key=|entry| entry.clone() let((chain_id, address, expected))>
                        <li class="entry" data-testid="contract-entry" data-chain-id=chain_id>
                            <div class="entry-main">
                                <span class="entry-chain">
                                    {chain_label(chain_id)}
                                    {expected.then(|| view! { <span class="badge">"Expected"</span> })}
                                </span>
                                <span class="mono">{address}</span>
                            </div>
                            <button
                                type="button"
                                class="button small danger"
                                data-testid="remove-contract"
                                aria-label=format!("Remove the contract on {}", chain_label(chain_id))
                                on:click=move |_| remove(chain_id)
                            >
                                "Remove"
                            </button>
                        </li>
                    </For>
                </Show>
                <Show when=move || contracts().is_empty()>
                    <li class="entry empty">"No contract configured yet."</li>
                </Show>
            </ul>
            <form class="contract-form" novalidate on:submit=save>
                <div class="stacked">
                    <label for="contract-chain">"Chain id"</label>
                    <input
                        id="contract-chain"
                        class="input mono"
                        inputmode="numeric"
                        placeholder="31337"
                        autocomplete="off"
                        data-testid="contract-chain-input"
                        bind:value=chain_draft
                        on:input=move |_| outcome.set(None)
                    />
                </div>
                <div class="stacked grow">
                    <label for="contract-address">"Contract address"</label>
                    <input
                        id="contract-address"
                        class="input mono"
                        placeholder="0x…"
                        autocomplete="off"
                        spellcheck="false"
                        data-testid="contract-address-input"
                        bind:value=address_draft
                        on:input=move |_| outcome.set(None)
                    />
                </div>
                <button type="submit" class="button primary" data-testid="save-contract">
                    "Save contract"
                </button>
                <Show when=customised>
                    <button type="button" class="button" on:click=reset>
                        "Reset to presets"
                    </button>
                </Show>
            </form>
            <FieldOutcome outcome />
        </div>
    }
}
