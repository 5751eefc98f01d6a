//! The transactions the user started in this tab (deploy, mint, transfer),
//! each through its life: awaiting signature, pending, mined or failed.
//! One board holds them all, so a notice outlives the page that started it
//! and stays until the user dismisses it.

use ethers_core::types::H256;

use crate::eth::explorer::transaction_url;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NoticeState {
    AwaitingSignature,
    /// Sent; `note` says how it is doing ("waiting to be mined…").
    Pending {
        hash: H256,
        note: String,
    },
    Mined {
        hash: H256,
        block: Option<u64>,
    },
    /// Not sent (`hash` is `None`), or sent and failed, with the reason.
    Failed {
        hash: Option<H256>,
        reason: String,
    },
}

impl NoticeState {
    pub fn hash(&self) -> Option<H256> {
        match self {
            NoticeState::AwaitingSignature => None,
            NoticeState::Pending { hash, .. } | NoticeState::Mined { hash, .. } => Some(*hash),
            NoticeState::Failed { hash, .. } => *hash,
        }
    }

    /// A word for styling and tests.
    pub fn kind(&self) -> &'static str {
        match self {
            NoticeState::AwaitingSignature => "awaiting-signature",
            NoticeState::Pending { .. } => "pending",
            NoticeState::Mined { .. } => "mined",
            NoticeState::Failed { .. } => "failed",
        }
    }

    #[cfg(test)]
    pub fn settled(&self) -> bool {
        matches!(self, NoticeState::Mined { .. } | NoticeState::Failed { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: u64,
    /// What the transaction does, e.g. "Transfer of token #5".
    pub title: String,
    pub chain_id: u64,
    pub state: NoticeState,
}

impl Notice {
    pub fn explorer_url(&self) -> Option<String> {
        transaction_url(self.chain_id, &self.state.hash()?)
    }
}

/// Every notice of this tab, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NoticeBoard {
    notices: Vec<Notice>,
    next_id: u64,
}

impl NoticeBoard {
    /// A new notice, awaiting the wallet's signature; returns its id.
    pub fn open(&mut self, title: impl Into<String>, chain_id: u64) -> u64 {
        self.next_id += 1;
        self.notices.push(Notice {
            id: self.next_id,
            title: title.into(),
            chain_id,
            state: NoticeState::AwaitingSignature,
        });
        self.next_id
    }

    /// Moves a notice on. A dismissed notice stays dismissed.
    pub fn update(&mut self, id: u64, state: NoticeState) {
        if let Some(notice) = self.notices.iter_mut().find(|notice| notice.id == id) {
            notice.state = state;
        }
    }

    pub fn dismiss(&mut self, id: u64) {
        self.notices.retain(|notice| notice.id != id);
    }

    pub fn notices(&self) -> &[Notice] {
        &self.notices
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_goes_through_its_life_and_links_only_where_an_explorer_exists() {
        let mut board = NoticeBoard::default();
        let on_sepolia = board.open("Transfer of token #5", 11_155_111);
        let on_anvil = board.open("Mint", 31_337);
        let hash = H256::repeat_byte(1);
        assert_eq!(board.notices()[0].explorer_url(), None, "no hash yet");

        board.update(
            on_sepolia,
            NoticeState::Pending {
                hash,
                note: "waiting".into(),
            },
        );
        board.update(
            on_anvil,
            NoticeState::Mined {
                hash,
                block: Some(7),
            },
        );
        let [sepolia, anvil] = board.notices() else {
            panic!("two notices")
        };
        assert_eq!(sepolia.state.kind(), "pending");
        assert!(sepolia
            .explorer_url()
            .unwrap()
            .starts_with("https://sepolia.etherscan.io/tx/0x01"));
        assert!(anvil.state.settled());
        assert_eq!(anvil.explorer_url(), None);
    }

    #[test]
    fn a_dismissed_notice_does_not_come_back_when_its_transaction_moves_on() {
        let mut board = NoticeBoard::default();
        let id = board.open("Deploy", 1);
        board.dismiss(id);
        board.update(
            id,
            NoticeState::Failed {
                hash: None,
                reason: "rejected".into(),
            },
        );
        assert!(board.notices().is_empty());
        assert_ne!(board.open("Deploy", 1), id, "ids are not reused");
    }
}
