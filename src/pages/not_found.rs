//! Shown for any path the router does not know.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

#[component]
pub fn NotFound() -> impl IntoView {
    let path = use_location().pathname;
    view! {
        <section class="card" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"Nothing lives at " <code>{path}</code> "."</p>
            <p>
                <A href="/">"Back to the start page"</A>
            </p>
        </section>
    }
}
