//! The settings that could not be used (a bad preset or saved value), and why.

use leptos::prelude::*;

use crate::app::SettingsContext;

#[component]
pub fn SettingsProblems() -> impl IntoView {
    let SettingsContext { problems, .. } = expect_context();
    view! {
        <Show when=move || problems.with(|problems| !problems.is_empty())>
            <section class="card warning" role="alert" data-testid="settings-problems">
                <h2>"Settings that could not be used"</h2>
                <ul>
                    {move || {
                        problems
                            .get()
                            .into_iter()
                            .map(|problem| view! { <li>{problem.to_string()}</li> })
                            .collect_view()
                    }}
                </ul>
            </section>
        </Show>
    }
}
