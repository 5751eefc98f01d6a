//! A link found in untrusted metadata (or a tokenURI): a real link only
//! when `classify_untrusted_link` accepts it; otherwise the text as written,
//! never clickable, with the reason it is not followed.

use leptos::prelude::*;

use crate::ipfs::uri::classify_untrusted_link;

/// Long `data:` URLs are shown only this far.
const SHOWN_CHARS: usize = 240;

#[component]
pub fn UntrustedLink(
    /// The link exactly as the metadata wrote it.
    raw: String,
    /// The IPFS path gateway that `ipfs://` links go through.
    gateway: String,
    /// `data-testid` of the link (or of the refused text).
    testid: &'static str,
) -> impl IntoView {
    match classify_untrusted_link(&raw) {
        Ok(link) => {
            let url = link.fetch_url(&gateway);
            let href = url.clone();
            view! {
                <a
                    class="mono"
                    href=href
                    target="_blank"
                    rel="noopener noreferrer"
                    data-testid=testid
                >
                    {url}
                </a>
            }
            .into_any()
        }
        Err(error) => {
            let shown: String = raw.chars().take(SHOWN_CHARS).collect();
            let cut = (shown.len() < raw.len()).then_some("…");
            view! {
                <span class="mono refused" data-testid=testid>
                    {shown}
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

/// The core's error texts are clauses; shown alone they become sentences.
fn sentence(clause: &str) -> String {
    let mut chars = clause.chars();
    let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
    format!("{}{}.", first.unwrap_or_default(), chars.as_str())
}
