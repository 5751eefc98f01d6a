//! The storage API token: typed once, then only ever shown masked.

use leptos::prelude::*;

use crate::app::SettingsContext;
use crate::components::FieldOutcome;
use crate::settings::{
    api_token::{forget_api_token, load_api_token, save_api_token},
    local_storage::SaveError,
};

#[component]
pub fn ApiTokenSetting() -> impl IntoView {
    let SettingsContext { settings, .. } = expect_context();
    let token = RwSignal::new(load_api_token());
    let draft = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<&'static str, SaveError>>);
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let endpoint = settings.with_untracked(|settings| settings.storage_endpoint.clone());
        let result = save_api_token(&draft.get_untracked(), &endpoint).map(|saved| {
            token.set(Some(saved));
            // The secret leaves the page's DOM once it is stored.
            draft.set(String::new());
            "Saved"
        });
        outcome.set(Some(result));
    };
    let forget = move |_| {
        let result = forget_api_token().map(|()| {
            token.set(None);
            "Forgotten"
        });
        outcome.set(Some(result.map_err(SaveError::from)));
    };
    let endpoint = move || settings.with(|settings| settings.storage_endpoint.clone());
    view! {
        <form class="field" novalidate on:submit=save>
            <label for="api-token">"nft.storage API token"</label>
            <p class="hint" id="api-token-hint">
                "Stored only in this browser's localStorage, and sent only to the storage endpoint below ("
                <span class="mono">{endpoint}</span> "), to upload your files."
            </p>
            {move || {
                token
                    .get()
                    .map(|token| {
                        view! {
                            <div class="saved-secret">
                                <span class="muted">"Saved token"</span>
                                <span class="mono" data-testid="api-token-masked">
                                    {token.masked()}
                                </span>
                                <span class="muted" data-testid="api-token-endpoint">
                                    "for " {token.endpoint().to_owned()}
                                </span>
                                <button
                                    type="button"
                                    class="button small danger"
                                    data-testid="forget-api-token"
                                    on:click=forget
                                >
                                    "Forget token"
                                </button>
                            </div>
                        }
                    })
            }}
            <div class="field-row">
                <input
                    id="api-token"
                    type="password"
                    class="input mono"
                    placeholder=move || {
                        if token.with(Option::is_some) { "Paste a new token to replace it" } else { "Paste your token" }
                    }
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby="api-token-hint"
                    data-testid="api-token-input"
                    bind:value=draft
                    on:input=move |_| outcome.set(None)
                />
                <button type="submit" class="button primary" data-testid="save-api-token">
                    "Save token"
                </button>
            </div>
            <FieldOutcome outcome />
        </form>
    }
}
