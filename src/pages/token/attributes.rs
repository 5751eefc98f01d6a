//! A token's attributes as a table of trait types and values. Both come
//! from untrusted metadata: each is shown as text, cut when long, and only
//! the first rows are shown, so no metadata can push the page out of shape.

use leptos::prelude::*;

use crate::components::UntrustedText;
use crate::nft::metadata::NftMetadata;

/// Rows shown; the metadata JSON below the facts lists every one.
const ROWS_SHOWN: usize = 50;
/// Characters of a trait type, and of a value, shown before "Show more".
const TRAIT_TYPE_SHOWN_CHARS: usize = 60;
const VALUE_SHOWN_CHARS: usize = 200;

#[component]
pub fn TokenAttributes(metadata: NftMetadata) -> impl IntoView {
    let unreadable = metadata.unreadable_attributes;
    let (shown, more) = metadata.attributes_shown(ROWS_SHOWN);
    if shown.is_empty() && unreadable == 0 {
        return None;
    }
    let rows = shown
        .iter()
        .map(|attribute| {
            let trait_type = match attribute.trait_type.clone() {
                Some(trait_type) => {
                    view! { <UntrustedText text=trait_type limit=TRAIT_TYPE_SHOWN_CHARS /> }
                        .into_any()
                }
                // OpenSea's "generic property": a value with no type.
                None => view! { <span class="muted">"No trait type"</span> }.into_any(),
            };
            let value = attribute.value.to_string();
            view! {
                <tr data-testid="attribute">
                    <th scope="row" class="untrusted" dir="auto" data-testid="attribute-trait-type">
                        {trait_type}
                    </th>
                    <td class="untrusted" dir="auto" data-testid="attribute-value">
                        <UntrustedText text=value limit=VALUE_SHOWN_CHARS />
                    </td>
                </tr>
            }
        })
        .collect_view();
    Some(view! {
        <section class="card" aria-labelledby="attributes-heading" data-testid="token-attributes">
            <h2 id="attributes-heading">"Attributes"</h2>
            {(!shown.is_empty())
                .then(|| {
                    view! {
                        <table class="attribute-table" aria-labelledby="attributes-heading">
                            <thead>
                                <tr>
                                    <th scope="col">"Trait type"</th>
                                    <th scope="col">"Value"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    }
                })}
            {(more > 0)
                .then(|| {
                    view! {
                        <p class="hint" data-testid="attributes-more">
                            {more_sentence(more)}
                        </p>
                    }
                })}
            {(unreadable > 0)
                .then(|| {
                    view! {
                        <p class="hint" data-testid="attributes-unreadable">
                            {unreadable_sentence(unreadable)}
                        </p>
                    }
                })}
        </section>
    })
}

fn more_sentence(more: usize) -> String {
    match more {
        1 => "1 more attribute is not shown here; the metadata JSON lists it.".to_owned(),
        n => format!("{n} more attributes are not shown here; the metadata JSON lists them."),
    }
}

fn unreadable_sentence(unreadable: usize) -> String {
    match unreadable {
        1 => "1 attribute is not a trait with a text or number value, so it is not shown; the metadata JSON has it as written.".to_owned(),
        n => format!("{n} attributes are not a trait with a text or number value, so they are not shown; the metadata JSON has them as written."),
    }
}
