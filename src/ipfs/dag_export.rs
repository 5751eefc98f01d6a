//! Exporting whole DAGs, as `ipfs dag export` does, from blocks fetched one
//! at a time from an untrusted gateway: every block under each root
//! (directory nodes, file nodes, leaves), depth first, each once and each
//! checked against its CID, within budgets.
//!
//! As in `verified_read`, this is the state of a loop that lives in the
//! browser shell: [`DagExport::step`] names the block to fetch next or hands
//! over the next block to write, and [`DagExport::supply`] takes one in.
//!
//! Declared sizes bound the walk. A dag-pb link's Tsize counts the bytes of
//! every block below it (the link's block included), so a root's block plus
//! its links' Tsize is what the whole DAG claims to hold: it must fit the
//! budget before anything below the root is fetched, and no block may turn
//! out to hold, with what it links to, more than its parent declared for
//! it. A DAG that lies about its size is refused at the first block that
//! gives the lie away, and blocks listed many times are fetched once, so
//! the DAG bombs of `file_reader` cost an archive two blocks.

use std::collections::{HashMap, HashSet, VecDeque};

use cid::Cid;
use thiserror::Error;

use super::block::{verify_block, Block, BlockError, DAG_PB_CODEC, IDENTITY_CODE, RAW_CODEC};
use super::dag_pb::{DagPbError, PbNode};
use super::file_reader::ReadBudget;
use super::unixfs::{NodeType, UnixFsData};
use super::verified_read::MAX_BLOCK_BYTES;

/// Why a DAG was not exported.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExportError {
    #[error(transparent)]
    Altered(#[from] BlockError),
    #[error("block {cid} is {size} bytes, more than the {MAX_BLOCK_BYTES} a block may hold")]
    BlockTooLarge { cid: Cid, size: usize },
    #[error("block {cid} is not valid dag-pb: {source}")]
    DagPb { cid: Cid, source: DagPbError },
    #[error("block {cid} uses codec 0x{codec:x}, which is not UnixFS")]
    UnknownCodec { cid: Cid, codec: u64 },
    #[error("the DAG reached through {cid} holds at least {size} bytes, more than the {limit} an archive takes")]
    TooLarge { cid: Cid, size: u64, limit: u64 },
    #[error("block {cid} and the blocks it links to hold {actual} bytes, more than the {declared} declared for them")]
    MoreThanDeclared {
        cid: Cid,
        declared: u64,
        actual: u64,
    },
    #[error(
        "block {cid} lies more than {limit} levels below its root, deeper than an archive goes"
    )]
    TooDeep { cid: Cid, limit: usize },
    #[error("the DAG links to more than {limit} blocks, more than an archive takes")]
    TooManyLinks { limit: usize },
}

/// The bytes of every block of a DAG, as its root declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeclaredSize {
    pub bytes: u64,
    /// False when a link declares no Tsize: `bytes` is then only a floor.
    pub complete: bool,
}

impl DeclaredSize {
    /// The size of several DAGs together.
    pub fn sum(sizes: impl IntoIterator<Item = DeclaredSize>) -> DeclaredSize {
        sizes.into_iter().fold(
            DeclaredSize {
                bytes: 0,
                complete: true,
            },
            |total, size| DeclaredSize {
                bytes: total.bytes.saturating_add(size.bytes),
                complete: total.complete && size.complete,
            },
        )
    }
}

/// What the DAG under `cid` declares it holds, from its root block alone
/// (checked by the caller): a raw block is itself; a dag-pb node is itself
/// plus its links' Tsize, or, when a link has none, at least itself plus
/// the UnixFS filesize of a file node.
pub fn declared_size(cid: &Cid, bytes: &[u8]) -> Result<DeclaredSize, ExportError> {
    let own = bytes.len() as u64;
    match cid.codec() {
        RAW_CODEC => Ok(DeclaredSize {
            bytes: own,
            complete: true,
        }),
        DAG_PB_CODEC => {
            let node = decode(cid, bytes)?;
            let (linked, complete) = linked_size(&node);
            if complete {
                return Ok(DeclaredSize {
                    bytes: own.saturating_add(linked),
                    complete,
                });
            }
            let filesize = node
                .data
                .as_deref()
                .and_then(|data| UnixFsData::decode(data).ok())
                .filter(|data| data.node_type == NodeType::File)
                .and_then(|data| data.filesize)
                .unwrap_or(0);
            Ok(DeclaredSize {
                bytes: own.saturating_add(linked.max(filesize)),
                complete,
            })
        }
        codec => Err(ExportError::UnknownCodec { cid: *cid, codec }),
    }
}

/// The sum of a node's links' Tsize, and whether every link has one.
fn linked_size(node: &PbNode) -> (u64, bool) {
    node.links.iter().fold((0, true), |(sum, complete), link| {
        (
            sum.saturating_add(link.tsize.unwrap_or(0)),
            complete && link.tsize.is_some(),
        )
    })
}

fn decode(cid: &Cid, bytes: &[u8]) -> Result<PbNode, ExportError> {
    PbNode::decode(bytes).map_err(|source| ExportError::DagPb { cid: *cid, source })
}

/// What the export needs next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportStep {
    /// Fetch this block as a raw block and [`DagExport::supply`] it.
    Fetch(Cid),
    /// Append this block, checked against its CID, to the archive.
    Write(Block),
    /// Every block of every root has been written.
    Done,
}

/// A block the walk has reached but not written.
#[derive(Debug, Clone, Copy)]
struct Pending {
    cid: Cid,
    /// Levels below its root.
    depth: usize,
    /// The most its block and everything below it may hold: the Tsize its
    /// parent declared, or what the parent left over when it declared none;
    /// `None` for a root, which is held to the budget instead.
    allowance: Option<u64>,
}

/// The export of the DAGs under some roots: blocks supplied in any order
/// come out in depth-first order, each once.
#[derive(Debug)]
pub struct DagExport {
    /// The blocks to write, next first.
    pending: VecDeque<Pending>,
    /// Blocks fetched ahead of their turn, checked.
    arrived: HashMap<Cid, Vec<u8>>,
    /// Blocks handed out by [`DagExport::wanted`] and not supplied yet.
    asked: HashSet<Cid>,
    /// Every block queued or written, so that each is written once.
    reached: HashSet<Cid>,
    links: usize,
    written_bytes: u64,
    budget: ReadBudget,
}

impl DagExport {
    /// An export of the DAGs under `roots`, in that order. `budget` bounds
    /// the bytes written, the depth below each root, and the links followed
    /// (which bounds the blocks).
    pub fn new(roots: &[Cid], budget: ReadBudget) -> Self {
        let mut reached = HashSet::new();
        let pending = roots
            .iter()
            .filter(|root| reached.insert(**root))
            .map(|root| Pending {
                cid: *root,
                depth: 0,
                allowance: None,
            })
            .collect();
        Self {
            pending,
            arrived: HashMap::new(),
            asked: HashSet::new(),
            reached,
            links: 0,
            written_bytes: 0,
            budget,
        }
    }

    /// Bytes of the blocks written so far.
    pub fn written_bytes(&self) -> u64 {
        self.written_bytes
    }

    /// The next block to write, or the one to fetch first.
    pub fn step(&mut self) -> Result<ExportStep, ExportError> {
        let Some(next) = self.pending.front().copied() else {
            return Ok(ExportStep::Done);
        };
        let bytes = if next.cid.hash().code() == IDENTITY_CODE {
            // The CID carries its bytes: there is nothing to fetch.
            next.cid.hash().digest().to_vec()
        } else if let Some(bytes) = self.arrived.remove(&next.cid) {
            bytes
        } else {
            return Ok(ExportStep::Fetch(next.cid));
        };
        self.pending.pop_front();
        self.take(next, &bytes)?;
        Ok(ExportStep::Write(Block {
            cid: next.cid,
            bytes,
        }))
    }

    /// Up to `max` blocks to fetch together: `first` (which
    /// [`DagExport::step`] asked for), then the ones to be written after
    /// it. Blocks that arrived ahead count against `max`, so at most `max`
    /// blocks are ever held.
    pub fn wanted(&mut self, first: Cid, max: usize) -> Vec<Cid> {
        let mut wanted = vec![first];
        for pending in &self.pending {
            if self.arrived.len() + wanted.len() >= max {
                break;
            }
            let cid = pending.cid;
            if cid.hash().code() != IDENTITY_CODE
                && !self.arrived.contains_key(&cid)
                && !wanted.contains(&cid)
            {
                wanted.push(cid);
            }
        }
        self.asked.extend(wanted.iter().copied());
        wanted
    }

    /// Keeps `bytes` as block `cid`, which [`DagExport::wanted`] asked
    /// for, if they hash to it; a block not asked for is ignored.
    pub fn supply(&mut self, cid: Cid, bytes: Vec<u8>) -> Result<(), ExportError> {
        if !self.asked.contains(&cid) {
            return Ok(());
        }
        if bytes.len() > MAX_BLOCK_BYTES {
            return Err(ExportError::BlockTooLarge {
                cid,
                size: bytes.len(),
            });
        }
        verify_block(&cid, &bytes)?;
        self.asked.remove(&cid);
        self.arrived.insert(cid, bytes);
        Ok(())
    }

    /// Writes `block`: checks it against what was declared for it and the
    /// budget, and queues what it links to, ahead of what was queued.
    fn take(&mut self, block: Pending, bytes: &[u8]) -> Result<(), ExportError> {
        let cid = block.cid;
        let own = bytes.len() as u64;
        self.written_bytes = self.written_bytes.saturating_add(own);
        let limit = self.budget.max_bytes;
        if self.written_bytes > limit {
            return Err(ExportError::TooLarge {
                cid,
                size: self.written_bytes,
                limit,
            });
        }
        let node = match cid.codec() {
            RAW_CODEC => PbNode::default(),
            DAG_PB_CODEC => decode(&cid, bytes)?,
            codec => return Err(ExportError::UnknownCodec { cid, codec }),
        };
        let (linked, _) = linked_size(&node);
        let declared_here = own.saturating_add(linked);
        let room = match block.allowance {
            None => {
                // A root: what it declares must fit what the budget has left.
                let left = limit - (self.written_bytes - own);
                if declared_here > left {
                    return Err(ExportError::TooLarge {
                        cid,
                        size: declared_here,
                        limit,
                    });
                }
                left
            }
            Some(declared) if declared_here > declared => {
                return Err(ExportError::MoreThanDeclared {
                    cid,
                    declared,
                    actual: declared_here,
                })
            }
            Some(declared) => declared,
        };
        if node.links.is_empty() {
            return Ok(());
        }
        self.links = self.links.saturating_add(node.links.len());
        if self.links > self.budget.max_blocks {
            return Err(ExportError::TooManyLinks {
                limit: self.budget.max_blocks,
            });
        }
        let depth = block.depth + 1;
        // A link without a Tsize may hold what its siblings left over.
        let left_over = room - declared_here;
        let mut children = Vec::new();
        for link in &node.links {
            if !self.reached.insert(link.hash) {
                continue;
            }
            if depth > self.budget.max_depth {
                return Err(ExportError::TooDeep {
                    cid: link.hash,
                    limit: self.budget.max_depth,
                });
            }
            children.push(Pending {
                cid: link.hash,
                depth,
                allowance: Some(link.tsize.unwrap_or(left_over)),
            });
        }
        for child in children.into_iter().rev() {
            self.pending.push_front(child);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfs::dag_pb::PbLink;
    use crate::ipfs::pack::{pack_files, PackedDag};
    use crate::ipfs::profile::NFT_STORAGE;

    const BUDGET: u64 = 64 << 20;

    /// Blocks by CID, standing in for a gateway; it counts what it serves.
    #[derive(Default)]
    struct Gateway {
        blocks: HashMap<Cid, Vec<u8>>,
        served: Vec<Cid>,
    }

    impl Gateway {
        fn of(dags: &[&PackedDag]) -> Self {
            let mut gateway = Gateway::default();
            for dag in dags {
                for block in &dag.blocks {
                    gateway.put(block.clone());
                }
            }
            gateway
        }

        fn put(&mut self, block: Block) -> Cid {
            self.blocks.insert(block.cid, block.bytes);
            block.cid
        }

        fn raw(&mut self, bytes: Vec<u8>) -> Cid {
            self.put(Block::new(RAW_CODEC, bytes))
        }

        /// A dag-pb node over `links` (CID, Tsize), with `data` as its
        /// Data field.
        fn node(&mut self, links: &[(Cid, Option<u64>)], data: Option<Vec<u8>>) -> Cid {
            let node = PbNode {
                links: links
                    .iter()
                    .map(|(hash, tsize)| PbLink {
                        hash: *hash,
                        name: Some(String::new()),
                        tsize: *tsize,
                    })
                    .collect(),
                data,
            };
            self.put(Block::new(DAG_PB_CODEC, node.encode()))
        }

        fn size_of(&self, cid: &Cid) -> u64 {
            self.blocks[cid].len() as u64
        }
    }

    /// The browser's loop, fetching up to `parallel` blocks at once.
    fn export(
        export: &mut DagExport,
        gateway: &mut Gateway,
        parallel: usize,
    ) -> Result<Vec<Block>, ExportError> {
        let mut written = Vec::new();
        loop {
            match export.step()? {
                ExportStep::Done => return Ok(written),
                ExportStep::Write(block) => written.push(block),
                ExportStep::Fetch(cid) => {
                    for cid in export.wanted(cid, parallel) {
                        gateway.served.push(cid);
                        export.supply(cid, gateway.blocks[&cid].clone())?;
                    }
                }
            }
        }
    }

    fn budget(max_bytes: u64) -> ReadBudget {
        ReadBudget::new(max_bytes)
    }

    fn sorted(mut cids: Vec<Cid>) -> Vec<Cid> {
        cids.sort();
        cids
    }

    /// Each block but a root comes after a block that links to it, and
    /// the first root comes first: the depth-first order of `ipfs dag
    /// export`, in which a block both DAGs hold is written where it is
    /// first reached.
    fn assert_depth_first(blocks: &[Block], roots: &[Cid]) {
        assert_eq!(blocks[0].cid, roots[0]);
        let mut reached: HashSet<Cid> = HashSet::new();
        for block in blocks {
            assert!(
                roots.contains(&block.cid) || reached.contains(&block.cid),
                "{} comes before any block that links to it",
                block.cid
            );
            if block.cid.codec() == DAG_PB_CODEC {
                reached.extend(
                    PbNode::decode(&block.bytes)
                        .unwrap()
                        .links
                        .iter()
                        .map(|l| l.hash),
                );
            }
        }
    }

    #[test]
    fn every_block_of_a_file_dag_is_written_once_root_first() {
        let content: Vec<u8> = (0..2_500_000u32).map(|i| (i % 251) as u8).collect();
        let packed = pack_files(NFT_STORAGE, &[("big.bin", content.as_slice())]).unwrap();
        let mut gateway = Gateway::of(&[&packed]);
        let mut walk = DagExport::new(&[packed.root], budget(BUDGET));
        let written = export(&mut walk, &mut gateway, 4).unwrap();
        assert_eq!(
            sorted(written.iter().map(|b| b.cid).collect()),
            sorted(packed.blocks.iter().map(|b| b.cid).collect())
        );
        assert_depth_first(&written, &[packed.root]);
        let total: u64 = packed.blocks.iter().map(|b| b.bytes.len() as u64).sum();
        assert_eq!(walk.written_bytes(), total);
        assert_eq!(
            gateway.served.len(),
            packed.blocks.len(),
            "each fetched once"
        );
    }

    /// A token's metadata directory and its asset directory, as Minty
    /// stores them: two roots, metadata first, and a block both hold
    /// (here, equal 256 KiB chunks) is written once.
    #[test]
    fn two_roots_are_exported_in_order_and_shared_blocks_once() {
        let asset = vec![9u8; 3 * 262_144];
        let asset_dag = pack_files(NFT_STORAGE, &[("art.bin", asset.as_slice())]).unwrap();
        let metadata = [vec![9u8; 262_144].as_slice(), br#"{"name":"x"}"#].concat();
        let metadata_dag = pack_files(NFT_STORAGE, &[("metadata.json", metadata)]).unwrap();
        let mut gateway = Gateway::of(&[&metadata_dag, &asset_dag]);
        let roots = [metadata_dag.root, asset_dag.root];
        let mut walk = DagExport::new(&roots, budget(BUDGET));
        let written = export(&mut walk, &mut gateway, 4).unwrap();
        let cids: Vec<Cid> = written.iter().map(|b| b.cid).collect();
        let mut expected: Vec<Cid> = metadata_dag
            .blocks
            .iter()
            .chain(&asset_dag.blocks)
            .map(|b| b.cid)
            .collect();
        expected.sort();
        expected.dedup();
        assert_eq!(sorted(cids.clone()), expected);
        assert_depth_first(&written, &roots);
        let asset_root_at = cids.iter().position(|cid| *cid == asset_dag.root).unwrap();
        assert!(
            cids[..asset_root_at]
                .iter()
                .all(|cid| metadata_dag.blocks.iter().any(|b| b.cid == *cid)),
            "the metadata's DAG comes whole before the asset's"
        );
    }

    #[test]
    fn a_root_named_twice_is_exported_once() {
        let packed = pack_files(NFT_STORAGE, &[("a", b"x".as_slice())]).unwrap();
        let mut gateway = Gateway::of(&[&packed]);
        let mut walk = DagExport::new(&[packed.root, packed.root], budget(BUDGET));
        assert_eq!(export(&mut walk, &mut gateway, 4).unwrap().len(), 2);
    }

    #[test]
    fn blocks_fetched_ahead_never_exceed_the_window() {
        let content: Vec<u8> = (0..2_500_000u32).map(|i| (i % 13) as u8).collect();
        let packed = pack_files(NFT_STORAGE, &[("big.bin", content.as_slice())]).unwrap();
        let gateway = Gateway::of(&[&packed]);
        let mut walk = DagExport::new(&[packed.root], budget(BUDGET));
        let mut batches = Vec::new();
        loop {
            match walk.step().unwrap() {
                ExportStep::Done => break,
                ExportStep::Write(_) => {}
                ExportStep::Fetch(cid) => {
                    let batch = walk.wanted(cid, 4);
                    batches.push(batch.len());
                    for cid in batch {
                        walk.supply(cid, gateway.blocks[&cid].clone()).unwrap();
                    }
                    assert!(walk.arrived.len() <= 4);
                }
            }
        }
        // The directory, the file's root, then its ten leaves four at a time.
        assert_eq!(batches, [1, 1, 4, 4, 2]);
    }

    #[test]
    fn a_block_that_does_not_match_its_cid_is_refused_naming_it() {
        let packed = pack_files(NFT_STORAGE, &[("a", b"x".as_slice())]).unwrap();
        let mut walk = DagExport::new(&[packed.root], budget(BUDGET));
        assert_eq!(walk.step(), Ok(ExportStep::Fetch(packed.root)));
        assert_eq!(walk.wanted(packed.root, 4), [packed.root]);
        let error = walk.supply(packed.root, b"not it".to_vec()).unwrap_err();
        assert_eq!(
            error,
            ExportError::Altered(BlockError::HashMismatch { cid: packed.root })
        );
        assert!(error.to_string().contains(&packed.root.to_string()));
        // Still wanted: the shell may ask another gateway.
        assert_eq!(walk.step(), Ok(ExportStep::Fetch(packed.root)));
    }

    #[test]
    fn a_block_nobody_asked_for_is_ignored() {
        let packed = pack_files(NFT_STORAGE, &[("a", b"x".as_slice())]).unwrap();
        let stranger = Block::new(RAW_CODEC, b"stranger".to_vec());
        let mut walk = DagExport::new(&[packed.root], budget(BUDGET));
        assert_eq!(walk.supply(stranger.cid, stranger.bytes), Ok(()));
        assert!(walk.arrived.is_empty());
    }

    #[test]
    fn a_bomb_that_declares_its_size_is_refused_at_its_root() {
        // 4,000 links to one 1 MiB leaf, each declaring 1 MiB: 4 GiB.
        let mut gateway = Gateway::default();
        let leaf = gateway.raw(vec![7; 1 << 20]);
        let root = gateway.node(&vec![(leaf, Some(1 << 20)); 4_000], None);
        let mut walk = DagExport::new(&[root], budget(BUDGET));
        let error = export(&mut walk, &mut gateway, 4).unwrap_err();
        assert!(
            matches!(error, ExportError::TooLarge { cid, size, limit: BUDGET } if cid == root && size > 4_000 << 20),
            "{error}"
        );
        assert_eq!(gateway.served, [root], "only the root is fetched");
    }

    #[test]
    fn a_bomb_that_understates_its_size_is_refused_at_its_leaf() {
        // Each link claims one byte; the leaf it names holds 1 MiB.
        let mut gateway = Gateway::default();
        let leaf = gateway.raw(vec![7; 1 << 20]);
        let root = gateway.node(&vec![(leaf, Some(1)); 4_000], None);
        let mut walk = DagExport::new(&[root], budget(BUDGET));
        assert_eq!(
            export(&mut walk, &mut gateway, 4),
            Err(ExportError::MoreThanDeclared {
                cid: leaf,
                declared: 1,
                actual: 1 << 20
            })
        );
        assert_eq!(gateway.served, [root, leaf], "the leaf is fetched once");
    }

    #[test]
    fn a_node_holding_more_than_its_parent_declared_is_refused_before_its_links() {
        let mut gateway = Gateway::default();
        let leaf = gateway.raw(vec![1; 1000]);
        let middle = gateway.node(&[(leaf, Some(1000))], None);
        let root = gateway.node(&[(middle, Some(10))], None);
        let mut walk = DagExport::new(&[root], budget(BUDGET));
        let actual = gateway.size_of(&middle) + 1000;
        assert_eq!(
            export(&mut walk, &mut gateway, 1),
            Err(ExportError::MoreThanDeclared {
                cid: middle,
                declared: 10,
                actual
            })
        );
        assert_eq!(gateway.served, [root, middle]);
    }

    #[test]
    fn a_link_without_tsize_may_hold_only_what_its_parent_left_over() {
        let mut gateway = Gateway::default();
        let big = gateway.raw(vec![1; 5000]);
        let small = gateway.raw(vec![2; 10]);
        // The middle node declares 100 bytes under it, for two links of
        // which one says 10 and the other nothing: that one may hold 90.
        let middle = gateway.node(&[(small, Some(10)), (big, None)], None);
        let middle_size = gateway.size_of(&middle);
        let root = gateway.node(&[(middle, Some(middle_size + 100))], None);
        let mut walk = DagExport::new(&[root], budget(BUDGET));
        assert_eq!(
            export(&mut walk, &mut gateway, 4),
            Err(ExportError::MoreThanDeclared {
                cid: big,
                declared: 90,
                actual: 5000
            })
        );
    }

    #[test]
    fn a_dag_deeper_than_the_depth_cap_is_refused_before_the_too_deep_block() {
        let mut gateway = Gateway::default();
        let mut node = gateway.raw(b"x".to_vec());
        let mut size = 1;
        for _ in 0..40 {
            let parent = gateway.node(&[(node, Some(size))], None);
            size += gateway.size_of(&parent);
            node = parent;
        }
        let mut walk = DagExport::new(&[node], budget(BUDGET));
        assert!(matches!(
            export(&mut walk, &mut gateway, 4),
            Err(ExportError::TooDeep { limit: 32, .. })
        ));
        assert_eq!(gateway.served.len(), 33, "levels 0 to 32");
    }

    #[test]
    fn a_dag_of_too_many_links_is_refused() {
        // 2,000 distinct one-byte leaves under a budget of 1 MiB, which
        // allows one link per 4 KiB.
        let mut gateway = Gateway::default();
        let leaves: Vec<(Cid, Option<u64>)> = (0..2_000u32)
            .map(|i| (gateway.raw(i.to_be_bytes().to_vec()), Some(4)))
            .collect();
        let root = gateway.node(&leaves, None);
        let small = budget(1 << 20);
        let mut walk = DagExport::new(&[root], small);
        assert_eq!(
            export(&mut walk, &mut gateway, 4),
            Err(ExportError::TooManyLinks {
                limit: small.max_blocks
            })
        );
        assert_eq!(gateway.served, [root]);
    }

    #[test]
    fn a_codec_other_than_unixfs_is_refused() {
        let mut gateway = Gateway::default();
        let cbor = gateway.put(Block::new(0x71, vec![0xa0]));
        let root = gateway.node(&[(cbor, Some(1))], None);
        let mut walk = DagExport::new(&[root], budget(BUDGET));
        assert_eq!(
            export(&mut walk, &mut gateway, 4),
            Err(ExportError::UnknownCodec {
                cid: cbor,
                codec: 0x71
            })
        );
    }

    #[test]
    fn the_declared_size_of_a_packed_dag_is_every_byte_of_its_blocks() {
        let content: Vec<u8> = (0..2_500_000u32).map(|i| (i % 7) as u8).collect();
        let packed = pack_files(NFT_STORAGE, &[("big.bin", content.as_slice())]).unwrap();
        let root = packed.blocks.iter().find(|b| b.cid == packed.root).unwrap();
        let total: u64 = packed.blocks.iter().map(|b| b.bytes.len() as u64).sum();
        assert_eq!(
            declared_size(&root.cid, &root.bytes),
            Ok(DeclaredSize {
                bytes: total,
                complete: true
            })
        );
        let leaf = Block::new(RAW_CODEC, vec![0; 10]);
        assert_eq!(declared_size(&leaf.cid, &leaf.bytes).unwrap().bytes, 10);
    }

    #[test]
    fn without_tsize_a_file_node_declares_at_least_its_filesize() {
        let mut data = UnixFsData::file_of_parts(vec![600, 400]);
        data.filesize = Some(1000);
        let mut gateway = Gateway::default();
        let (a, b) = (gateway.raw(vec![1; 600]), gateway.raw(vec![2; 400]));
        let root = gateway.node(&[(a, None), (b, None)], Some(data.encode()));
        let size = declared_size(&root, &gateway.blocks[&root]).unwrap();
        assert_eq!(
            size,
            DeclaredSize {
                bytes: gateway.size_of(&root) + 1000,
                complete: false
            }
        );
        let both = DeclaredSize::sum([
            size,
            DeclaredSize {
                bytes: 5,
                complete: true,
            },
        ]);
        assert_eq!(both.bytes, size.bytes + 5);
        assert!(!both.complete);
    }
}
