//! The block each Minty contract was deployed in, per chain, kept in
//! localStorage: a token's history starts there. The app writes it when
//! it deploys a contract, and after finding it by search for one it did
//! not deploy; either way it is found only once per browser.

use std::collections::BTreeMap;

use ethers_core::types::Address;

use super::local_storage;

const KEY: &str = "minty.deploy_blocks";

fn key(chain_id: u64, contract: Address) -> String {
    format!("{chain_id}:{contract:?}")
}

fn all() -> BTreeMap<String, u64> {
    local_storage::get(KEY)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default()
}

pub fn recall(chain_id: u64, contract: Address) -> Option<u64> {
    all().get(&key(chain_id, contract)).copied()
}

/// Best effort: without storage the block is searched for again next time.
pub fn remember(chain_id: u64, contract: Address, block: u64) {
    let mut blocks = all();
    blocks.insert(key(chain_id, contract), block);
    if let Ok(json) = serde_json::to_string(&blocks) {
        let _ = local_storage::set(KEY, &json);
    }
}
