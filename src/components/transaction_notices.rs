//! The transaction notices: every deploy, mint and transfer of this tab
//! from the wallet's prompt to its end, above every page, so a notice
//! survives navigation and stays until dismissed.

use std::cell::Cell;
use std::fmt::Display;
use std::future::Future;
use std::rc::Rc;

use ethers_core::types::H256;
use leptos::prelude::*;

use crate::chain::calls::ChainCalls;
use crate::code_split::CodeNotLoaded;
use crate::components::transaction_status::describe_watch;
use crate::components::{CopyButton, LazyPart};
use crate::transaction_notice::{Notice, NoticeBoard, NoticeState};
use crate::wallet::transactions::WatchStatus;
use crate::wallet::{wallet, WalletContext};

/// The board, provided by the app's root; jobs write to it.
#[derive(Debug, Clone, Copy)]
pub struct Notices(RwSignal<NoticeBoard>);

impl Notices {
    pub fn provide() -> Self {
        let notices = Notices(RwSignal::new(NoticeBoard::default()));
        provide_context(notices);
        notices
    }

    /// A new notice awaiting the wallet's signature; returns its id.
    pub fn open(self, title: impl Into<String>, chain_id: u64) -> u64 {
        let title = title.into();
        self.0
            .try_update(|board| board.open(title, chain_id))
            .unwrap_or_default()
    }

    pub fn update(self, id: u64, state: NoticeState) {
        self.0.try_update(|board| board.update(id, state));
    }

    /// Fetches the notices' code ahead of a job that will open one. A
    /// failure is left to the first notice, which fetches again and says why.
    pub async fn preload() {
        let _ = preload_notice_list().await;
    }
}

/// Follows one job's transaction on the board: opened when the wallet is
/// asked to sign (or, after a reload, when a sent one is watched again),
/// moved on as it is sent, and closed with the job's outcome. A job that
/// fails before the wallet is asked leaves no notice.
#[derive(Clone)]
pub struct NoticeFollower(Rc<Followed>);

pub struct Followed {
    notices: Notices,
    wallet_chain: RwSignal<Option<u64>>,
    title: String,
    id: Cell<Option<u64>>,
    hash: Cell<Option<H256>>,
}

/// Where followers write: taken from the context once, by a job's
/// constructor, since a job's future runs outside any reactive owner.
#[derive(Debug, Clone, Copy)]
pub struct NoticeSource {
    notices: Notices,
    wallet_chain: RwSignal<Option<u64>>,
}

impl NoticeSource {
    pub fn from_context() -> Self {
        NoticeSource {
            notices: expect_context(),
            wallet_chain: expect_context::<WalletContext>().chain_id,
        }
    }

    /// A follower for one transaction; `title` says what it does.
    pub fn follow(self, title: impl Into<String>) -> NoticeFollower {
        NoticeFollower(Rc::new(Followed {
            notices: self.notices,
            wallet_chain: self.wallet_chain,
            title: title.into(),
            id: Cell::new(None),
            hash: Cell::new(None),
        }))
    }
}

/// What a job's stage shows on its transaction's notice.
pub enum StageNotice<'a> {
    AwaitingSignature,
    Sent(H256, &'a WatchStatus),
    /// A stage of the job's own, before or beside the transaction.
    Unchanged,
}

/// A job's stage, as its notice follows it.
pub trait NoticedStage {
    fn notice(&self) -> StageNotice<'_>;
}

impl NoticeFollower {
    /// Runs a job's work with this notice following it: each stage the
    /// work reports is shown in `stage` and on the notice, which closes with
    /// the work's outcome. Called in a job's split module, so that none of
    /// this is in the app's first load.
    pub async fn follow<S, T, E, Work>(
        self,
        stage: RwSignal<Option<S>>,
        work: impl FnOnce(Rc<dyn Fn(S)>) -> Work,
    ) -> Result<T, E>
    where
        S: NoticedStage + Send + Sync + 'static,
        E: Display,
        Work: Future<Output = Result<T, E>>,
    {
        let following = self.clone();
        let report = move |next: S| {
            match next.notice() {
                StageNotice::AwaitingSignature => following.awaiting_signature(),
                StageNotice::Sent(hash, status) => following.sent(hash, describe_watch(status)),
                StageNotice::Unchanged => {}
            }
            stage.set(Some(next));
        };
        let outcome = work(Rc::new(report)).await;
        self.finished(&outcome).await;
        outcome
    }

    fn id(&self) -> u64 {
        let followed = &self.0;
        followed.id.get().unwrap_or_else(|| {
            let chain_id = followed.wallet_chain.get_untracked().unwrap_or_default();
            let id = followed.notices.open(followed.title.clone(), chain_id);
            followed.id.set(Some(id));
            id
        })
    }

    fn awaiting_signature(&self) {
        let id = self.id();
        self.0.notices.update(id, NoticeState::AwaitingSignature);
    }

    fn sent(&self, hash: H256, note: String) {
        let id = self.id();
        self.0.hash.set(Some(hash));
        self.0
            .notices
            .update(id, NoticeState::Pending { hash, note });
    }

    /// Closes the notice with the job's outcome; the block of a mined
    /// transaction is read from its receipt.
    async fn finished<T, E: Display>(&self, outcome: &Result<T, E>) {
        let Some(id) = self.0.id.get() else { return };
        let hash = self.0.hash.get();
        let state = match (outcome, hash) {
            (Ok(_), Some(hash)) => {
                let block = match wallet().receipt(hash).await {
                    Ok(Some(receipt)) => receipt.block_number.map(|block| block.as_u64()),
                    _ => None,
                };
                NoticeState::Mined { hash, block }
            }
            (Ok(_), None) => return,
            (Err(error), hash) => NoticeState::Failed {
                hash,
                reason: error.to_string(),
            },
        };
        self.0.notices.update(id, state);
    }
}

/// The board's live region is always on the page, so that assistive
/// technology announces what appears in it; the notices' own code loads
/// with the first notice, which only a job's module can open.
#[component]
pub fn TransactionNotices() -> impl IntoView {
    let Notices(board) = expect_context();
    let any_notice = move || board.with(|board| !board.notices().is_empty());
    view! {
        <section class="transaction-notices" aria-label="Transactions" role="status">
            <Show when=any_notice>
                <LazyPart load=move || notice_list(board) />
            </Show>
        </section>
    }
}

/// A split point in the `transactions` module (src/jobs.rs): the notices'
/// views, which only a job of that module opens.
#[leptos::wasm_split::wasm_split(
    transactions,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    preload(preload_notice_list)
)]
fn notice_list(board: RwSignal<NoticeBoard>) -> Result<AnyView, CodeNotLoaded> {
    Ok(view! {
        <For
            each=move || board.with(|board| board.notices().to_vec())
            key=|notice| (notice.id, notice.state.clone())
            let:notice
        >
            <NoticeView notice board />
        </For>
    }
    .into_any())
}

#[component]
fn NoticeView(notice: Notice, board: RwSignal<NoticeBoard>) -> impl IntoView {
    let id = notice.id;
    let explorer = notice.explorer_url();
    let hash = notice.state.hash().map(|hash| format!("{hash:?}"));
    let (text, block) = match &notice.state {
        NoticeState::AwaitingSignature => {
            ("Waiting for your signature in the wallet…".to_owned(), None)
        }
        NoticeState::Pending { note, .. } => (note.clone(), None),
        NoticeState::Mined { block, .. } => ("Mined.".to_owned(), *block),
        NoticeState::Failed { reason, .. } => (reason.clone(), None),
    };
    view! {
        <article class="transaction-notice" data-testid="transaction-notice" data-state=notice.state.kind()>
            <header>
                <h2>{notice.title}</h2>
                <button
                    type="button"
                    class="button small"
                    aria-label="Dismiss this notice"
                    on:click=move |_| board.update(|board| board.dismiss(id))
                >
                    "Dismiss"
                </button>
            </header>
            <p data-testid="transaction-notice-text">
                {text}
                {block.map(|block| format!(" Block {block}."))}
            </p>
            {hash
                .map(|hash| {
                    view! {
                        <p class="transaction-notice-hash">
                            <span class="mono" data-testid="transaction-notice-hash">{hash.clone()}</span>
                            <CopyButton text=hash label="Copy transaction hash" />
                            {explorer
                                .map(|url| {
                                    view! {
                                        <a
                                            href=url
                                            target="_blank"
                                            rel="noopener noreferrer"
                                            data-testid="transaction-notice-explorer"
                                        >
                                            "View on the explorer"
                                        </a>
                                    }
                                })}
                        </p>
                    }
                })}
        </article>
    }
}
