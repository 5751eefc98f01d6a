//! Untrusted text as text: invisible characters shown as marks, and very
//! long text cut with a "Show more". The element around it carries
//! `dir="auto"` and the `untrusted` class (`unicode-bidi: isolate`), so
//! right-to-left text neither flips nor leaks into what is around it.

use leptos::prelude::*;

use crate::nft::untrusted_text::{mark_invisibles, shortened, Segment};

#[component]
pub fn UntrustedText(
    text: String,
    /// Characters shown before "Show more".
    limit: usize,
) -> impl IntoView {
    let expanded = RwSignal::new(false);
    let cut = shortened(&text, limit).map(str::to_owned);
    move || match (&cut, expanded.get()) {
        (Some(start), false) => view! {
            {segments(start)}
            "…"
            <button
                type="button"
                class="link-button show-more"
                data-testid="show-more"
                on:click=move |_| expanded.set(true)
            >
                "Show more"
            </button>
        }
        .into_any(),
        _ => segments(&text).into_any(),
    }
}

fn segments(text: &str) -> impl IntoView {
    mark_invisibles(text)
        .into_iter()
        .map(|segment| match segment {
            Segment::Text(text) => text.into_any(),
            Segment::Invisible(mark) => view! {
                <abbr class="invisible-char" title=mark.describe() data-testid="invisible-char">
                    {mark.abbreviation}
                </abbr>
            }
            .into_any(),
        })
        .collect_view()
}

/// Untrusted text cut at `limit` with "…" and no "Show more", for places
/// inside a link, such as a gallery card, where no button may go.
#[component]
pub fn UntrustedSnippet(text: String, limit: usize) -> impl IntoView {
    match shortened(&text, limit) {
        Some(start) => view! {
            {segments(start)}
            "…"
        }
        .into_any(),
        None => segments(&text).into_any(),
    }
}
