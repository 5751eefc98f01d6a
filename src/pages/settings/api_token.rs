//! A storage provider's API token: typed once, then only ever shown
//! masked, and saved for that provider's endpoint only.

use leptos::prelude::*;

use crate::app::SettingsContext;
use crate::components::FieldOutcome;
use crate::settings::{
    api_token::{forget_api_token, load_api_token, save_api_token},
    local_storage::SaveError,
    StorageProviderKind,
};

#[component]
pub fn ApiTokenSetting(
    provider: StorageProviderKind,
    label: &'static str,
    /// Prefixes the test ids: `{prefix}-input`, `save-{prefix}`, …
    test_id: &'static str,
    /// Says what the token is for and where to get one.
    children: Children,
) -> impl IntoView {
    let SettingsContext { settings, .. } = expect_context();
    let token = RwSignal::new(load_api_token(provider));
    let draft = RwSignal::new(String::new());
    let outcome = RwSignal::new(None::<Result<&'static str, SaveError>>);
    let save = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let endpoints = settings.with_untracked(|settings| settings.endpoints_of(provider));
        let result = save_api_token(provider, &draft.get_untracked(), &endpoints).map(|saved| {
            token.set(Some(saved));
            // The secret leaves the page's DOM once it is stored.
            draft.set(String::new());
            "Saved"
        });
        outcome.set(Some(result));
    };
    let forget = move |_| {
        let result = forget_api_token(provider).map(|()| {
            token.set(None);
            "Forgotten"
        });
        outcome.set(Some(result.map_err(SaveError::from)));
    };
    let endpoint = move || {
        settings.with(|settings| {
            settings
                .endpoints_of(provider)
                .all()
                .collect::<Vec<_>>()
                .join(" and ")
        })
    };
    let input_id = format!("{test_id}-field");
    let hint_id = format!("{test_id}-hint");
    view! {
        <form class="field" novalidate on:submit=save>
            <label for=input_id.clone()>{label}</label>
            <div class="hint" id=hint_id.clone()>
                {children()}
                " Stored only in this browser's localStorage, and sent only to "
                <span class="mono">{endpoint}</span> ", to upload your files."
            </div>
            {move || {
                token
                    .get()
                    .map(|token| {
                        view! {
                            <div class="saved-secret">
                                <span class="muted">"Saved token"</span>
                                <span class="mono" data-testid=format!("{test_id}-masked")>
                                    {token.masked()}
                                </span>
                                <span class="muted" data-testid=format!("{test_id}-endpoint")>
                                    "for " {token.origins_text()}
                                </span>
                                <button
                                    type="button"
                                    class="button small danger"
                                    data-testid=format!("forget-{test_id}")
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
                    id=input_id
                    type="password"
                    class="input mono"
                    placeholder=move || {
                        if token.with(Option::is_some) { "Paste a new token to replace it" } else { "Paste your token" }
                    }
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby=hint_id
                    data-testid=format!("{test_id}-input")
                    bind:value=draft
                    on:input=move |_| outcome.set(None)
                />
                <button type="submit" class="button primary" data-testid=format!("save-{test_id}")>
                    "Save token"
                </button>
            </div>
            <FieldOutcome outcome />
        </form>
    }
}
