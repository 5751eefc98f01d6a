//! Reading a token's history from the chain: its Transfer logs from the
//! contract's deployment block to the latest, in windows the endpoint
//! accepts (`crate::eth::log_windows`), then when each happened and who
//! sent the mint.

use ethers_core::types::Address;
use futures::future::join_all;

use crate::chain::{calls::ChainCalls, chain_error, ChainReader};
use crate::eth::log_windows::{LogWindows, StopReason};
use crate::eth::rpc::ChainError;
use crate::nft::token_history::{history_events, transfer_logs_filter, HistoryEvent, HistoryKind};
use crate::nft::token_id::TokenId;
use crate::settings::{deploy_blocks, Settings};
use crate::show::ShowError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub event: HistoryEvent,
    /// When its block was made (Unix seconds), if the node said.
    pub time: Option<u64>,
    /// The account that sent the transaction: for the mint, the minter.
    pub sender: Option<Address>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHistory {
    pub entries: Vec<HistoryEntry>,
    /// Why the history may lack events, in a sentence; `None` when every
    /// block since the deployment was read.
    pub incomplete: Option<String>,
}

pub async fn read_history(
    id: TokenId,
    settings: &Settings,
    wallet_chain: Option<u64>,
) -> Result<TokenHistory, ShowError> {
    let (Some(chain_id), Some(contract)) = (settings.chain_id, settings.contract()) else {
        return Err(ShowError::NoContract {
            chain_id: settings.chain_id,
        });
    };
    let reader = ChainReader::new(settings, wallet_chain)?;
    let chain = reader.calls();
    let latest = chain.block_number().await.map_err(chain_error)?;
    let mut incomplete = None;
    let first = match deployment_block(chain, chain_id, contract, latest).await {
        Ok(block) => block,
        Err(error) => {
            incomplete = Some(format!(
                "The contract's deployment block could not be found ({}), so the history was read from block 0.",
                error.to_string().trim_end_matches('.')
            ));
            0
        }
    };

    let mut windows = LogWindows::new(first, latest);
    let mut logs = Vec::new();
    let mut last_refusal = None;
    while let Some(window) = windows.next_window() {
        let filter = transfer_logs_filter(contract, id.0, *window.start(), *window.end());
        match chain.logs(filter).await.map_err(chain_error) {
            Ok(found) => {
                windows.answered(&window);
                logs.extend(found);
            }
            // Each endpoint words its range limit its own way; any refusal
            // of the node itself is taken as one.
            Err(refusal @ ChainError::Rpc { .. }) => {
                last_refusal = Some(refusal);
                windows.refused();
            }
            Err(other) => return Err(other.into()),
        }
    }
    if let Some((reason, from)) = windows.incomplete() {
        incomplete = Some(match reason {
            StopReason::Refused => format!(
                "The RPC endpoint refused to list logs from block {from} on ({}), so later transfers may be missing.",
                last_refusal.map_or_else(String::new, |refusal| refusal.to_string())
            ),
            StopReason::OutOfRequests => format!(
                "Only blocks {first} to {} were read, in {} requests, so later transfers may be missing.",
                from.saturating_sub(1),
                windows.requests()
            ),
        });
    }

    let events = history_events(&logs, id.0);
    // Asked together: through the RPC URL these go as one batch.
    let times = join_all(
        events
            .iter()
            .map(|event| chain.block_timestamp(event.block)),
    );
    let senders = join_all(events.iter().map(|event| sender_of(chain, event)));
    let (times, senders) = futures::join!(times, senders);
    let entries = events
        .into_iter()
        .zip(times.into_iter().zip(senders))
        .map(|(event, (time, sender))| HistoryEntry {
            event,
            time: time.ok().flatten(),
            sender,
        })
        .collect();
    Ok(TokenHistory {
        entries,
        incomplete,
    })
}

/// Only the mint's sender is shown; the others are the `from` of the log.
async fn sender_of(chain: &dyn ChainCalls, event: &HistoryEvent) -> Option<Address> {
    match event.kind {
        HistoryKind::Minted { .. } => Some(chain.transaction(event.transaction).await.ok()??.from),
        _ => None,
    }
}

/// Remembered, or found as the first block with code at the contract's
/// address (a binary search: about 25 reads on a chain of 30 million
/// blocks), then remembered.
async fn deployment_block(
    chain: &dyn ChainCalls,
    chain_id: u64,
    contract: Address,
    latest: u64,
) -> Result<u64, ChainError> {
    if let Some(block) = deploy_blocks::recall(chain_id, contract) {
        return Ok(block);
    }
    let (mut low, mut high) = (0, latest);
    while low < high {
        let middle = low + (high - low) / 2;
        let code = chain
            .code_at_block(contract, middle)
            .await
            .map_err(chain_error)?;
        if code.is_empty() {
            low = middle + 1;
        } else {
            high = middle;
        }
    }
    deploy_blocks::remember(chain_id, contract, low);
    Ok(low)
}
