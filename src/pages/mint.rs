//! The mint page (Minty's `mint`): what is missing before minting, the
//! form, the progress of each stage, and the minted token.

use ethers_core::types::Address;
use leptos::prelude::*;
use web_sys::File;

use crate::app::SettingsContext;
use crate::components::attribute_rows::{typed_rows, AttributeDraft};
use crate::components::{
    AttributeRows, DeployPanel, FilePicker, MintProgress, MintedTokenView, NetworkGuard,
};
use crate::jobs::{MintJob, MintRequest};
use crate::mint::{MintError, MintTarget};
use crate::nft::mint_details::MintFormInput;
use crate::nft::mint_journal::Resume;
use crate::settings::api_token::load_api_token;
use crate::settings::chains::chain_label;
use crate::settings::{is_nft_storage_classic, StorageProviderKind};
use crate::storage::upload_token;
use crate::wallet::WalletContext;

#[component]
pub fn Mint() -> impl IntoView {
    let wallet = expect_context::<WalletContext>();
    let SettingsContext { settings, .. } = expect_context();
    // What the form is for. A Memo, so a repeated wallet event or a save
    // of an unrelated setting rebuilds nothing.
    let connected = Memo::new(move |_| {
        let account = wallet.account.get()?;
        let chain_id = wallet.chain_id.get()?;
        let contract = settings.with(|settings| settings.contract_on(chain_id));
        Some((account, chain_id, contract))
    });
    view! {
        <section class="card">
            <h1>"Mint an NFT"</h1>
            <p class="lede">
                "Your file and its metadata are stored on IPFS through your storage service; your wallet then signs the mint."
            </p>
        </section>
        <NetworkGuard />
        {move || {
            if !wallet.installed {
                view! {
                    <p class="card warning" data-testid="mint-needs-wallet">
                        "Minting needs an Ethereum wallet to sign the transaction. Install "
                        <a href="https://metamask.io" target="_blank" rel="noopener noreferrer">"MetaMask"</a>
                        ", then reload this page. Tokens can still be viewed without one."
                    </p>
                }
                    .into_any()
            } else {
                match connected.get() {
                    Some((account, chain_id, Some(contract))) => {
                        view! { <MintFormView account chain_id contract /> }.into_any()
                    }
                    Some((account, chain_id, None)) => {
                        view! { <DeployPanel chain_id account /> }.into_any()
                    }
                    None => view! {
                        <p class="card warning" data-testid="mint-connect-first">
                            "Connect your wallet (top right) to mint."
                        </p>
                    }
                        .into_any(),
                }
            }
        }}
        <MintJobView />
    }
}

/// The running or finished mint, shown apart from the form so it survives
/// whatever happens to the form.
#[component]
fn MintJobView() -> impl IntoView {
    let job = expect_context::<MintJob>();
    let SettingsContext { settings, .. } = expect_context();
    view! {
        <WaitingMints />
        <MintProgress stage=job.stage />
        <Show when=move || job.can_cancel()>
            <button type="button" class="button" data-testid="mint-cancel" on:click=move |_| job.cancel()>
                "Cancel upload"
            </button>
        </Show>
        {move || {
            job.error
                .get()
                .map(|problem| {
                    let offers_copy = matches!(problem, MintError::EarlierMint { .. });
                    view! {
                        <div class="card error" role="alert">
                            <p data-testid="mint-error">{problem.to_string()}</p>
                            <Show when=move || offers_copy>
                                <button type="button" class="button" data-testid="mint-another-copy" on:click=move |_| job.mint_another_copy()>
                                    "Mint another copy"
                                </button>
                            </Show>
                        </div>
                    }
                })
        }}
        {move || {
            job.minted
                .get()
                .map(|token| {
                    let gateway = settings.with_untracked(|settings| settings.gateway.clone());
                    view! { <MintedTokenView token gateway /> }
                })
        }}
    }
}

/// Mints a reload interrupted before they were sent: mint them now, or
/// forget them.
#[component]
fn WaitingMints() -> impl IntoView {
    let job = expect_context::<MintJob>();
    let busy = Signal::derive(move || job.running());
    view! {
        <For each=move || job.waiting.get() key=|waiting| waiting.record.id let:waiting>
            {
                let id = waiting.record.id;
                let name = &waiting.record.name;
                let (sentence, action) = match waiting.waits_for {
                    Resume::WaitForChain => (
                        format!("\u{201c}{name}\u{201d} was interrupted on {}: switch your wallet to it to carry on.", chain_label(waiting.record.chain_id)),
                        Some("Carry on"),
                    ),
                    _ if waiting.can_send() => (
                        format!("\u{201c}{name}\u{201d} was uploaded but not minted before the page was closed."),
                        Some("Mint it"),
                    ),
                    _ => (
                        format!("\u{201c}{name}\u{201d} stopped before its files were stored: choose the file again to mint it."),
                        None,
                    ),
                };
                let waiting = StoredValue::new(waiting);
                view! {
                    <section class="card warning" data-testid="waiting-mint">
                        <p>{sentence}</p>
                        <div class="actions">
                            {action.map(|label| view! {
                                <button type="button" class="button primary" data-testid="waiting-mint-continue" disabled=busy on:click=move |_| job.continue_waiting(waiting.get_value())>
                                    {label}
                                </button>
                            })}
                            <button type="button" class="button" data-testid="waiting-mint-dismiss" disabled=busy on:click=move |_| job.dismiss_waiting(id)>
                                "Forget it"
                            </button>
                        </div>
                    </section>
                }
            }
        </For>
    }
}

#[component]
fn MintFormView(account: String, chain_id: u64, contract: Address) -> impl IntoView {
    let SettingsContext { settings, .. } = expect_context();
    let job = expect_context::<MintJob>();
    job.prepare();
    let file = RwSignal::new_local(None::<File>);
    // Shown by marketplaces for media that is not an image (OpenSea's `image`).
    let preview = RwSignal::new_local(None::<File>);
    let needs_preview = move || {
        file.with(|file| {
            file.as_ref()
                .is_some_and(|file| !file.type_().starts_with("image/"))
        })
    };
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let external_url = RwSignal::new(String::new());
    let attributes = RwSignal::new(Vec::<AttributeDraft>::new());
    let busy = Signal::derive(move || job.running());
    let provider = settings.with_untracked(|settings| settings.storage_provider);
    let has_token = !provider.needs_token() || load_api_token(provider).is_some();
    let owner_placeholder = account.clone();

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let chosen = file.get_untracked();
        let rows = attributes.with_untracked(|rows| typed_rows(rows));
        let input = MintFormInput {
            file_chosen: chosen.is_some(),
            name: &name.get_untracked(),
            description: &description.get_untracked(),
            owner: &owner.get_untracked(),
            account: &account,
            external_url: &external_url.get_untracked(),
            attributes: &rows,
        };
        let details = match input.validate() {
            Ok(details) => details,
            Err(problem) => return job.refuse(problem.into()),
        };
        let Some(chosen) = chosen else { return };
        let (storage_provider, storage_endpoints) = settings.with_untracked(|settings| {
            (
                settings.storage_provider,
                settings.endpoints_of(settings.storage_provider),
            )
        });
        let saved = load_api_token(storage_provider);
        let api_token = match upload_token(storage_provider, &storage_endpoints, saved) {
            Ok(token) => token,
            Err(problem) => return job.refuse(MintError::Storage(problem)),
        };
        job.start(MintRequest {
            preview: needs_preview().then(|| preview.get_untracked()).flatten(),
            file: chosen,
            details,
            storage_provider,
            storage_endpoints,
            api_token,
            target: MintTarget {
                chain_id,
                contract,
                account: account.clone(),
            },
            another_copy: false,
        });
    };

    let classic_endpoint = move || {
        settings.with(|settings| {
            settings.storage_provider == StorageProviderKind::NftStorage
                && is_nft_storage_classic(&settings.storage_endpoint)
        })
    };
    view! {
        <Show when=classic_endpoint>
            <p class="card warning" data-testid="mint-classic-endpoint">
                "Uploads are set to go to nft.storage Classic, which stopped accepting uploads on 2024-06-30. Choose a compatible storage endpoint in "
                <a href="/settings">"Settings"</a>
                " first."
            </p>
        </Show>
        <form class="card mint-form" on:submit=submit data-testid="mint-form">
            {(!has_token)
                .then(|| {
                    view! {
                        <p class="warning" data-testid="mint-needs-token">
                            "Uploading needs your storage API token: add it in "
                            <a href="/settings">"Settings"</a>
                            "."
                        </p>
                    }
                })}
            <FilePicker file disabled=busy prompt="Choose a file or drop it here" test_id="mint-file" />
            <Show when=needs_preview>
                <div class="preview-picker">
                    <p class="hint">"Optional: a preview image, shown where the file itself cannot be."</p>
                    <FilePicker file=preview disabled=busy prompt="Choose a preview image" test_id="mint-preview-file" />
                </div>
            </Show>
            <label>
                "Name"
                <input required data-testid="mint-name" prop:value=name disabled=move || busy.get() on:input=move |ev| name.set(event_target_value(&ev)) />
            </label>
            <label>
                "Description"
                <textarea data-testid="mint-description" prop:value=description disabled=move || busy.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            </label>
            <div class="with-hint">
                <label>
                    "External URL (optional)"
                    <input
                        data-testid="mint-external-url"
                        class="mono"
                        inputmode="url"
                        placeholder="https://example.com/art/1"
                        aria-describedby="external-url-hint"
                        prop:value=external_url
                        disabled=move || busy.get()
                        on:input=move |ev| external_url.set(event_target_value(&ev))
                    />
                </label>
                <p class="hint" id="external-url-hint">"A page about the token on your own site, at an https:// address; marketplaces link to it."</p>
            </div>
            <AttributeRows rows=attributes disabled=busy />
            <label>
                "Owner (optional)"
                <input data-testid="mint-owner" class="mono" placeholder=owner_placeholder prop:value=owner disabled=move || busy.get() on:input=move |ev| owner.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="button primary" data-testid="mint-submit" disabled=move || busy.get()>
                {move || if busy.get() { "Minting…" } else { "Mint" }}
            </button>
        </form>
    }
}
