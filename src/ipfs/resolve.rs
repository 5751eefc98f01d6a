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

/// Blocks fetched one by one from an untrusted source (a gateway's raw
/// block answers), each checked against its CID before it is kept.
#[derive(Debug, Default)]
pub struct VerifiedBlocks {
    blocks: std::collections::HashMap<Cid, Vec<u8>>,
    bytes: usize,
}

impl VerifiedBlocks {
    /// Keeps `bytes` as block `cid` only if they hash to it.
    pub fn insert(&mut self, cid: Cid, bytes: Vec<u8>) -> Result<(), super::block::BlockError> {
        super::block::verify_block(&cid, &bytes)?;
        self.bytes += bytes.len();
        self.blocks.insert(cid, bytes);
        Ok(())
    }

    /// Total bytes held, to cap what a hostile DAG can make us fetch.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl BlockSource for VerifiedBlocks {
    fn block_bytes(&self, cid: &Cid) -> Option<Cow<'_, [u8]>> {
        self.blocks
            .get(cid)
            .map(|bytes| Cow::Borrowed(bytes.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfs::block::BlockError;
    use crate::ipfs::pack::pack_files;
    use crate::ipfs::profile::NFT_STORAGE;

    /// Resolution asks for each missing block in turn; fetching them one by
    /// one (as the browser does from a gateway) ends with the file's bytes.
    #[test]
    fn a_file_is_read_block_by_block_as_they_are_fetched() {
        let content: Vec<u8> = (0..600_000u32).map(|i| (i / 7) as u8).collect();
        let packed = pack_files(NFT_STORAGE, &[("dir/metadata.json", content.as_slice())]).unwrap();
        let all: std::collections::HashMap<Cid, Vec<u8>> = packed
            .blocks
            .iter()
            .map(|b| (b.cid, b.bytes.clone()))
            .collect();
        let mut fetched = VerifiedBlocks::default();
        let mut fetches = 0;
        let bytes = loop {
            match read_file(&fetched, &packed.root, "dir/metadata.json") {
                Ok(bytes) => break bytes,
                Err(ResolveError::MissingBlock(cid)) => {
                    fetches += 1;
                    fetched.insert(cid, all[&cid].clone()).unwrap();
                }
                Err(other) => panic!("{other}"),
            }
        };
        assert_eq!(bytes, content);
        assert_eq!(fetches, packed.blocks.len());
    }

    /// Hand-made DAGs, built with the project's own encoders, to stand in
    /// for what a hostile minter can put in a CAR.
    mod hostile {
        use super::*;
        use crate::ipfs::block::Block;
        use crate::ipfs::dag_pb::PbLink;

        pub const MIB: usize = 1 << 20;

        /// Blocks by CID; panics past `max_fetches` requests, so a walk
        /// that would expand a bomb fails fast instead of eating memory.
        pub struct Store {
            pub blocks: std::collections::HashMap<Cid, Vec<u8>>,
            pub fetches: std::cell::Cell<usize>,
            pub max_fetches: usize,
        }

        impl Store {
            pub fn new(max_fetches: usize) -> Self {
                Self {
                    blocks: Default::default(),
                    fetches: Default::default(),
                    max_fetches,
                }
            }

            pub fn put(&mut self, block: Block) -> Cid {
                self.blocks.insert(block.cid, block.bytes);
                block.cid
            }

            pub fn raw(&mut self, bytes: Vec<u8>) -> Cid {
                self.put(Block::new(RAW_CODEC, bytes))
            }

            /// A UnixFS file node over `parts` (CID, declared blocksize,
            /// Tsize), declaring `filesize`.
            pub fn file_node(&mut self, parts: &[(Cid, u64, Option<u64>)], filesize: u64) -> Cid {
                let mut data = UnixFsData::file_of_parts(parts.iter().map(|p| p.1).collect());
                data.filesize = Some(filesize);
                self.file_node_with(parts, data)
            }

            pub fn file_node_with(
                &mut self,
                parts: &[(Cid, u64, Option<u64>)],
                data: UnixFsData,
            ) -> Cid {
                let node = PbNode {
                    links: parts
                        .iter()
                        .map(|(hash, _, tsize)| PbLink {
                            hash: *hash,
                            name: Some(String::new()),
                            tsize: *tsize,
                        })
                        .collect(),
                    data: Some(data.encode()),
                };
                self.put(Block::new(DAG_PB_CODEC, node.encode()))
            }
        }

        impl BlockSource for Store {
            fn block_bytes(&self, cid: &Cid) -> Option<Cow<'_, [u8]>> {
                self.fetches.set(self.fetches.get() + 1);
                assert!(
                    self.fetches.get() <= self.max_fetches,
                    "the walk asked for more than {} blocks",
                    self.max_fetches
                );
                self.blocks.get(cid).map(|b| Cow::Borrowed(b.as_slice()))
            }
        }

        /// One dag-pb node with `links` links to the same leaf of
        /// `leaf_bytes` bytes, declaring its true size: two blocks that
        /// expand to `links * leaf_bytes`.
        pub fn bomb(store: &mut Store, links: usize, leaf_bytes: usize) -> Cid {
            let leaf = store.raw(vec![7; leaf_bytes]);
            let size = leaf_bytes as u64;
            let parts = vec![(leaf, size, Some(size)); links];
            store.file_node(&parts, size * links as u64)
        }
    }

    #[test]
    fn a_dag_bomb_is_refused_before_its_parts_are_read() {
        // 4,000 links to one 1 MiB leaf: 1 MiB stored, 4 GiB declared.
        let mut store = hostile::Store::new(10);
        let root = hostile::bomb(&mut store, 4_000, hostile::MIB);
        let result = read_file(&store, &root, "");
        assert!(result.is_err(), "the bomb was read");
        assert!(store.fetches.get() <= 2, "{} fetches", store.fetches.get());
    }

    #[test]
    fn a_node_that_understates_its_parts_is_refused_at_the_first_part() {
        // The root claims 4,000 bytes, one per link; each link is 1 MiB.
        let mut store = hostile::Store::new(10);
        let leaf = store.raw(vec![7; hostile::MIB]);
        let parts = vec![(leaf, 1, None); 4_000];
        let root = store.file_node(&parts, 4_000);
        let result = read_file(&store, &root, "");
        assert!(result.is_err(), "the lying node was read");
        assert!(store.fetches.get() <= 3, "{} fetches", store.fetches.get());
    }

    #[test]
    fn a_file_node_needs_one_blocksize_per_link() {
        let mut store = hostile::Store::new(100);
        let a = store.raw(b"abc".to_vec());
        let b = store.raw(b"de".to_vec());
        let mut data = UnixFsData::file_of_parts(vec![5]);
        data.filesize = Some(5);
        let root = store.file_node_with(&[(a, 5, None), (b, 0, None)], data);
        assert!(read_file(&store, &root, "").is_err());
    }

    #[test]
    fn a_link_whose_tsize_is_smaller_than_its_part_is_refused() {
        let mut store = hostile::Store::new(100);
        let leaf = store.raw(vec![1; 1000]);
        let root = store.file_node(&[(leaf, 1000, Some(10))], 1000);
        assert!(read_file(&store, &root, "").is_err());
    }

    #[test]
    fn a_dag_deeper_than_the_depth_cap_is_refused() {
        let mut store = hostile::Store::new(1_000);
        let mut node = store.raw(b"x".to_vec());
        for _ in 0..40 {
            node = store.file_node(&[(node, 1, Some(1))], 1);
        }
        assert!(read_file(&store, &node, "").is_err());
        assert!(store.fetches.get() <= 34, "{} fetches", store.fetches.get());
    }

    #[test]
    fn a_dag_that_visits_too_many_blocks_is_refused() {
        // 300 links to a node of 300 links to a 1-byte leaf: 90 KB, all
        // declared honestly, but 90,301 block visits.
        let mut store = hostile::Store::new(20_000);
        let leaf = store.raw(vec![1]);
        let middle = store.file_node(&vec![(leaf, 1, Some(1)); 300], 300);
        let root = store.file_node(&vec![(middle, 300, None); 300], 90_000);
        assert!(read_file(&store, &root, "").is_err());
    }

    #[test]
    fn a_block_that_does_not_match_its_cid_is_not_kept() {
        let packed = pack_files(NFT_STORAGE, &[("a", b"x".as_slice())]).unwrap();
        let mut fetched = VerifiedBlocks::default();
        assert_eq!(
            fetched.insert(packed.root, b"something else".to_vec()),
            Err(BlockError::HashMismatch { cid: packed.root })
        );
        assert!(fetched.block_bytes(&packed.root).is_none());
    }
}
