//! Following a sent transaction to its end, as pure decisions the wallet
//! shell acts on: how long to wait after a failed poll, and what became of a
//! transaction that vanished because the user pressed *Speed up* or *Cancel*
//! in the wallet, which sends a new transaction with the same nonce.
//!
//! Replacement is detected as ethers v6's `TransactionResponse.wait` does:
//! once the node no longer knows our hash and the account's nonce has moved
//! past ours, some other transaction used our nonce. For a mint, the one
//! that matters is a Transfer from the zero address in a transaction from
//! our account with our nonce; if there is none, the mint was cancelled.

use std::time::Duration;

use ethers_core::types::{Address, H256, U256};
use serde::{Deserialize, Serialize};

use super::minty_abi::decode_transfer;

/// How often a pending transaction is polled when all is well.
pub const RECEIPT_POLL: Duration = Duration::from_millis(750);

/// The longest wait between polls after failures, so a node that comes back
/// is noticed within half a minute.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);

/// After this long unmined, the page says so (and keeps watching).
pub const SLOW_AFTER: Duration = Duration::from_secs(600);

/// A transaction the wallet has sent: from here on, every message must say
/// that it exists and name it, because it may be mined whatever the page does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentTransaction {
    pub hash: H256,
    pub chain_id: u64,
    pub from: Address,
    /// The nonce the wallet gave it; `None` until the node has shown it.
    pub nonce: Option<u64>,
    /// The latest block just before sending: a replacement cannot be older.
    pub send_block: u64,
}

/// The wait before the next poll after `failures` failed polls in a row:
/// 1, 2, 4, 8 and 16 s, then [`MAX_RETRY_DELAY`].
pub fn retry_delay(failures: u32) -> Duration {
    if failures == 0 {
        return RECEIPT_POLL;
    }
    let seconds = 1u64 << (failures - 1).min(5);
    Duration::from_secs(seconds).min(MAX_RETRY_DELAY)
}

/// Whether the account's nonce count has moved past `nonce`, so the
/// transaction with that nonce, ours or its replacement, has been mined.
/// `mined_count` is `eth_getTransactionCount(from, "latest")`.
pub fn nonce_used(nonce: u64, mined_count: u64) -> bool {
    mined_count > nonce
}

/// A Transfer log of the contract since the send block, with the sender and
/// nonce of the transaction that emitted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedTransfer {
    pub topics: Vec<H256>,
    pub transaction_hash: H256,
    pub transaction_from: Address,
    pub transaction_nonce: u64,
}

/// What became of a mint whose transaction was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplacedMint {
    /// Another transaction with our nonce minted the token (*Speed up*).
    Minted { replacement: H256, token_id: U256 },
    /// Our nonce was used by a transaction that minted nothing (*Cancel*).
    Cancelled,
}

/// Decides a replaced mint's fate from the contract's Transfer logs since
/// the send block. `owner` is who the mint was for.
pub fn replaced_mint(
    sent: &SentTransaction,
    nonce: u64,
    owner: Address,
    transfers: &[LoggedTransfer],
) -> ReplacedMint {
    transfers
        .iter()
        .filter(|log| log.transaction_from == sent.from && log.transaction_nonce == nonce)
        .find_map(|log| {
            let transfer = decode_transfer(&log.topics)?;
            (transfer.from == Address::zero() && transfer.to == owner).then_some(
                ReplacedMint::Minted {
                    replacement: log.transaction_hash,
                    token_id: transfer.token_id,
                },
            )
        })
        .unwrap_or(ReplacedMint::Cancelled)
}

/// `eth_getLogs` filter for the contract's mints to `owner` since `from_block`:
/// Transfer with topic1 = zero address and topic2 = owner.
pub fn mints_to_owner_filter(
    contract: Address,
    owner: Address,
    from_block: u64,
) -> serde_json::Value {
    let padded = |address: Address| H256::from(address);
    serde_json::json!({
        "address": contract,
        "fromBlock": format!("0x{from_block:x}"),
        "toBlock": "latest",
        "topics": [
            super::minty_abi::transfer_topic(),
            padded(Address::zero()),
            padded(owner),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eth::minty_abi::transfer_topic;

    fn account(byte: u8) -> Address {
        Address::repeat_byte(byte)
    }

    fn sent() -> SentTransaction {
        SentTransaction {
            hash: H256::repeat_byte(0xaa),
            chain_id: 31337,
            from: account(1),
            nonce: Some(7),
            send_block: 100,
        }
    }

    fn mint_log(from: Address, nonce: u64, to: Address, id: u64) -> LoggedTransfer {
        let mut token = [0u8; 32];
        U256::from(id).to_big_endian(&mut token);
        LoggedTransfer {
            topics: vec![
                transfer_topic(),
                H256::from(Address::zero()),
                H256::from(to),
                H256(token),
            ],
            transaction_hash: H256::repeat_byte(nonce as u8),
            transaction_from: from,
            transaction_nonce: nonce,
        }
    }

    #[test]
    fn retries_back_off_from_one_second_to_thirty() {
        let delays: Vec<u64> = (1..=8).map(|n| retry_delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(retry_delay(0), RECEIPT_POLL);
    }

    #[test]
    fn a_nonce_is_used_once_the_mined_count_passes_it() {
        assert!(!nonce_used(7, 7), "count 7 means nonces 0..=6 are mined");
        assert!(nonce_used(7, 8));
    }

    #[test]
    fn speed_up_reports_the_token_the_replacement_minted() {
        let logs = [
            // Someone else's mint to the same owner, and ours under another nonce.
            mint_log(account(2), 7, account(9), 4),
            mint_log(account(1), 6, account(9), 5),
            mint_log(account(1), 7, account(9), 6),
        ];
        assert_eq!(
            replaced_mint(&sent(), 7, account(9), &logs),
            ReplacedMint::Minted {
                replacement: H256::repeat_byte(7),
                token_id: U256::from(6)
            }
        );
    }

    #[test]
    fn a_replacement_that_minted_nothing_is_a_cancel() {
        let logs = [mint_log(account(1), 6, account(9), 5)];
        assert_eq!(
            replaced_mint(&sent(), 7, account(9), &logs),
            ReplacedMint::Cancelled
        );
        assert_eq!(
            replaced_mint(&sent(), 7, account(9), &[]),
            ReplacedMint::Cancelled
        );
    }

    #[test]
    fn a_mint_to_another_owner_under_our_nonce_is_not_ours() {
        let logs = [mint_log(account(1), 7, account(3), 5)];
        assert_eq!(
            replaced_mint(&sent(), 7, account(9), &logs),
            ReplacedMint::Cancelled
        );
    }

    #[test]
    fn the_filter_asks_for_mints_to_the_owner_since_the_send_block() {
        let filter = mints_to_owner_filter(account(5), account(9), 0x64);
        assert_eq!(filter["fromBlock"], "0x64");
        assert_eq!(filter["topics"][1], format!("0x{}", "00".repeat(32)));
        assert_eq!(
            filter["topics"][2],
            format!("0x{}{}", "00".repeat(12), "09".repeat(20))
        );
    }

    #[test]
    fn a_sent_transaction_survives_a_json_round_trip() {
        let text = serde_json::to_string(&sent()).unwrap();
        assert_eq!(
            serde_json::from_str::<SentTransaction>(&text).unwrap(),
            sent()
        );
    }
}
