//! Choosing the asset: a file input that is also a drop zone, with a
//! preview when the file is an image.

use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DragEvent, File, HtmlInputElement, Url};

use crate::nft::media::{blob_media_type, BlobMediaType};
use crate::svg_raster::svg_to_png;

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
    // Which choice a preview being drawn belongs to, so a late one for an
    // earlier file is dropped.
    let choice = StoredValue::new(0_u64);
    let show = move |url: Option<String>| {
        if let Some(previous) = preview.get_untracked() {
            let _ = Url::revoke_object_url(&previous);
        }
        preview.set(url);
    };
    Effect::new(move |_| {
        let this_choice = choice.get_value() + 1;
        choice.set_value(this_choice);
        let Some(chosen) = file.get() else {
            return show(None);
        };
        // A blob: URL is a document of this origin when opened on its own,
        // so only a raster image gets one, typed from the allowlist, and an
        // SVG is previewed as a PNG drawn from it.
        match blob_media_type(Some(&chosen.type_()), &chosen.name()) {
            BlobMediaType::Allowed(media_type) if media_type.starts_with("image/") => show(
                chosen
                    .slice_with_f64_and_f64_and_content_type(0.0, chosen.size(), media_type)
                    .ok()
                    .and_then(|typed| Url::create_object_url_with_blob(&typed).ok()),
            ),
            BlobMediaType::Svg => {
                show(None);
                spawn_local(async move {
                    let Ok(buffer) = JsFuture::from(chosen.array_buffer()).await else {
                        return;
                    };
                    let Ok(png) = svg_to_png(&Uint8Array::new(&buffer).to_vec()).await else {
                        return;
                    };
                    if choice.get_value() == this_choice {
                        show(Url::create_object_url_with_blob(&png).ok());
                    }
                });
            }
            _ => show(None),
        }
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
