//! One setting on the settings page: a labelled input with Save, and Reset
//! when the value differs from the build's preset. What the user typed stays
//! in the field until a save succeeds, so a refused value can be corrected.

use leptos::prelude::*;

use crate::settings::local_storage::SaveError;

#[component]
pub fn SettingField(
    label: &'static str,
    /// The input's id, which the label points at.
    id: &'static str,
    /// The value in effect, which the field starts from and returns to after saving.
    #[prop(into)]
    saved: Signal<String>,
    /// Checks and saves the typed text.
    #[prop(into)]
    on_save: Callback<String, Result<(), SaveError>>,
    /// Forgets the saved value; Reset is shown only while `customised`.
    #[prop(optional, into)]
    on_reset: Option<Callback<(), Result<(), SaveError>>>,
    #[prop(optional, into)] customised: Signal<bool>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] placeholder: &'static str,
    input_test_id: &'static str,
    save_test_id: &'static str,
    /// A sentence or two under the label: what the setting is for.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let draft = RwSignal::new(saved.get_untracked());
    let outcome = RwSignal::new(None::<Result<&'static str, SaveError>>);
    let settle = move |result: Result<(), SaveError>, done: &'static str| match result {
        Ok(()) => {
            draft.set(saved.get_untracked());
            outcome.set(Some(Ok(done)));
        }
        Err(error) => outcome.set(Some(Err(error))),
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        settle(on_save.run(draft.get_untracked()), "Saved");
    };
    let reset = move |_| {
        if let Some(on_reset) = on_reset {
            settle(on_reset.run(()), "Back to the preset");
        }
    };
    let hint_id = format!("{id}-hint");
    view! {
        // `novalidate`: the app's own messages explain a refused value,
        // instead of the browser's bubble for type="url".
        <form class="field" novalidate on:submit=submit>
            <label for=id>{label}</label>
            {children.map(|hint| view! { <div class="hint" id=hint_id.clone()>{hint()}</div> })}
            <div class="field-row">
                <input
                    id=id
                    type=input_type
                    class="input mono"
                    placeholder=placeholder
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby=hint_id
                    aria-invalid=move || outcome.with(|o| matches!(o, Some(Err(_)))).to_string()
                    data-testid=input_test_id
                    bind:value=draft
                    on:input=move |_| outcome.set(None)
                />
                <button type="submit" class="button primary" data-testid=save_test_id>
                    "Save"
                </button>
                <Show when=move || on_reset.is_some() && customised.get()>
                    <button type="button" class="button" on:click=reset>
                        "Reset"
                    </button>
                </Show>
            </div>
            <FieldOutcome outcome />
        </form>
    }
}

/// "Saved", or why not: shown under a field until the user types again.
#[component]
pub fn FieldOutcome(outcome: RwSignal<Option<Result<&'static str, SaveError>>>) -> impl IntoView {
    move || match outcome.get()? {
        Ok(done) => Some(view! { <p class="field-ok" role="status">{done}</p> }.into_any()),
        Err(error) => Some(
            view! {
                <p class="field-error" role="alert" data-testid="settings-error">
                    {error.to_string()}
                </p>
            }
            .into_any(),
        ),
    }
}
