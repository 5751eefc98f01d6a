//! A button that copies a text to the clipboard and says whether it worked.

use std::time::Duration;

use js_sys::Reflect;
use leptos::{prelude::*, task::spawn_local};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// How long "Copied" stays before the button reads "Copy" again.
const FEEDBACK: Duration = Duration::from_secs(2);

#[component]
pub fn CopyButton(
    /// What is copied.
    #[prop(into)]
    text: Signal<String>,
    /// Accessible name, e.g. "Copy address".
    label: &'static str,
) -> impl IntoView {
    let copied = RwSignal::new(None::<bool>);
    let copy = move |_| {
        let text = text.get_untracked();
        spawn_local(async move {
            copied.set(Some(write_clipboard(&text).await));
            set_timeout(move || copied.set(None), FEEDBACK);
        });
    };
    view! {
        <button type="button" class="button small" aria-label=label title=label on:click=copy>
            {move || match copied.get() {
                None => "Copy",
                Some(true) => "Copied",
                Some(false) => "Copy failed",
            }}
        </button>
    }
}

async fn write_clipboard(text: &str) -> bool {
    let Some(navigator) = web_sys::window().map(|window| window.navigator()) else {
        return false;
    };
    // `navigator.clipboard` is undefined outside secure contexts; calling
    // through it would throw, which web-sys does not catch.
    let has_clipboard = Reflect::get(&navigator, &JsValue::from_str("clipboard"))
        .is_ok_and(|clipboard| clipboard.is_object());
    has_clipboard
        && JsFuture::from(navigator.clipboard().write_text(text))
            .await
            .is_ok()
}
