//! Where a token lives, as Minty's `show` lists it: the tokenURI, the
//! metadata and asset addresses with their gateway URLs, the creator's
//! external URL, and the metadata document itself.

use leptos::prelude::*;

use crate::components::UntrustedLink;
use crate::nft::media::TokenMedia;
use crate::show::TokenRecord;

#[component]
pub fn TokenFacts(
    record: TokenRecord,
    gateway: String,
    /// Bumped to read the token again.
    rereads: RwSignal<u32>,
) -> impl IntoView {
    let TokenRecord {
        token_uri,
        metadata,
        ..
    } = record;
    let media = metadata
        .as_ref()
        .ok()
        .map(|metadata| TokenMedia::of(&metadata.fields));
    let asset = media.as_ref().and_then(|media| media.asset.clone());
    let cover_image = media.and_then(|media| media.cover_image);
    let external_url = metadata
        .as_ref()
        .ok()
        .and_then(|metadata| metadata.fields.external_url.clone());
    let (json, verified, served_by, problem) = match metadata {
        Ok(metadata) => (
            Some(metadata.json),
            Some(metadata.verified),
            metadata.gateway,
            None,
        ),
        Err(problem) => (None, None, None, Some(problem.to_string())),
    };
    view! {
        <section class="card">
            <h2>"On chain and on IPFS"</h2>
            <dl class="facts">
                <dt>"Token URI"</dt>
                <dd class="mono untrusted" data-testid="token-uri" dir="auto">
                    {token_uri.clone()}
                </dd>
                <dt>"Metadata URL"</dt>
                <dd>
                    <UntrustedLink raw=token_uri gateway=gateway.clone() test_id="metadata-url" />
                    {verified
                        .map(|verified| {
                            let note = if verified {
                                "Checked against its CID, block by block."
                            } else {
                                "Not checked: the gateway does not serve raw blocks, or the address is not on IPFS."
                            };
                            view! {
                                <p class="hint" data-testid="metadata-verified" data-verified=verified.to_string()>
                                    {note}
                                    {(!verified)
                                        .then(|| {
                                            view! {
                                                <button
                                                    type="button"
                                                    class="link-button"
                                                    data-testid="retry-metadata-verified"
                                                    on:click=move |_| rereads.update(|n| *n += 1)
                                                >
                                                    "Retry verified"
                                                </button>
                                            }
                                        })}
                                </p>
                            }
                        })}
                    {served_by
                        .map(|gateway| {
                            view! {
                                <p class="hint" data-testid="metadata-gateway">
                                    "Served by " <span class="mono">{gateway}</span>
                                </p>
                            }
                        })}
                    {problem
                        .map(|problem| {
                            view! {
                                <p class="metadata-error" role="alert" data-testid="metadata-error">
                                    {problem}
                                </p>
                            }
                        })}
                </dd>
                {asset
                    .map(|asset| {
                        view! {
                            <dt>"Asset URI"</dt>
                            <dd class="mono untrusted" dir="auto">
                                {asset.clone()}
                            </dd>
                            <dt>"Asset URL"</dt>
                            <dd>
                                <UntrustedLink raw=asset gateway=gateway.clone() test_id="asset-url" />
                            </dd>
                        }
                    })}
                {cover_image
                    .map(|image| {
                        view! {
                            <dt>"Preview image"</dt>
                            <dd>
                                <UntrustedLink raw=image gateway=gateway.clone() test_id="cover-url" />
                            </dd>
                        }
                    })}
                {external_url
                    .map(|url| {
                        view! {
                            <dt>"External URL"</dt>
                            <dd>
                                <UntrustedLink raw=url gateway=gateway.clone() test_id="external-url" />
                            </dd>
                        }
                    })}
            </dl>
            {json
                .map(|json| {
                    view! {
                        <details class="raw-metadata">
                            <summary>"Metadata JSON"</summary>
                            <pre dir="auto" class="untrusted">
                                {json}
                            </pre>
                        </details>
                    }
                })}
        </section>
    }
}
