//! A sent transaction as the user should see it: always named by its hash,
//! and, when the page cannot tell how it is doing, saying so plainly while
//! it keeps watching.

use ethers_core::types::H256;
use leptos::prelude::*;

use crate::wallet::transactions::WatchStatus;

/// What a watched transaction's status means, in a sentence.
pub fn describe_watch(status: &WatchStatus) -> String {
    match status {
        WatchStatus::Pending { slow: false } => "Sent; waiting for it to be mined…".into(),
        WatchStatus::Pending { slow: true } => {
            "Sent more than 10 minutes ago and not mined yet. It may still be mined: this page keeps watching, and your wallet's activity shows it too.".into()
        }
        WatchStatus::Unknown { problem, retry_in } => format!(
            "Sent; its status is unknown for now because {}. It may already be mined, so do not send it again: checking again in {} s.",
            problem.to_string().trim_end_matches('.'),
            retry_in.as_secs().max(1)
        ),
    }
}

#[component]
pub fn TransactionStatus(hash: H256, status: WatchStatus, test_id: &'static str) -> impl IntoView {
    let unknown = matches!(status, WatchStatus::Unknown { .. });
    view! {
        <div class="transaction-status" data-testid=test_id data-unknown=unknown.to_string()>
            <p>
                "Transaction "
                <span class="mono" data-testid=format!("{test_id}-hash")>
                    {format!("{hash:?}")}
                </span>
            </p>
            <p data-testid=format!("{test_id}-note")>{describe_watch(&status)}</p>
        </div>
    }
}
