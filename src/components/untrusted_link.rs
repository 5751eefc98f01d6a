//! A link found in untrusted metadata (or a tokenURI): a real link only
//! when `classify_untrusted_link` accepts it; otherwise the text as written,
//! never clickable, with the reason it is not followed.

use leptos::prelude::*;

use crate::ipfs::uri::classify_untrusted_link;
use crate::nft::untrusted_text::shortened;

/// Long links (a `data:` URL, or an https one padded to fill the page) are
/// shown only this far; a link's target stays whole.
const SHOWN_CHARS: usize = 240;

#[component]
pub fn UntrustedLink(
    /// The link exactly as the metadata wrote it.
    raw: String,
    /// The IPFS path gateway that `ipfs://` links go through.
    gateway: String,
    /// `data-testid` of the link (or of the refused text).
    test_id: &'static str,
) -> impl IntoView {
    match classify_untrusted_link(&raw) {
        Ok(link) => {
            let href = link.fetch_url(&gateway);
            let (url, cut) = shown(&href);
            view! {
                <a
                    class="mono"
                    href=href
                    target="_blank"
                    rel="noopener noreferrer"
                    data-testid=test_id
                >
                    {url}
                    {cut}
                </a>
            }
            .into_any()
        }
        Err(error) => {
            let (text, cut) = shown(&raw);
            view! {
                <span class="mono refused" data-testid=test_id>
                    {text}
                    {cut}
                </span>
                <p class="unsafe-link" data-testid="unsafe-link">
                    {sentence(&error.to_string())}
                </p>
            }
            .into_any()
        }
    }
}

/// The first [`SHOWN_CHARS`] of `text`, and "…" when that is not all of it.
fn shown(text: &str) -> (String, Option<&'static str>) {
    match shortened(text, SHOWN_CHARS) {
        Some(start) => (start.to_owned(), Some("…")),
        None => (text.to_owned(), None),
    }
}

/// The core's error texts are clauses; shown alone they become sentences.
fn sentence(clause: &str) -> String {
    let mut chars = clause.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!("{}{}.", first.unwrap_or_default(), chars.as_str())
}
