//! The mint journal's shell: one JSON document in localStorage.

use crate::nft::mint_journal::{MintJournal, MintRecord};
use crate::settings::local_storage;

const JOURNAL_KEY: &str = "minty.mint_journal";

/// Whether this browser has a journal, read without parsing it.
pub fn exists() -> bool {
    local_storage::get(JOURNAL_KEY).is_some()
}

pub fn load() -> MintJournal {
    local_storage::get(JOURNAL_KEY)
        .map(|text| MintJournal::from_json(&text))
        .unwrap_or_default()
}

/// Writes `record` over its earlier version. A journal that cannot be
/// written (storage full or blocked) must not stop a mint that is already
/// under way: it only costs the ability to resume after a reload.
pub fn save(record: &MintRecord) {
    let mut journal = load();
    journal.upsert(record.clone());
    let _ = local_storage::set(JOURNAL_KEY, &journal.to_json());
}

pub fn remove(id: u64) {
    let mut journal = load();
    journal.remove(id);
    let _ = local_storage::set(JOURNAL_KEY, &journal.to_json());
}
