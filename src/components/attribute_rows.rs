//! The mint form's attributes: rows of a trait type and a value that the
//! creator adds and removes. Checking them is the core's job
//! (`crate::nft::mint_details`); this only holds what is typed.

use leptos::prelude::*;

use crate::nft::mint_details::AttributeRow;

/// One row being typed; `key` keeps a row's inputs (and their focus) when
/// a row above it is removed.
#[derive(Debug, Clone, Copy)]
pub struct AttributeDraft {
    key: u64,
    trait_type: RwSignal<String>,
    value: RwSignal<String>,
}

/// The rows as typed, for [`crate::nft::mint_details::MintFormInput`].
pub fn typed_rows(rows: &[AttributeDraft]) -> Vec<AttributeRow> {
    rows.iter()
        .map(|row| AttributeRow {
            trait_type: row.trait_type.get_untracked(),
            value: row.value.get_untracked(),
        })
        .collect()
}

/// A row's place in the list, from 1: how the list shows it and how form
/// errors name it.
fn number_of(rows: RwSignal<Vec<AttributeDraft>>, key: u64) -> usize {
    rows.with(|rows| {
        rows.iter()
            .position(|row| row.key == key)
            .map_or(0, |i| i + 1)
    })
}

#[component]
pub fn AttributeRows(
    rows: RwSignal<Vec<AttributeDraft>>,
    #[prop(into)] disabled: Signal<bool>,
) -> impl IntoView {
    let next_key = StoredValue::new(0_u64);
    let add = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|rows| {
            rows.push(AttributeDraft {
                key,
                trait_type: RwSignal::new(String::new()),
                value: RwSignal::new(String::new()),
            })
        });
    };
    view! {
        <fieldset class="attributes" data-testid="mint-attributes">
            <legend>"Attributes (optional)"</legend>
            <p class="hint">
                "Traits marketplaces list, such as Eyes: Green. Values are kept as text, exactly as typed; empty rows are left out."
            </p>
            <ol class="attribute-rows">
                <For each=move || rows.get() key=|row| row.key let:row>
                    <li data-testid="attribute-row">
                        <div class="attribute-row">
                            <label>
                                "Trait type"
                                <input
                                    data-testid="attribute-trait-type"
                                    placeholder="Eyes"
                                    prop:value=row.trait_type
                                    disabled=move || disabled.get()
                                    on:input=move |ev| row.trait_type.set(event_target_value(&ev))
                                />
                            </label>
                            <label>
                                "Value"
                                <input
                                    data-testid="attribute-value"
                                    placeholder="Green"
                                    prop:value=row.value
                                    disabled=move || disabled.get()
                                    on:input=move |ev| row.value.set(event_target_value(&ev))
                                />
                            </label>
                            <button
                                type="button"
                                class="button small"
                                data-testid="attribute-remove"
                                aria-label=move || format!("Remove attribute {}", number_of(rows, row.key))
                                disabled=move || disabled.get()
                                on:click=move |_| rows.update(|rows| rows.retain(|r| r.key != row.key))
                            >
                                "Remove"
                            </button>
                        </div>
                    </li>
                </For>
            </ol>
            <button
                type="button"
                class="button small"
                data-testid="attribute-add"
                disabled=move || disabled.get()
                on:click=add
            >
                "Add attribute"
            </button>
        </fieldset>
    }
}
