//! Whether the blockstore holds a whole DAG. nft.storage took CARs in
//! parts (its client split anything over 100 MiB), each part carrying the
//! root in its header but only some of the blocks; the upload was pinned
//! once every block had arrived, and "queued" until then.

use std::collections::HashSet;

use minty::ipfs::block::{DAG_PB_CODEC, RAW_CODEC};
use minty::ipfs::dag_pb::PbNode;
use minty::ipfs::resolve::BlockSource;
use minty::ipfs::Cid;

use super::blockstore::Blockstore;

/// What a walk from a root found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completeness {
    /// Every block is here; the DAG holds this many bytes of blocks.
    Complete { bytes: u64 },
    /// Some block, and perhaps the root itself, has not arrived.
    Missing,
}

/// Walks the DAG under `root`, reading only dag-pb nodes: a raw leaf has no
/// links, so its presence is enough. Each block counts once however many
/// links point at it, so a DAG bomb costs a walk of its distinct blocks.
pub fn completeness(blocks: &Blockstore, root: &Cid) -> Completeness {
    let mut seen = HashSet::new();
    let mut pending = vec![*root];
    let mut bytes = 0;
    while let Some(cid) = pending.pop() {
        if !seen.insert(cid) {
            continue;
        }
        match cid.codec() {
            RAW_CODEC => match blocks.block_size(&cid) {
                Some(size) => bytes += size,
                None => return Completeness::Missing,
            },
            DAG_PB_CODEC => {
                let Some(node) = blocks.block_bytes(&cid) else {
                    return Completeness::Missing;
                };
                bytes += node.len() as u64;
                // A node that does not decode cannot be walked; the gateway
                // reports it when asked, so here it only ends the walk.
                if let Ok(node) = PbNode::decode(&node) {
                    pending.extend(node.links.iter().map(|link| link.hash));
                }
            }
            // Other codecs (dag-cbor, …) are stored, not walked.
            _ => match blocks.block_size(&cid) {
                Some(size) => bytes += size,
                None => return Completeness::Missing,
            },
        }
    }
    Completeness::Complete { bytes }
}
