//! The pinning services replication goes to: the list, each with its
//! masked token, an Enabled switch and Remove, and a form that adds one
//! from a preset (Pinata, 4EVERLAND, Filebase) or a custom endpoint.

use leptos::prelude::*;

use crate::components::FieldOutcome;
use crate::pinning::services::{
    load_services, save_services, with_enabled, with_service, without_service, PinningService,
    PRESETS,
};
use crate::settings::local_storage::SaveError;

/// The value of the preset picker's "Custom endpoint" option.
const CUSTOM: &str = "custom";

#[component]
pub fn PinningServicesSetting() -> impl IntoView {
    let services = RwSignal::new(load_services());
    let outcome = RwSignal::new(None::<Result<&'static str, SaveError>>);
    let preset = RwSignal::new(PRESETS[0].name.to_owned());
    let name = RwSignal::new(PRESETS[0].name.to_owned());
    let endpoint = RwSignal::new(PRESETS[0].endpoint.to_owned());
    let token = RwSignal::new(String::new());
    let store = move |next: Vec<PinningService>, done: &'static str| {
        let result = save_services(&next)
            .map(|()| {
                services.set(next);
                done
            })
            .map_err(SaveError::from);
        outcome.set(Some(result));
    };
    let choose = move |event: leptos::ev::Event| {
        let chosen = event_target_value(&event);
        match PRESETS.iter().find(|p| p.name == chosen) {
            Some(p) => {
                name.set(p.name.to_owned());
                endpoint.set(p.endpoint.to_owned());
            }
            None => {
                name.set(String::new());
                endpoint.set(String::new());
            }
        }
        preset.set(chosen);
        outcome.set(None);
    };
    let add = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        match PinningService::new(
            &name.get_untracked(),
            &endpoint.get_untracked(),
            &token.get_untracked(),
        ) {
            Ok(service) => {
                // The secret leaves the page's DOM once it is stored.
                token.set(String::new());
                store(with_service(services.get_untracked(), service), "Added");
            }
            Err(problem) => outcome.set(Some(Err(problem.into()))),
        }
    };
    let token_from = move || {
        preset.with(|chosen| {
            PRESETS.iter().find(|p| p.name == chosen).map_or(
                "the access token your Pinning Services API provider gives you",
                |p| p.token_from,
            )
        })
    };
    view! {
        <section class="card settings" aria-labelledby="pinning-heading">
            <h2 id="pinning-heading">"Pinning services"</h2>
            <p class="hint">
                "Replication, as Minty's " <code>"pin"</code>
                " does it: after a mint, or with \"Pin this token\" on a token's page, each enabled service is asked through the IPFS Pinning Services API to keep the token's metadata and asset. Each token is stored only in this browser and sent only to its own service."
            </p>
            <ul class="pinning-services" data-testid="pinning-services">
                {move || {
                    services
                        .get()
                        .into_iter()
                        .map(|service| {
                            let endpoint = service.endpoint.clone();
                            let shown_endpoint = endpoint.clone();
                            let toggled = endpoint.clone();
                            let removed = endpoint.clone();
                            let enabled = service.enabled;
                            view! {
                                <li class="saved-secret" data-testid="pinning-service" data-endpoint=endpoint>
                                    <strong>{service.name.clone()}</strong>
                                    <span class="mono">{shown_endpoint}</span>
                                    <span class="mono" data-testid="pinning-service-token">{service.token.masked()}</span>
                                    <label class="checkbox">
                                        <input
                                            type="checkbox"
                                            prop:checked=enabled
                                            data-testid="pinning-service-enabled"
                                            on:change=move |event| {
                                                let on = event_target_checked(&event);
                                                store(with_enabled(services.get_untracked(), &toggled, on), if on { "Enabled" } else { "Disabled" });
                                            }
                                        />
                                        "Enabled"
                                    </label>
                                    <button
                                        type="button"
                                        class="button small danger"
                                        data-testid="remove-pinning-service"
                                        on:click=move |_| store(without_service(services.get_untracked(), &removed), "Removed")
                                    >
                                        "Remove"
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <form class="field" novalidate on:submit=add>
                <h3>"Add a pinning service"</h3>
                <label for="psa-preset">"Service"</label>
                <select id="psa-preset" class="input" data-testid="psa-preset" on:change=choose>
                    {PRESETS
                        .iter()
                        .map(|p| view! { <option value=p.name selected=move || preset.get() == p.name>{p.name}</option> })
                        .collect_view()}
                    <option value=CUSTOM selected=move || preset.get() == CUSTOM>"Custom endpoint"</option>
                </select>
                <label for="psa-name">"Name"</label>
                <input id="psa-name" class="input" data-testid="psa-name" bind:value=name on:input=move |_| outcome.set(None) />
                <label for="psa-endpoint">"Endpoint"</label>
                <input
                    id="psa-endpoint"
                    type="url"
                    class="input mono"
                    placeholder="https://api.example/psa"
                    data-testid="psa-endpoint"
                    bind:value=endpoint
                    on:input=move |_| outcome.set(None)
                />
                <label for="psa-token">"Access token"</label>
                <p class="hint" id="psa-token-hint">"Paste " {token_from} "."</p>
                <div class="field-row">
                    <input
                        id="psa-token"
                        type="password"
                        class="input mono"
                        autocomplete="off"
                        spellcheck="false"
                        aria-describedby="psa-token-hint"
                        data-testid="psa-token"
                        bind:value=token
                        on:input=move |_| outcome.set(None)
                    />
                    <button type="submit" class="button primary" data-testid="add-psa">
                        "Add service"
                    </button>
                </div>
                <FieldOutcome outcome />
            </form>
        </section>
    }
}
