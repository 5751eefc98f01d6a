//! "Transfer" on the token page, for the owner only: the recipient is
//! checked (EIP-55, not the zero address, not the contract), a recipient
//! that is a contract is warned about, and the job does the rest. When the
//! transfer is mined, the page reads the token again and shows its new
//! owner.

use ethers_core::types::Address;
use ethers_core::utils::to_checksum;
use leptos::{prelude::*, task::spawn_local};

use crate::app::SettingsContext;
use crate::eth::transfer_recipient::check_recipient;
use crate::jobs::transfer_job::TransferStage;
use crate::jobs::{TransferJob, TransferRequest};
use crate::nft::token_id::TokenId;
use crate::wallet::transactions::code_at;
use crate::wallet::WalletContext;

#[component]
pub fn TransferPanel(id: TokenId, owner: Address, rereads: RwSignal<u32>) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let SettingsContext { settings, .. } = expect_context();
    let wallet = expect_context::<WalletContext>();
    let job = expect_context::<TransferJob>();
    // Only the owner, on the app's chain, where the contract is configured.
    let can_transfer = move || {
        let owns = wallet.account.with(|account| {
            account
                .as_deref()
                .and_then(|account| account.parse::<Address>().ok())
                == Some(owner)
        });
        owns && wallet.chain_id.get().is_some()
            && wallet.chain_id.get() == settings.with(|s| s.chain_id)
            && settings.with(|s| s.contract().is_some())
    };

    // The chain confirmed it: read the token again, which shows the owner.
    // Only a change counts, not the value found when the panel is made,
    // or the panel the re-read makes would read again, and again.
    Effect::watch(
        move || job.done.get(),
        move |done, _, _| {
            if done.is_some_and(|done| done.token_id == id) {
                draft.set(String::new());
                rereads.update(|count| *count += 1);
            }
        },
        false,
    );

    view! {
        <Show when=can_transfer>
            <TransferForm id owner recipient=draft />
        </Show>
    }
}

#[component]
fn TransferForm(id: TokenId, owner: Address, recipient: RwSignal<String>) -> impl IntoView {
    let SettingsContext { settings, .. } = expect_context();
    let wallet = expect_context::<WalletContext>();
    let job = expect_context::<TransferJob>();
    let problem = RwSignal::new(None::<String>);
    // A contract recipient the user has been warned about, and may confirm.
    let warned = RwSignal::new(None::<Address>);
    let checking = RwSignal::new(false);

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if job.running() || checking.get_untracked() {
            return;
        }
        let Some(contract) = settings.with_untracked(|s| s.contract()) else {
            return;
        };
        let to = match check_recipient(&recipient.get_untracked(), owner, contract) {
            Ok(to) => to,
            Err(error) => {
                problem.set(Some(error.to_string()));
                return;
            }
        };
        let (Some(account), Some(chain_id)) = (
            wallet.account.get_untracked(),
            wallet.chain_id.get_untracked(),
        ) else {
            return;
        };
        let request = TransferRequest {
            chain_id,
            account,
            contract,
            token_id: id,
            to,
        };
        if warned.get_untracked() == Some(to) {
            job.start(request);
            return;
        }
        checking.set(true);
        spawn_local(async move {
            match code_at(to).await {
                Ok(code) if !code.is_empty() => {
                    warned.set(Some(to));
                }
                Ok(_) => job.start(request),
                Err(error) => problem.set(Some(format!(
                    "The recipient could not be checked: {error}. Nothing was sent; try again."
                ))),
            }
            checking.set(false);
        });
    };

    let stage_text = move || {
        if checking.get() {
            return Some("Checking the recipient…".to_owned());
        }
        job.stage.with(|stage| {
            Some(match stage.as_ref()? {
                TransferStage::Checking => "Trying the transfer first…".to_owned(),
                TransferStage::AwaitingSignature => {
                    "Confirm the transfer in your wallet…".to_owned()
                }
                TransferStage::Sent { .. } => {
                    "Sent; waiting for it to be mined. The notice above follows it.".to_owned()
                }
            })
        })
    };
    let job_error = move || {
        job.error.with(|error| match error {
            Some((token, error)) if *token == id => Some(error.to_string()),
            _ => None,
        })
    };
    let busy = move || checking.get() || job.running();

    view! {
        <section class="card transfer-panel" aria-labelledby="transfer-heading">
            <h2 id="transfer-heading">"Transfer"</h2>
            <form class="field" novalidate on:submit=submit>
                <label for="transfer-to">"Recipient address"</label>
                <p class="hint" id="transfer-to-hint">
                    "The token leaves your account for good once the transfer is mined."
                </p>
                <div class="field-row">
                    <input
                        id="transfer-to"
                        class="input mono"
                        placeholder="0x…"
                        autocomplete="off"
                        spellcheck="false"
                        aria-describedby="transfer-to-hint"
                        aria-invalid=move || problem.with(Option::is_some).to_string()
                        data-testid="transfer-to"
                        bind:value=recipient
                        on:input=move |_| {
                            problem.set(None);
                            warned.set(None);
                        }
                    />
                    <button
                        type="submit"
                        class="button primary"
                        data-testid="transfer-submit"
                        disabled=busy
                    >
                        {move || {
                            if warned.get().is_some() { "Transfer to the contract" } else { "Transfer" }
                        }}
                    </button>
                </div>
                {move || {
                    warned
                        .get()
                        .map(|to| {
                            view! {
                                <p class="notice warning" role="alert" data-testid="transfer-contract-warning">
                                    {format!(
                                        "{} is a contract, not a person's account. If it cannot take ERC-721 tokens the transfer fails; if it can, only that contract's own rules can move the token again. Press the button again to send it there.",
                                        to_checksum(&to, None),
                                    )}
                                </p>
                            }
                        })
                }}
                {move || {
                    problem
                        .get()
                        .or_else(job_error)
                        .map(|message| {
                            view! {
                                <p class="field-error" role="alert" data-testid="transfer-error">
                                    {message}
                                </p>
                            }
                        })
                }}
                {move || {
                    stage_text()
                        .map(|text| {
                            view! {
                                <p class="hint" role="status" data-testid="transfer-stage">
                                    {text}
                                </p>
                            }
                        })
                }}
            </form>
        </section>
    }
}
