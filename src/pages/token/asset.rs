//! The asset's preview, chosen by its media type: an image, a player, the
//! first lines of a text, or a download link. An SVG is shown with `<img>`,
//! where its scripts never run, and only ever as a PNG drawn from it or from
//! the gateway's URL; nothing is ever inserted as HTML.

use leptos::prelude::*;

use crate::gateway_plan::GatewayPlan;
use crate::ipfs::uri::classify_untrusted_link;
use crate::nft::media::{TokenMedia, TEXT_PREVIEW_BYTES};
use crate::show::{preview_asset, AssetPreview, Preview};

#[component]
pub fn AssetPreview(
    /// `None` when the metadata could not be read.
    media: Option<TokenMedia>,
    /// The gateways to ask, in order.
    plan: GatewayPlan,
    /// The token's name, as the image's text alternative.
    alt: String,
) -> impl IntoView {
    let Some(media) = media else {
        return empty("No preview: the metadata could not be read.");
    };
    let Some(asset) = media.asset else {
        return empty("This token's metadata names no image or media.");
    };
    let Ok(link) = classify_untrusted_link(&asset) else {
        return empty("No preview: the asset's link is not followed.");
    };
    let cover = media
        .cover_image
        .and_then(|image| classify_untrusted_link(&image).ok())
        .map(|image| image.fetch_url(plan.current().unwrap_or_default()));
    // "Retry verified" bumps this to read the asset again.
    let tries = RwSignal::new(0u32);
    let preview = LocalResource::new(move || {
        tries.track();
        let (link, plan) = (link.clone(), plan.clone());
        async move { preview_asset(&link, plan).await }
    });
    view! {
        <div class="asset">
            // Read with `try_get`, not awaited in a Suspend: the page
            // re-reads the token when a wallet connects, dropping this
            // pane's resource while the old pane is still shown, and
            // reading a dropped resource panics.
            {move || match preview.try_get().flatten() {
                None => {
                    view! {
                        <div class="asset-frame">
                            <p class="asset-empty" aria-busy="true">
                                "Loading the preview…"
                            </p>
                        </div>
                    }
                        .into_any()
                }
                Some(checked) => show(checked, cover.clone(), alt.clone(), tries).into_any(),
            }}
        </div>
    }
    .into_any()
}

fn show(
    checked: AssetPreview,
    cover: Option<String>,
    alt: String,
    tries: RwSignal<u32>,
) -> AnyView {
    let AssetPreview {
        preview,
        verified,
        gateway,
    } = checked;
    if let Preview::Image { url } | Preview::Video { url } | Preview::Audio { url } = &preview {
        revoke_on_cleanup(url);
    }
    let marker = view! {
        <p class="hint asset-check" data-testid="asset-verified" data-verified=verified.to_string()>
            {if verified { "Checked against its CID." } else { "Shown from the gateway, not checked against its CID." }}
            {(!verified)
                .then(|| {
                    view! {
                        <button
                            type="button"
                            class="link-button"
                            data-testid="retry-verified"
                            on:click=move |_| tries.update(|tries| *tries += 1)
                        >
                            "Retry verified"
                        </button>
                    }
                })}
        </p>
        {gateway
            .map(|gateway| {
                view! {
                    <p class="hint" data-testid="asset-gateway">
                        "Served by " <span class="mono">{gateway}</span>
                    </p>
                }
            })}
    };
    let view = match preview {
        Preview::Image { url } => {
            view! { <img class="asset-image" src=url alt=alt data-testid="asset-image" /> }
                .into_any()
        }
        Preview::Video { url } => view! {
            <video
                class="asset-video"
                src=url
                poster=cover
                controls
                preload="metadata"
                data-testid="asset-video"
            ></video>
        }
        .into_any(),
        Preview::Audio { url } => view! {
            <div class="asset-audio">
                {cover.map(|cover| view! { <img class="asset-cover" src=cover alt=alt /> })}
                <audio src=url controls preload="metadata" data-testid="asset-audio"></audio>
            </div>
        }
        .into_any(),
        Preview::Text { text, truncated } => view! {
            <div class="asset-text">
                <pre data-testid="asset-text">{text}</pre>
                {truncated
                    .then(|| {
                        view! {
                            <p class="asset-note">
                                {format!("The first {} KB.", TEXT_PREVIEW_BYTES / 1024)}
                            </p>
                        }
                    })}
            </div>
        }
        .into_any(),
        Preview::Download { url, media_type } => {
            let what = media_type
                .map(|media_type| format!("No preview for {media_type} files."))
                .unwrap_or_else(|| "No preview for this kind of file.".to_owned());
            view! {
                <div class="asset-empty">
                    <p>{what}</p>
                    <a
                        class="button"
                        href=url
                        download
                        target="_blank"
                        rel="noopener noreferrer"
                        data-testid="asset-download"
                    >
                        "Download"
                    </a>
                </div>
            }
            .into_any()
        }
        Preview::Unavailable { reason, .. } => view! {
            <p class="asset-empty asset-problem" role="alert" data-testid="asset-error">
                {reason}
            </p>
        }
        .into_any(),
    };
    // The notes sit below the frame, which crops to a square.
    view! {
        <div class="asset-frame">{view}</div>
        {marker}
    }
    .into_any()
}

/// A checked preview's `blob:` URL holds the file in memory until it is
/// revoked: it is revoked when the preview goes away or is read again.
fn revoke_on_cleanup(url: &str) {
    if url.starts_with("blob:") {
        let url = url.to_owned();
        on_cleanup(move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        });
    }
}

fn empty(message: &'static str) -> AnyView {
    view! {
        <div class="asset">
            <div class="asset-frame">
                <p class="asset-empty">{message}</p>
            </div>
        </div>
    }
    .into_any()
}
