//! The mint journal: one record per mint, kept in localStorage, so a reload
//! or a crash loses nothing. A record says what was stored where, which
//! chain, contract and account the mint is for, and, once sent, the
//! transaction's hash, nonce and send block. On load, unfinished records are
//! resumed: what is stored is not uploaded again, and what was sent is
//! watched, never sent again.

use ethers_core::types::{Address, H256, U256};
use serde::{Deserialize, Serialize};

use super::metadata::Attribute;
use crate::eth::transaction_watch::SentTransaction;

/// How many records are kept; the oldest finished ones go first.
pub const JOURNAL_CAPACITY: usize = 50;

/// A root the storage service has stored, and the URI the token uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRoot {
    pub cid: String,
    /// `ipfs://<cid>/<name>`
    pub uri: String,
    /// The storage endpoint that stored it.
    pub endpoint: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MintState {
    /// Uploading the asset, its preview and the metadata.
    Uploading,
    /// Everything stored; the wallet was asked, or is about to be asked, to
    /// sign. A reload here cannot tell whether the wallet sent it, so the
    /// chain is asked before anything is sent again.
    Signing,
    /// Sent; watched until it settles.
    Sent,
    Minted {
        token_id: U256,
        hash: H256,
    },
    /// Settled without a token: rejected, reverted or cancelled. The
    /// uploads can be reused.
    Stopped {
        reason: String,
    },
}

/// A root in the journal, for the uploads' status page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadedRoot<'a> {
    pub mint_name: &'a str,
    /// "asset", "preview" or "metadata".
    pub part: &'static str,
    pub root: &'a StoredRoot,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MintRecord {
    /// Unique within the journal: when the job started, in ms since 1970.
    pub id: u64,
    /// Which file and text the uploads were made from.
    pub file_fingerprint: String,
    pub chain_id: u64,
    pub contract: Address,
    /// As the wallet spells it.
    pub account: String,
    pub owner: Address,
    pub name: String,
    pub description: String,
    /// Absent from records written before the form had it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
    pub asset_media_type: String,
    pub asset: Option<StoredRoot>,
    pub preview: Option<StoredRoot>,
    pub metadata: Option<StoredRoot>,
    /// The latest block just before the wallet was asked to sign: a mint
    /// sent from this record cannot be in an earlier one.
    pub signing_block: Option<u64>,
    pub transaction: Option<SentTransaction>,
    #[serde(flatten)]
    pub state: MintState,
}

impl MintRecord {
    /// Still running, or stopped by a reload before it settled.
    pub fn is_unfinished(&self) -> bool {
        matches!(
            self.state,
            MintState::Uploading | MintState::Signing | MintState::Sent
        )
    }

    /// `<cid>/metadata.json`: what `mintToken` stores and `tokenURI` returns
    /// after "ipfs://".
    pub fn metadata_path(&self) -> Option<&str> {
        self.metadata
            .as_ref()
            .and_then(|root| root.uri.strip_prefix("ipfs://"))
    }
}

/// What a reload does with an unfinished record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resume {
    /// Watch the sent transaction; never send it again.
    Follow,
    /// The wallet may have sent it before the reload: look for the token
    /// on the chain before offering to send.
    LookOnChain,
    /// Wait for the creator: mint the stored files, or choose the file again.
    AskCreator,
    /// The wallet is on another chain, whose node knows nothing of this
    /// mint; "not found" there would mean nothing.
    WaitForChain,
}

impl MintRecord {
    /// `None` for a settled record.
    pub fn resume(&self, wallet_chain: Option<u64>) -> Option<Resume> {
        if !self.is_unfinished() {
            return None;
        }
        if wallet_chain != Some(self.chain_id) {
            return Some(Resume::WaitForChain);
        }
        Some(match (&self.state, self.transaction) {
            (MintState::Sent, Some(_)) => Resume::Follow,
            (MintState::Signing, _) => Resume::LookOnChain,
            _ => Resume::AskCreator,
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MintJournal {
    pub records: Vec<MintRecord>,
}

impl MintJournal {
    /// Reads the stored JSON; an unreadable journal starts empty rather than
    /// blocking minting (it only ever helps resume).
    pub fn from_json(text: &str) -> MintJournal {
        serde_json::from_str(text).unwrap_or_default()
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("journal records serialize")
    }

    /// Adds or replaces the record with the same id, then drops the oldest
    /// finished records beyond [`JOURNAL_CAPACITY`]; unfinished ones stay.
    pub fn upsert(&mut self, record: MintRecord) {
        match self.records.iter_mut().find(|r| r.id == record.id) {
            Some(existing) => *existing = record,
            None => self.records.push(record),
        }
        while self.records.len() > JOURNAL_CAPACITY {
            match self.records.iter().position(|r| !r.is_unfinished()) {
                Some(oldest_finished) => {
                    self.records.remove(oldest_finished);
                }
                None => break,
            }
        }
    }

    pub fn remove(&mut self, id: u64) {
        self.records.retain(|record| record.id != id);
    }

    pub fn unfinished(&self) -> impl Iterator<Item = &MintRecord> {
        self.records.iter().filter(|record| record.is_unfinished())
    }

    /// Uploads made from the same file and text for the same endpoint, so
    /// a new attempt can reuse them (after the service confirms it still
    /// has them).
    pub fn reusable_uploads(&self, file_fingerprint: &str, endpoint: &str) -> Option<&MintRecord> {
        self.records.iter().rev().find(|record| {
            record.file_fingerprint == file_fingerprint
                && record
                    .metadata
                    .as_ref()
                    .is_some_and(|m| m.endpoint == endpoint)
        })
    }

    /// Every root the creator has stored, newest mint first, each named by
    /// its mint and its part (asset, preview, metadata), and each once.
    pub fn stored_roots(&self) -> Vec<UploadedRoot<'_>> {
        let mut seen = std::collections::HashSet::new();
        self.records
            .iter()
            .rev()
            .flat_map(|record| {
                [
                    ("asset", &record.asset),
                    ("preview", &record.preview),
                    ("metadata", &record.metadata),
                ]
                .into_iter()
                .filter_map(move |(part, root)| {
                    root.as_ref().map(|root| UploadedRoot {
                        mint_name: &record.name,
                        part,
                        root,
                    })
                })
            })
            .filter(|uploaded| seen.insert((&uploaded.root.cid, &uploaded.root.endpoint)))
            .collect()
    }

    /// A token already minted, or a mint still pending, from the same file
    /// and text on the same contract: pressing Mint again would make a copy.
    pub fn earlier_mint(
        &self,
        file_fingerprint: &str,
        chain_id: u64,
        contract: Address,
    ) -> Option<&MintRecord> {
        self.records.iter().rev().find(|record| {
            record.file_fingerprint == file_fingerprint
                && record.chain_id == chain_id
                && record.contract == contract
                && matches!(
                    record.state,
                    MintState::Minted { .. } | MintState::Sent | MintState::Signing
                )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nft::metadata::TraitValue;

    fn record(id: u64, state: MintState) -> MintRecord {
        MintRecord {
            id,
            file_fingerprint: "art.png\u{0}5\u{0}1".into(),
            chain_id: 31337,
            contract: Address::repeat_byte(5),
            account: "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266".into(),
            owner: Address::repeat_byte(9),
            name: "Art".into(),
            description: String::new(),
            external_url: None,
            attributes: Vec::new(),
            asset_media_type: "image/png".into(),
            asset: None,
            preview: None,
            metadata: Some(StoredRoot {
                cid: "bafymeta".into(),
                uri: "ipfs://bafymeta/metadata.json".into(),
                endpoint: "http://127.0.0.1:8787".into(),
            }),
            signing_block: None,
            transaction: None,
            state,
        }
    }

    #[test]
    fn stored_roots_are_listed_newest_first_and_once() {
        let mut journal = MintJournal::default();
        let mut first = record(
            1,
            MintState::Minted {
                token_id: U256::from(1),
                hash: H256::repeat_byte(1),
            },
        );
        first.asset = Some(StoredRoot {
            cid: "bafyasset".into(),
            uri: "ipfs://bafyasset/art.png".into(),
            endpoint: "http://127.0.0.1:8787".into(),
        });
        journal.upsert(first);
        // A second attempt from the same file reuses the same metadata root.
        let mut second = record(2, MintState::Uploading);
        second.name = "Again".into();
        journal.upsert(second);

        let listed: Vec<(&str, &str, &str)> = journal
            .stored_roots()
            .iter()
            .map(|uploaded| {
                (
                    uploaded.mint_name,
                    uploaded.part,
                    uploaded.root.cid.as_str(),
                )
            })
            .collect();
        assert_eq!(
            listed,
            [
                ("Again", "metadata", "bafymeta"),
                ("Art", "asset", "bafyasset")
            ]
        );
    }

    #[test]
    fn a_journal_survives_its_json() {
        let mut journal = MintJournal::default();
        let mut sent = record(1, MintState::Sent);
        sent.transaction = Some(SentTransaction {
            hash: H256::repeat_byte(1),
            chain_id: 31337,
            from: Address::repeat_byte(2),
            nonce: Some(4),
            send_block: 12,
        });
        journal.upsert(sent);
        journal.upsert(record(
            2,
            MintState::Minted {
                token_id: U256::from(3),
                hash: H256::repeat_byte(3),
            },
        ));
        assert_eq!(MintJournal::from_json(&journal.to_json()), journal);
        assert!(journal.to_json().contains("\"state\":\"sent\""));
    }

    #[test]
    fn a_record_keeps_its_external_url_and_attributes_through_a_reload() {
        let mut journal = MintJournal::default();
        let mut record = record(1, MintState::Uploading);
        record.external_url = Some("https://example.com/art".into());
        record.attributes = vec![Attribute {
            trait_type: Some("Eyes".into()),
            value: TraitValue::Text("Green".into()),
        }];
        journal.upsert(record.clone());
        let reloaded = MintJournal::from_json(&journal.to_json());
        assert_eq!(reloaded.records, [record]);
    }

    #[test]
    fn a_record_written_before_attributes_existed_still_loads() {
        let mut journal = MintJournal::default();
        journal.upsert(record(1, MintState::Uploading));
        let old = journal.to_json();
        assert!(!old.contains("attributes") && !old.contains("external_url"));
        let reloaded = MintJournal::from_json(&old);
        assert_eq!(reloaded, journal);
        assert_eq!(reloaded.records[0].attributes, []);
    }

    #[test]
    fn an_unreadable_journal_starts_empty() {
        assert_eq!(MintJournal::from_json("{not json"), MintJournal::default());
    }

    #[test]
    fn only_unsettled_records_are_resumed() {
        let mut journal = MintJournal::default();
        journal.upsert(record(1, MintState::Uploading));
        journal.upsert(record(2, MintState::Signing));
        journal.upsert(record(3, MintState::Sent));
        journal.upsert(record(
            4,
            MintState::Stopped {
                reason: "rejected".into(),
            },
        ));
        let ids: Vec<u64> = journal.unfinished().map(|r| r.id).collect();
        assert_eq!(ids, [1, 2, 3]);
    }

    #[test]
    fn a_reload_watches_what_was_sent_and_looks_before_sending_again() {
        let mut sent = record(1, MintState::Sent);
        sent.transaction = Some(SentTransaction {
            hash: H256::repeat_byte(1),
            chain_id: 31337,
            from: Address::repeat_byte(2),
            nonce: None,
            send_block: 12,
        });
        assert_eq!(sent.resume(Some(31337)), Some(Resume::Follow));
        assert_eq!(
            record(2, MintState::Signing).resume(Some(31337)),
            Some(Resume::LookOnChain)
        );
        assert_eq!(
            record(3, MintState::Uploading).resume(Some(31337)),
            Some(Resume::AskCreator)
        );
        assert_eq!(sent.resume(Some(1)), Some(Resume::WaitForChain));
        assert_eq!(sent.resume(None), Some(Resume::WaitForChain));
        let done = record(
            4,
            MintState::Minted {
                token_id: U256::one(),
                hash: H256::zero(),
            },
        );
        assert_eq!(done.resume(Some(31337)), None);
    }

    #[test]
    fn upsert_replaces_by_id() {
        let mut journal = MintJournal::default();
        journal.upsert(record(1, MintState::Uploading));
        journal.upsert(record(1, MintState::Sent));
        assert_eq!(journal.records.len(), 1);
        assert_eq!(journal.records[0].state, MintState::Sent);
    }

    #[test]
    fn the_oldest_finished_records_go_first_and_unfinished_ones_stay() {
        let mut journal = MintJournal::default();
        journal.upsert(record(0, MintState::Sent));
        for id in 1..=JOURNAL_CAPACITY as u64 {
            journal.upsert(record(
                id,
                MintState::Stopped {
                    reason: String::new(),
                },
            ));
        }
        assert_eq!(journal.records.len(), JOURNAL_CAPACITY);
        assert_eq!(journal.records[0].id, 0, "the pending mint is kept");
        assert_eq!(journal.records[1].id, 2, "the oldest finished one went");
    }

    #[test]
    fn pressing_mint_again_finds_the_earlier_token() {
        let mut journal = MintJournal::default();
        let minted = MintState::Minted {
            token_id: U256::from(7),
            hash: H256::zero(),
        };
        journal.upsert(record(1, minted));
        let fingerprint = "art.png\u{0}5\u{0}1";
        let earlier = journal.earlier_mint(fingerprint, 31337, Address::repeat_byte(5));
        assert_eq!(earlier.map(|r| r.id), Some(1));
        assert!(journal
            .earlier_mint(fingerprint, 1, Address::repeat_byte(5))
            .is_none());
        assert!(journal
            .earlier_mint("other", 31337, Address::repeat_byte(5))
            .is_none());
        journal.upsert(record(
            2,
            MintState::Stopped {
                reason: "rejected".into(),
            },
        ));
        journal.records.retain(|r| r.id == 2);
        assert!(journal
            .earlier_mint(fingerprint, 31337, Address::repeat_byte(5))
            .is_none());
    }

    #[test]
    fn uploads_are_reused_only_for_the_same_endpoint() {
        let mut journal = MintJournal::default();
        journal.upsert(record(
            1,
            MintState::Stopped {
                reason: String::new(),
            },
        ));
        let fingerprint = "art.png\u{0}5\u{0}1";
        assert!(journal
            .reusable_uploads(fingerprint, "http://127.0.0.1:8787")
            .is_some());
        assert!(journal
            .reusable_uploads(fingerprint, "https://elsewhere.example")
            .is_none());
    }

    #[test]
    fn the_metadata_path_is_what_mint_token_stores() {
        assert_eq!(
            record(1, MintState::Uploading).metadata_path(),
            Some("bafymeta/metadata.json")
        );
    }
}
