//! Walking UnixFS directories in verified blocks: where blocks come from,
//! how a path below a CID is followed, and every way a DAG can fail to add
//! up. Reading a file's bytes is `file_reader`'s job.

use std::borrow::Cow;

use cid::Cid;
use thiserror::Error;

use super::block::DAG_PB_CODEC;
use super::car::Car;
use super::dag_pb::{DagPbError, PbNode};
use super::unixfs::{NodeType, UnixFsData, UnixFsError};
use super::uri::IpfsPath;

/// Where resolution finds blocks: a CAR in memory, a local block store, …
/// Sources hand out only blocks they have verified against their CIDs.
pub trait BlockSource {
    fn block_bytes(&self, cid: &Cid) -> Option<Cow<'_, [u8]>>;
}

impl BlockSource for Car {
    fn block_bytes(&self, cid: &Cid) -> Option<Cow<'_, [u8]>> {
        self.block(cid)
            .ok()
            .map(|block| Cow::Borrowed(block.bytes.as_slice()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ResolveError {
    #[error("block {0} is missing")]
    MissingBlock(Cid),
    #[error("block {cid} is not valid dag-pb: {source}")]
    DagPb { cid: Cid, source: DagPbError },
    #[error("block {cid} is not valid UnixFS: {source}")]
    UnixFs { cid: Cid, source: UnixFsError },
    #[error("\"{path}\" is not a directory, so it has no entry \"{name}\"")]
    NotADirectory { path: String, name: String },
    #[error("the directory \"{path}\" has no entry \"{name}\"")]
    NoSuchEntry { path: String, name: String },
    #[error("\"{path}\" is a directory, not a file")]
    IsADirectory { path: String },
    #[error("block {cid} is a UnixFS {kind}, which this reader does not support")]
    Unsupported { cid: Cid, kind: &'static str },
    #[error("block {cid} uses codec 0x{codec:x}, which is not UnixFS")]
    UnknownCodec { cid: Cid, codec: u64 },
    #[error("file node {cid} declares {declared} bytes but its parts hold {actual}")]
    SizeMismatch {
        cid: Cid,
        declared: u64,
        actual: u64,
    },
    #[error("file node {cid} declares {declared} bytes for its part number {index}, which holds {actual}")]
    PartSizeMismatch {
        cid: Cid,
        index: usize,
        declared: u64,
        actual: u64,
    },
    #[error(
        "file node {cid} has {links} links but {blocksizes} block sizes; UnixFS needs one per link"
    )]
    BlocksizesMismatch {
        cid: Cid,
        links: usize,
        blocksizes: usize,
    },
    #[error("file node {cid} gives its part number {index} a Tsize of {tsize} bytes, less than the {content} bytes of content it declares there")]
    TsizeTooSmall {
        cid: Cid,
        index: usize,
        tsize: u64,
        content: u64,
    },
    #[error("the file holds at least {size} bytes, more than the {limit} this reader takes")]
    TooLarge { size: u64, limit: u64 },
    #[error(
        "block {cid} lies more than {limit} levels below the root, deeper than this reader goes"
    )]
    TooDeep { cid: Cid, limit: usize },
    #[error("the file takes more than {limit} block reads, more than this reader makes")]
    TooManyBlocks { limit: usize },
}

/// Follows `address`'s segments from its CID through UnixFS directories
/// and returns the CID they name.
pub fn resolve_path(source: &impl BlockSource, address: &IpfsPath) -> Result<Cid, ResolveError> {
    let segments = address.segments();
    segments
        .iter()
        .enumerate()
        .try_fold(address.cid, |current, (walked, name)| {
            step_into(source, &current, &segments[..walked], name)
        })
}

/// The entry `name` of directory `directory`, which `walked` led to.
pub(super) fn step_into(
    source: &impl BlockSource,
    directory: &Cid,
    walked: &[String],
    name: &str,
) -> Result<Cid, ResolveError> {
    let (node, data) = decode_dag_pb(source, directory)?;
    match data.node_type {
        NodeType::Directory => {}
        NodeType::HamtShard => {
            return Err(ResolveError::Unsupported {
                cid: *directory,
                kind: "HAMT-sharded directory",
            })
        }
        _ => {
            return Err(ResolveError::NotADirectory {
                path: walked.join("/"),
                name: name.to_owned(),
            })
        }
    }
    node.links
        .iter()
        .find(|link| link.name.as_deref() == Some(name))
        .map(|link| link.hash)
        .ok_or_else(|| ResolveError::NoSuchEntry {
            path: walked.join("/"),
            name: name.to_owned(),
        })
}

pub(super) fn fetch<'a>(
    source: &'a impl BlockSource,
    cid: &Cid,
) -> Result<Cow<'a, [u8]>, ResolveError> {
    source
        .block_bytes(cid)
        .ok_or(ResolveError::MissingBlock(*cid))
}

/// Decodes a dag-pb UnixFS node: its links and its UnixFS data.
pub fn decode_dag_pb(
    source: &impl BlockSource,
    cid: &Cid,
) -> Result<(PbNode, UnixFsData), ResolveError> {
    if cid.codec() != DAG_PB_CODEC {
        return Err(ResolveError::UnknownCodec {
            cid: *cid,
            codec: cid.codec(),
        });
    }
    let bytes = fetch(source, cid)?;
    let node =
        PbNode::decode(&bytes).map_err(|source| ResolveError::DagPb { cid: *cid, source })?;
    let data = UnixFsData::decode(node.data.as_deref().unwrap_or_default())
        .map_err(|source| ResolveError::UnixFs { cid: *cid, source })?;
    Ok((node, data))
}
