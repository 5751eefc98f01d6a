//! Which storage provider uploads go to, saved as soon as it is chosen.

use leptos::prelude::*;

use crate::app::SettingsContext;
use crate::components::FieldOutcome;
use crate::settings::{edit::Edit, StorageProviderKind};

#[component]
pub fn StorageProviderSetting() -> impl IntoView {
    let context = expect_context::<SettingsContext>();
    let outcome = RwSignal::new(None);
    let chosen = move || context.settings.with(|settings| settings.storage_provider);
    let choose = move |event: leptos::ev::Event| {
        let result = context
            .save(&Edit::StorageProvider(event_target_value(&event)))
            .map(|()| "Saved");
        outcome.set(Some(result));
    };
    view! {
        <div class="field">
            <label for="storage-provider">"Upload to"</label>
            <p class="hint" id="storage-provider-hint">
                "The service your files and metadata are uploaded to. Each keeps its own endpoint and token below."
            </p>
            <div class="field-row">
                <select
                    id="storage-provider"
                    class="input"
                    aria-describedby="storage-provider-hint"
                    data-testid="storage-provider"
                    on:change=choose
                >
                    {StorageProviderKind::ALL
                        .into_iter()
                        .map(|kind| {
                            view! {
                                <option value=kind.id() selected=move || chosen() == kind>
                                    {kind.label()}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
            </div>
            <FieldOutcome outcome />
        </div>
    }
}
