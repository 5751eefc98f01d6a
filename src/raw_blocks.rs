//! Raw blocks through the gateway plan (`?format=raw`, IPIP-402, the
//! trustless gateway answer): each block is asked of the gateways in turn,
//! with retries, until one serves bytes the caller takes. A gateway that
//! alters a block or serves no raw blocks is left for the next, and when
//! none is left the worst of what they did is the answer. The token page's
//! checked reads and the archive both fetch through here.

use cid::Cid;
use futures::future::join_all;

use crate::gateway::{fetch_capped, Fetched, GatewayError, Overflow};
use crate::gateway_plan::{Failure, GatewayPlan, Next};
use crate::ipfs::uri::{raw_block_url, RAW_BLOCK_MEDIA_TYPE};
use crate::ipfs::verified_read::MAX_BLOCK_BYTES;
use crate::wallet::transactions::sleep;

/// Blocks fetched at once from one gateway: Chromium opens six
/// connections to a host, and this leaves room for the page's others.
pub const PARALLEL_BLOCK_FETCHES: usize = 4;

/// Why the caller did not take a block a gateway served.
#[derive(Debug)]
pub enum Refusal<E> {
    /// The bytes do not hash to the CID: the gateway is left for the next.
    Altered,
    /// Anything else ends the read.
    Fatal(E),
}

/// Why no gateway served a block the caller took.
#[derive(Debug)]
pub enum BlockFetchError<E> {
    /// A gateway altered this block (the last one altered), and no gateway
    /// was left that served intact what the read needed.
    Altered(Cid),
    /// No gateway serves raw blocks, so nothing can be checked.
    NoRawBlocks,
    Gateway(GatewayError),
    Refused(E),
}

/// One read's gateways: where it is in the plan, and what went wrong so far.
pub struct BlockFetcher<'a> {
    plan: &'a mut GatewayPlan,
    failures: Vec<GatewayError>,
    altered: Option<Cid>,
    raw_blocks_refused: bool,
    /// The gateway that served the last block.
    answering: Option<String>,
}

impl<'a> BlockFetcher<'a> {
    /// Fetches through `plan`, which is left at the gateway that served the
    /// last block.
    pub fn new(plan: &'a mut GatewayPlan) -> Self {
        Self {
            plan,
            failures: Vec::new(),
            altered: None,
            raw_blocks_refused: false,
            answering: None,
        }
    }

    /// Asks the gateways for block `cid` until `take` takes what one serves.
    pub async fn fetch<E>(
        &mut self,
        cid: &Cid,
        mut take: impl FnMut(Vec<u8>) -> Result<(), Refusal<E>>,
    ) -> Result<(), BlockFetchError<E>> {
        loop {
            let Some(gateway) = self.plan.current().map(str::to_owned) else {
                return Err(match (self.altered, self.raw_blocks_refused) {
                    (Some(cid), _) => BlockFetchError::Altered(cid),
                    (None, true) => BlockFetchError::NoRawBlocks,
                    (None, false) => BlockFetchError::Gateway(GatewayError::from_failures(
                        std::mem::take(&mut self.failures),
                    )),
                });
            };
            let url = raw_block_url(&gateway, cid);
            let failure = match fetch_capped(&url, MAX_BLOCK_BYTES, Overflow::Refuse).await {
                Ok(fetched) if !is_raw_block(&fetched) => {
                    self.raw_blocks_refused = true;
                    Failure::NoRawBlocks
                }
                Ok(fetched) => match take(fetched.bytes) {
                    Ok(()) => {
                        self.answering = Some(gateway);
                        self.plan.answered();
                        return Ok(());
                    }
                    Err(Refusal::Altered) => {
                        self.altered = Some(*cid);
                        Failure::Altered
                    }
                    Err(Refusal::Fatal(error)) => return Err(BlockFetchError::Refused(error)),
                },
                Err(error) => {
                    let failure = error.failure();
                    self.failures.push(error);
                    failure
                }
            };
            if let Next::Retry(pause) = self.plan.failed(failure) {
                sleep(pause).await;
            }
        }
    }

    /// Fetches `cids` at once from the current gateway, once it has served
    /// a block of this read: a dead gateway costs one timeout, not one per
    /// request. The answers that are raw blocks, in order; nothing here is
    /// retried or checked, so a block missing from them is asked for again
    /// through [`BlockFetcher::fetch`], which names what went wrong. `None`
    /// when no gateway has proven itself yet.
    pub async fn fetch_together(&self, cids: &[Cid]) -> Option<Vec<Option<Vec<u8>>>> {
        let gateway = self
            .plan
            .current()
            .filter(|gateway| self.answering.as_deref() == Some(*gateway))?;
        let answers = join_all(cids.iter().map(|cid| {
            let url = raw_block_url(gateway, cid);
            async move { fetch_capped(&url, MAX_BLOCK_BYTES, Overflow::Refuse).await }
        }))
        .await;
        Some(
            answers
                .into_iter()
                .map(|answer| {
                    answer
                        .ok()
                        .filter(is_raw_block)
                        .map(|fetched| fetched.bytes)
                })
                .collect(),
        )
    }
}

fn is_raw_block(fetched: &Fetched) -> bool {
    fetched
        .content_type
        .as_deref()
        .is_some_and(|media_type| media_type.starts_with(RAW_BLOCK_MEDIA_TYPE))
}
