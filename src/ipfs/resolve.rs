//! Reading UnixFS back out of verified blocks: walk a path from a root CID
//! and reassemble a file's bytes, refusing anything that does not add up.

use std::borrow::Cow;

use cid::Cid;
use thiserror::Error;

use super::block::{DAG_PB_CODEC, RAW_CODEC};
use super::car::Car;
use super::dag_pb::{DagPbError, PbNode};
use super::unixfs::{NodeType, UnixFsData, UnixFsError};

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

#[derive(Debug, Error)]
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
}

/// Follows `path` (segments separated by "/") from `root` through UnixFS
/// directories and returns the CID it names.
pub fn resolve_path(car: &impl BlockSource, root: &Cid, path: &str) -> Result<Cid, ResolveError> {
    let mut current = *root;
    let mut walked = String::new();
    for name in path.split('/').filter(|segment| !segment.is_empty()) {
        let (node, data) = decode_dag_pb(car, &current)?;
        match data.node_type {
            NodeType::Directory => {}
            NodeType::HamtShard => {
                return Err(ResolveError::Unsupported {
                    cid: current,
                    kind: "HAMT-sharded directory",
                })
            }
            _ => {
                return Err(ResolveError::NotADirectory {
                    path: walked,
                    name: name.to_owned(),
                })
            }
        }
        current = node
            .links
            .iter()
            .find(|link| link.name.as_deref() == Some(name))
            .map(|link| link.hash)
            .ok_or_else(|| ResolveError::NoSuchEntry {
                path: walked.clone(),
                name: name.to_owned(),
            })?;
        if !walked.is_empty() {
            walked.push('/');
        }
        walked.push_str(name);
    }
    Ok(current)
}

/// Returns the bytes of the file at `path` under `root`, every block of it
/// verified (the CAR reader verified them on the way in).
pub fn read_file(car: &impl BlockSource, root: &Cid, path: &str) -> Result<Vec<u8>, ResolveError> {
    let cid = resolve_path(car, root, path)?;
    let mut content = Vec::new();
    append_file(car, &cid, path, &mut content)?;
    Ok(content)
}

fn append_file(
    car: &impl BlockSource,
    cid: &Cid,
    path: &str,
    out: &mut Vec<u8>,
) -> Result<(), ResolveError> {
    match cid.codec() {
        RAW_CODEC => {
            out.extend_from_slice(&fetch(car, cid)?);
            Ok(())
        }
        DAG_PB_CODEC => {
            let (node, data) = decode_dag_pb(car, cid)?;
            match data.node_type {
                NodeType::File | NodeType::Raw => {}
                NodeType::Directory | NodeType::HamtShard => {
                    return Err(ResolveError::IsADirectory {
                        path: path.to_owned(),
                    })
                }
                NodeType::Symlink => {
                    return Err(ResolveError::Unsupported {
                        cid: *cid,
                        kind: "symlink",
                    })
                }
                NodeType::Metadata => {
                    return Err(ResolveError::Unsupported {
                        cid: *cid,
                        kind: "metadata node",
                    })
                }
            }
            let start = out.len();
            if let Some(inline) = &data.data {
                out.extend_from_slice(inline);
            }
            for link in &node.links {
                append_file(car, &link.hash, path, out)?;
            }
            let actual = (out.len() - start) as u64;
            match data.filesize {
                Some(declared) if declared != actual => Err(ResolveError::SizeMismatch {
                    cid: *cid,
                    declared,
                    actual,
                }),
                _ => Ok(()),
            }
        }
        codec => Err(ResolveError::UnknownCodec { cid: *cid, codec }),
    }
}

fn fetch<'a>(source: &'a impl BlockSource, cid: &Cid) -> Result<Cow<'a, [u8]>, ResolveError> {
    source
        .block_bytes(cid)
        .ok_or(ResolveError::MissingBlock(*cid))
}

/// Decodes a dag-pb UnixFS node: its links and its UnixFS data.
pub fn decode_dag_pb(
    car: &impl BlockSource,
    cid: &Cid,
) -> Result<(PbNode, UnixFsData), ResolveError> {
    if cid.codec() != DAG_PB_CODEC {
        return Err(ResolveError::UnknownCodec {
            cid: *cid,
            codec: cid.codec(),
        });
    }
    let bytes = fetch(car, cid)?;
    let node =
        PbNode::decode(&bytes).map_err(|source| ResolveError::DagPb { cid: *cid, source })?;
    let data = UnixFsData::decode(node.data.as_deref().unwrap_or_default())
        .map_err(|source| ResolveError::UnixFs { cid: *cid, source })?;
    Ok((node, data))
}
