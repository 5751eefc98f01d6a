//! The mint page (Minty's `mint`): what is missing before minting, the
//! form, the progress of each stage, and the minted token.

use ethers_core::types::Address;
use leptos::{prelude::*, task::spawn_local};
use web_sys::File;

use crate::app::SettingsContext;
use crate::components::{DeployPanel, FilePicker, MintProgress, MintedTokenView, NetworkGuard};
use crate::eth::address::parse_address;
use crate::mint::{
    mint_token, upload_fingerprint, upload_nft, MintError, MintForm, MintStage, MintedToken,
    UploadedNft,
};
use crate::settings::api_token::load_api_token;
use crate::settings::is_nft_storage_classic;
use crate::storage::nft_storage::NftStorage;
use crate::storage::StorageError;
use crate::wallet::WalletContext;

#[component]
pub fn Mint() -> impl IntoView {
    let wallet = expect_context::<WalletContext>();
    let SettingsContext { settings, .. } = expect_context();
    let contract = move || {
        let chain_id = wallet.chain_id.get()?;
        settings.with(|settings| settings.contract_on(chain_id))
    };
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
            } else if let (Some(account), Some(chain_id)) = (wallet.account.get(), wallet.chain_id.get()) {
                match contract() {
                    Some(contract) => view! { <MintForm account contract /> }.into_any(),
                    None => view! { <DeployPanel chain_id account /> }.into_any(),
                }
            } else {
                view! {
                    <p class="card warning" data-testid="mint-connect-first">
                        "Connect your wallet (top right) to mint."
                    </p>
                }
                    .into_any()
            }
        }}
    }
}

#[component]
fn MintForm(account: String, contract: Address) -> impl IntoView {
    let SettingsContext { settings, .. } = expect_context();
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
    let stage = RwSignal::new(None::<MintStage>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let minted = RwSignal::new(None::<MintedToken>);
    // Kept across attempts: a retry after a rejected signature reuses it.
    let uploaded = RwSignal::new(None::<UploadedNft>);
    let has_token = load_api_token().is_some();
    let owner_placeholder = account.clone();

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let chosen_preview = if needs_preview() {
            preview.get_untracked()
        } else {
            None
        };
        let Some(chosen) = file.get_untracked() else {
            error.set(Some("Choose a file to mint.".into()));
            return;
        };
        if name.get_untracked().trim().is_empty() {
            error.set(Some("Give the NFT a name.".into()));
            return;
        }
        let owner_text = owner.get_untracked();
        let owner_address = if owner_text.trim().is_empty() {
            parse_address(&account)
        } else {
            parse_address(&owner_text)
        };
        let owner_address = match owner_address {
            Ok(address) => address,
            Err(problem) => {
                error.set(Some(format!("Owner: {problem}")));
                return;
            }
        };
        let endpoint = settings.with_untracked(|settings| settings.storage_endpoint.clone());
        let token = match load_api_token() {
            Some(token) if token.belongs_to(&endpoint) => token,
            Some(token) => {
                let refusal = StorageError::TokenForAnotherEndpoint {
                    saved_for: token.endpoint().to_owned(),
                    endpoint,
                };
                error.set(Some(refusal.to_string()));
                return;
            }
            None => {
                error.set(Some(StorageError::NoToken.to_string()));
                return;
            }
        };
        let form = MintForm {
            name: name.get_untracked().trim().to_owned(),
            description: description.get_untracked().trim().to_owned(),
            owner: owner_address,
        };
        let from = account.clone();
        busy.set(true);
        error.set(None);
        minted.set(None);
        spawn_local(async move {
            let report = move |next: MintStage| stage.set(Some(next));
            let outcome: Result<MintedToken, MintError> = async {
                let reusable = uploaded.get_untracked().filter(|done| {
                    done.made_from == upload_fingerprint(&chosen, chosen_preview.as_ref(), &form)
                });
                let ready = match reusable {
                    Some(done) => done,
                    None => {
                        let storage = NftStorage::new(&endpoint, token);
                        let done =
                            upload_nft(&chosen, chosen_preview.as_ref(), &form, &storage, report)
                                .await?;
                        uploaded.set(Some(done.clone()));
                        done
                    }
                };
                mint_token(ready, form.owner, contract, &from, report).await
            }
            .await;
            stage.set(None);
            match outcome {
                Ok(token) => minted.set(Some(token)),
                Err(problem) => error.set(Some(problem.to_string())),
            }
            busy.set(false);
        });
    };

    let classic_endpoint =
        move || settings.with(|settings| is_nft_storage_classic(&settings.storage_endpoint));
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
            <label>
                "Owner (optional)"
                <input data-testid="mint-owner" class="mono" placeholder=owner_placeholder prop:value=owner disabled=move || busy.get() on:input=move |ev| owner.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="button primary" data-testid="mint-submit" disabled=move || busy.get()>
                {move || if busy.get() { "Minting…" } else { "Mint" }}
            </button>
            <MintProgress stage />
            {move || error.get().map(|text| view! { <p class="error" role="alert" data-testid="mint-error">{text}</p> })}
        </form>
        {move || {
            minted
                .get()
                .map(|token| {
                    let gateway = settings.with(|settings| settings.gateway.clone());
                    view! { <MintedTokenView token gateway /> }
                })
        }}
    }
}
