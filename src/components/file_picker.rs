//! Choosing the asset: a file input that is also a drop zone, with a
//! preview when the file is an image.

use leptos::prelude::*;
use web_sys::{DragEvent, File, HtmlInputElement, Url};

#[component]
pub fn FilePicker(
    file: RwSignal<Option<File>, LocalStorage>,
    #[prop(into)] disabled: Signal<bool>,
    /// What to ask for when nothing is chosen yet.
    prompt: &'static str,
    test_id: &'static str,
) -> impl IntoView {
    let dragging = RwSignal::new(false);
    let preview = RwSignal::new(None::<String>);
    // A new object URL per image; the previous one is released.
    Effect::new(move |previous: Option<Option<String>>| {
        if let Some(Some(url)) = previous {
            let _ = Url::revoke_object_url(&url);
        }
        let url = file.with(|file| {
            file.as_ref()
                .filter(|file| file.type_().starts_with("image/"))
                .and_then(|file| Url::create_object_url_with_blob(file).ok())
        });
        preview.set(url.clone());
        url
    });
    let on_change = move |event: leptos::ev::Event| {
        let input: HtmlInputElement = event_target(&event);
        if let Some(chosen) = input.files().and_then(|files| files.get(0)) {
            file.set(Some(chosen));
        }
    };
    let on_drop = move |event: DragEvent| {
        event.prevent_default();
        dragging.set(false);
        if disabled.get_untracked() {
            return;
        }
        if let Some(dropped) = event
            .data_transfer()
            .and_then(|data| data.files())
            .and_then(|files| files.get(0))
        {
            file.set(Some(dropped));
        }
    };
    view! {
        <label
            class="drop-zone"
            class:dragging=move || dragging.get()
            on:dragover=move |event: DragEvent| {
                event.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <input type="file" data-testid=test_id on:change=on_change disabled=disabled />
            <span class="drop-hint">
                {move || {
                    file.with(|file| match file {
                        Some(file) => format!("{} · {}", file.name(), human_size(file.size())),
                        None => prompt.to_owned(),
                    })
                }}
            </span>
            {move || {
                preview
                    .get()
                    .map(|url| view! { <img class="preview" src=url alt="Preview of the chosen image" /> })
            }}
        </label>
    }
}

/// "1.4 MB": sizes as people read them.
pub fn human_size(bytes: f64) -> String {
    const UNITS: [&str; 5] = ["bytes", "kB", "MB", "GB", "TB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value} {}", UNITS[0])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}
