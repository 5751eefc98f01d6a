//! A token's history (Minty's `show -c`, and every transfer since), from
//! the contract's indexed `Transfer` logs filtered by the token id: the log
//! from the zero address is the mint, the others are transfers.

use ethers_core::types::{Address, H256, U256};
use serde_json::{json, Value};

use crate::eth::minty_abi::{decode_transfer, transfer_topic};
use crate::eth::rpc_answers::Log;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryKind {
    Minted { to: Address },
    Transferred { from: Address, to: Address },
    Burned { from: Address },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryEvent {
    pub kind: HistoryKind,
    pub block: u64,
    pub transaction: H256,
}

/// `eth_getLogs` filter for the token's Transfer logs between two blocks:
/// the id is the third indexed topic, so the node does the filtering.
pub fn transfer_logs_filter(contract: Address, token_id: U256, from: u64, to: u64) -> Value {
    json!({
        "address": contract,
        "fromBlock": format!("0x{from:x}"),
        "toBlock": format!("0x{to:x}"),
        "topics": [transfer_topic(), Value::Null, Value::Null, token_id_topic(token_id)],
    })
}

fn token_id_topic(token_id: U256) -> H256 {
    let mut topic = [0u8; 32];
    token_id.to_big_endian(&mut topic);
    H256(topic)
}

/// The token's events in chain order. A log that is not an ERC-721
/// Transfer of this token (a node that ignored the filter) is left out.
pub fn history_events(logs: &[Log], token_id: U256) -> Vec<HistoryEvent> {
    let mut events: Vec<(u64, u64, HistoryEvent)> = logs
        .iter()
        .filter_map(|log| {
            let transfer = decode_transfer(&log.topics)?;
            if transfer.token_id != token_id {
                return None;
            }
            let kind = match (transfer.from.is_zero(), transfer.to.is_zero()) {
                (true, _) => HistoryKind::Minted { to: transfer.to },
                (false, true) => HistoryKind::Burned {
                    from: transfer.from,
                },
                (false, false) => HistoryKind::Transferred {
                    from: transfer.from,
                    to: transfer.to,
                },
            };
            let block = log.block_number?.as_u64();
            let index = log.log_index.map_or(0, |index| index.as_u64());
            Some((
                block,
                index,
                HistoryEvent {
                    kind,
                    block,
                    transaction: log.transaction_hash,
                },
            ))
        })
        .collect();
    events.sort_by_key(|(block, index, _)| (*block, *index));
    events.dedup_by_key(|(block, index, event)| (*block, *index, event.transaction));
    events.into_iter().map(|(_, _, event)| event).collect()
}

#[cfg(test)]
mod tests {
    use ethers_core::types::U64;

    use super::*;

    fn topic(address: Address) -> H256 {
        H256::from(address)
    }

    fn log(from: Address, to: Address, id: u64, block: u64, index: u64) -> Log {
        Log {
            topics: vec![
                transfer_topic(),
                topic(from),
                topic(to),
                token_id_topic(id.into()),
            ],
            transaction_hash: H256::from_low_u64_be(block * 100 + index),
            block_number: Some(U64::from(block)),
            log_index: Some(U64::from(index)),
        }
    }

    #[test]
    fn the_mint_comes_first_then_each_transfer_in_chain_order() {
        let (a, b, c) = (
            Address::repeat_byte(0xa),
            Address::repeat_byte(0xb),
            Address::repeat_byte(0xc),
        );
        let logs = vec![
            log(b, c, 7, 30, 0),
            log(Address::zero(), a, 7, 10, 2),
            log(a, b, 7, 20, 1),
            // Another token's log, as a node ignoring the topic filter sends.
            log(a, c, 8, 25, 0),
        ];
        let events = history_events(&logs, 7.into());
        assert_eq!(
            events.iter().map(|event| event.kind).collect::<Vec<_>>(),
            vec![
                HistoryKind::Minted { to: a },
                HistoryKind::Transferred { from: a, to: b },
                HistoryKind::Transferred { from: b, to: c },
            ]
        );
        assert_eq!(events[0].block, 10);
    }

    #[test]
    fn a_log_seen_twice_in_overlapping_answers_counts_once() {
        let mint = log(Address::zero(), Address::repeat_byte(1), 3, 5, 0);
        assert_eq!(history_events(&[mint.clone(), mint], 3.into()).len(), 1);
    }

    #[test]
    fn the_filter_asks_for_this_token_only_in_hex_blocks() {
        let filter = transfer_logs_filter(Address::repeat_byte(9), 258.into(), 16, 255);
        assert_eq!(filter["fromBlock"], "0x10");
        assert_eq!(filter["toBlock"], "0xff");
        assert_eq!(
            filter["topics"][3],
            "0x0000000000000000000000000000000000000000000000000000000000000102"
        );
        assert_eq!(filter["topics"][1], Value::Null);
    }
}
