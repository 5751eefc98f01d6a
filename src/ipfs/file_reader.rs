//! Reassembling a UnixFS file from blocks anyone could have written, within
//! a budget: a walk that can stop at a missing block and resume where it
//! stopped once the block arrives, and that checks every size a node
//! declares before it reads a byte of the parts.
//!
//! Budgets matter because a DAG is cheap to write and dear to read: one
//! dag-pb node with 4,000 links to the same 1 MiB leaf is two blocks and
//! 1.2 MiB, and expands to 4 GiB.

use cid::Cid;

use super::block::{DAG_PB_CODEC, RAW_CODEC};
use super::resolve::{decode_dag_pb, fetch, step_into, BlockSource, ResolveError, Step};
use super::unixfs::NodeType;
use super::uri::IpfsPath;

/// How deep below the root CID a walk goes, path included. Balanced trees
/// of 174 links reach petabytes within 8 levels; 32 leaves room for odd
/// importers and deep directories.
pub const MAX_DAG_DEPTH: usize = 32;

/// Leaves are 256 KiB (Kubo, nft.storage) or 1 MiB (IPIP-499); allowing one
/// block per 4 KiB of the byte budget leaves room for small custom chunkers,
/// while a tree that revisits a tiny leaf runs out long before it costs much.
const MIN_BYTES_PER_BLOCK: u64 = 4096;
/// Room for the path's directories and the tree's own nodes.
const SPARE_BLOCKS: usize = 64;

/// Limits on one read, since anyone can mint a token whose DAG is a bomb.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadBudget {
    /// Bytes of file content at most.
    pub max_bytes: u64,
    /// Levels below the root CID at most, path segments included.
    pub max_depth: usize,
    /// Blocks visited at most, counting a block each time it is visited.
    pub max_blocks: usize,
}

impl ReadBudget {
    /// A budget for files up to `max_bytes`, with the depth cap and a block
    /// count in proportion.
    pub fn new(max_bytes: u64) -> Self {
        let blocks = usize::try_from(max_bytes / MIN_BYTES_PER_BLOCK).unwrap_or(usize::MAX);
        Self {
            max_bytes,
            max_depth: MAX_DAG_DEPTH,
            max_blocks: blocks.saturating_add(SPARE_BLOCKS),
        }
    }
}

/// A part of a file node: where it is and the content bytes its parent
/// says it holds.
#[derive(Debug, Clone, Copy)]
struct Part {
    cid: Cid,
    size: u64,
}

/// Which part of which node a block is, and the size declared for it.
#[derive(Debug, Clone, Copy)]
struct PartOf {
    parent: Cid,
    index: usize,
    size: u64,
}

/// A file node whose parts are being read.
#[derive(Debug)]
struct Frame {
    cid: Cid,
    parts: Vec<Part>,
    next: usize,
    depth: usize,
    /// Content length when this node began, to check what it added.
    start: u64,
    size: u64,
}

/// A file read that survives missing blocks: [`FileReader::resume`] stops
/// with [`ResolveError::MissingBlock`] and keeps its place, so the caller
/// can fetch that one block and resume. Any other error ends the read, and
/// so does handing over the bytes.
#[derive(Debug)]
pub struct FileReader {
    address: IpfsPath,
    budget: ReadBudget,
    /// Path segments already resolved, and the block they lead to.
    resolved: usize,
    current: Step,
    started: bool,
    stack: Vec<Frame>,
    content: Vec<u8>,
    blocks_visited: usize,
}

impl FileReader {
    pub fn new(address: IpfsPath, budget: ReadBudget) -> Self {
        Self {
            current: Step {
                cid: address.cid,
                depth: 0,
            },
            address,
            budget,
            resolved: 0,
            started: false,
            stack: Vec::new(),
            content: Vec::new(),
            blocks_visited: 0,
        }
    }

    /// Walks on from where the last call stopped, with the blocks `source`
    /// has now; returns the file's bytes once every part is read.
    pub fn resume(&mut self, source: &impl BlockSource) -> Result<Vec<u8>, ResolveError> {
        let segments = self.address.segments().len();
        if segments > self.budget.max_depth {
            return Err(ResolveError::TooDeep {
                cid: self.address.cid,
                limit: self.budget.max_depth,
            });
        }
        while self.resolved < segments {
            let walked = &self.address.segments()[..self.resolved];
            let name = &self.address.segments()[self.resolved];
            let next = step_into(source, &self.current, walked, name, self.budget.max_depth)?;
            // Each directory or shard read on the way counts; a step that
            // stopped at a missing shard is walked again, and counted, once
            // the shard has arrived.
            for _ in self.current.depth..next.depth {
                self.count_block()?;
            }
            self.current = next;
            self.resolved += 1;
        }
        if !self.started {
            self.enter(source, self.current.cid, None, self.current.depth)?;
            self.started = true;
        }
        while let Some(frame) = self.stack.last() {
            if let Some(part) = frame.parts.get(frame.next).copied() {
                let part_of = PartOf {
                    parent: frame.cid,
                    index: frame.next,
                    size: part.size,
                };
                let (depth, top) = (frame.depth + 1, self.stack.len() - 1);
                self.enter(source, part.cid, Some(part_of), depth)?;
                self.stack[top].next += 1;
            } else {
                let actual = self.content.len() as u64 - frame.start;
                if actual != frame.size {
                    return Err(ResolveError::SizeMismatch {
                        cid: frame.cid,
                        declared: frame.size,
                        actual,
                    });
                }
                self.stack.pop();
            }
        }
        Ok(std::mem::take(&mut self.content))
    }

    /// Up to `max` blocks the walk needs next that `source` lacks, in walk
    /// order: the parts of the node being read that are not read yet, each
    /// once. A caller may fetch them together; [`FileReader::resume`] still
    /// reads and checks them one by one, in order and within the budget.
    pub fn upcoming(&self, source: &impl BlockSource, max: usize) -> Vec<Cid> {
        let mut wanted: Vec<Cid> = Vec::new();
        let Some(frame) = self.stack.last() else {
            return wanted;
        };
        for part in &frame.parts[frame.next..] {
            if wanted.len() == max {
                break;
            }
            if source.block_bytes(&part.cid).is_none() && !wanted.contains(&part.cid) {
                wanted.push(part.cid);
            }
        }
        wanted
    }

    fn count_block(&mut self) -> Result<(), ResolveError> {
        self.blocks_visited += 1;
        if self.blocks_visited > self.budget.max_blocks {
            return Err(ResolveError::TooManyBlocks {
                limit: self.budget.max_blocks,
            });
        }
        Ok(())
    }

    /// Room for `size` more bytes of content, or the error that says why not.
    fn reserve(&self, size: u64) -> Result<(), ResolveError> {
        let total = (self.content.len() as u64).saturating_add(size);
        if total > self.budget.max_bytes {
            return Err(ResolveError::TooLarge {
                size: total,
                limit: self.budget.max_bytes,
            });
        }
        Ok(())
    }

    /// Reads block `cid` at `depth`: a raw leaf's bytes are appended; a
    /// file node's inline data is appended and its parts are queued.
    /// `part_of` is `None` for the file's root. Nothing changes when the
    /// block is missing, so the walk can resume.
    fn enter(
        &mut self,
        source: &impl BlockSource,
        cid: Cid,
        part_of: Option<PartOf>,
        depth: usize,
    ) -> Result<(), ResolveError> {
        if depth > self.budget.max_depth {
            return Err(ResolveError::TooDeep {
                cid,
                limit: self.budget.max_depth,
            });
        }
        let check_part = |actual: u64| match part_of {
            Some(part) if part.size != actual => Err(ResolveError::PartSizeMismatch {
                cid: part.parent,
                index: part.index,
                declared: part.size,
                actual,
            }),
            _ => Ok(()),
        };
        match cid.codec() {
            RAW_CODEC => {
                let bytes = fetch(source, &cid)?;
                self.count_block()?;
                check_part(bytes.len() as u64)?;
                self.reserve(bytes.len() as u64)?;
                self.content.extend_from_slice(&bytes);
                Ok(())
            }
            DAG_PB_CODEC => {
                let (node, data) = decode_dag_pb(source, &cid)?;
                self.count_block()?;
                match data.node_type {
                    NodeType::File | NodeType::Raw => {}
                    NodeType::Directory | NodeType::HamtShard => {
                        return Err(ResolveError::IsADirectory {
                            path: self.address.segments().join("/"),
                        })
                    }
                    NodeType::Symlink => {
                        return Err(ResolveError::Unsupported {
                            cid,
                            kind: "symlink",
                        })
                    }
                    NodeType::Metadata => {
                        return Err(ResolveError::Unsupported {
                            cid,
                            kind: "metadata node",
                        })
                    }
                }
                // UnixFS: a file node lists one blocksize per link, and its
                // filesize is its own data plus those (specs.ipfs.tech/unixfs).
                if data.blocksizes.len() != node.links.len() {
                    return Err(ResolveError::BlocksizesMismatch {
                        cid,
                        links: node.links.len(),
                        blocksizes: data.blocksizes.len(),
                    });
                }
                let inline = data.data.as_deref().unwrap_or_default();
                let size = data
                    .blocksizes
                    .iter()
                    .fold(inline.len() as u64, |sum, size| sum.saturating_add(*size));
                if let Some(declared) = data.filesize.filter(|declared| *declared != size) {
                    return Err(ResolveError::SizeMismatch {
                        cid,
                        declared,
                        actual: size,
                    });
                }
                check_part(size)?;
                // A link's Tsize counts every encoded byte below it, so it
                // can never be less than the content it holds.
                for (index, (link, content)) in node.links.iter().zip(&data.blocksizes).enumerate()
                {
                    if let Some(tsize) = link.tsize.filter(|tsize| tsize < content) {
                        return Err(ResolveError::TsizeTooSmall {
                            cid,
                            index,
                            tsize,
                            content: *content,
                        });
                    }
                }
                // Refused here, before any part is fetched: a bomb that
                // declares its size costs one block.
                self.reserve(size)?;
                let start = self.content.len() as u64;
                self.content.extend_from_slice(inline);
                self.stack.push(Frame {
                    cid,
                    parts: node
                        .links
                        .iter()
                        .zip(&data.blocksizes)
                        .map(|(link, size)| Part {
                            cid: link.hash,
                            size: *size,
                        })
                        .collect(),
                    next: 0,
                    depth,
                    start,
                    size,
                });
                Ok(())
            }
            codec => Err(ResolveError::UnknownCodec { cid, codec }),
        }
    }
}

/// Returns the bytes of the file at `address`, within `budget`, every
/// block of it from `source` (which verified them).
pub fn read_file(
    source: &impl BlockSource,
    address: &IpfsPath,
    budget: ReadBudget,
) -> Result<Vec<u8>, ResolveError> {
    FileReader::new(address.clone(), budget).resume(source)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfs::dag_pb::PbNode;
    use crate::ipfs::resolve::ResolveError;
    use crate::ipfs::unixfs::UnixFsData;
    use std::borrow::Cow;

    const BUDGET: u64 = 16 << 20;

    fn read(store: &hostile::Store, root: Cid) -> Result<Vec<u8>, ResolveError> {
        read_file(store, &IpfsPath::root(root), ReadBudget::new(BUDGET))
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
        assert_eq!(
            read(&store, root),
            Err(ResolveError::TooLarge {
                size: 4_000 << 20,
                limit: BUDGET
            })
        );
        assert_eq!(store.fetches.get(), 1, "only the root is read");
    }

    #[test]
    fn a_node_that_understates_its_parts_is_refused_at_the_first_part() {
        // The root claims 4,000 bytes, one per link; each link is 1 MiB.
        let mut store = hostile::Store::new(10);
        let leaf = store.raw(vec![7; hostile::MIB]);
        let parts = vec![(leaf, 1, None); 4_000];
        let root = store.file_node(&parts, 4_000);
        assert_eq!(
            read(&store, root),
            Err(ResolveError::PartSizeMismatch {
                cid: root,
                index: 0,
                declared: 1,
                actual: hostile::MIB as u64
            })
        );
        assert_eq!(store.fetches.get(), 2, "the root and one part");
    }

    #[test]
    fn a_file_node_needs_one_blocksize_per_link() {
        let mut store = hostile::Store::new(100);
        let a = store.raw(b"abc".to_vec());
        let b = store.raw(b"de".to_vec());
        let mut data = UnixFsData::file_of_parts(vec![5]);
        data.filesize = Some(5);
        let root = store.file_node_with(&[(a, 5, None), (b, 0, None)], data);
        assert_eq!(
            read(&store, root),
            Err(ResolveError::BlocksizesMismatch {
                cid: root,
                links: 2,
                blocksizes: 1
            })
        );
    }

    #[test]
    fn a_node_whose_filesize_disagrees_with_its_blocksizes_is_refused_unread() {
        let mut store = hostile::Store::new(10);
        let a = store.raw(b"abc".to_vec());
        let b = store.raw(b"de".to_vec());
        let root = store.file_node(&[(a, 3, None), (b, 2, None)], 100);
        assert_eq!(
            read(&store, root),
            Err(ResolveError::SizeMismatch {
                cid: root,
                declared: 100,
                actual: 5
            })
        );
        assert_eq!(store.fetches.get(), 1);
    }

    #[test]
    fn a_file_that_fits_its_budget_exactly_is_read() {
        let mut store = hostile::Store::new(10);
        let root = hostile::bomb(&mut store, 4, 1000);
        let budget = ReadBudget::new(4000);
        assert_eq!(
            read_file(&store, &IpfsPath::root(root), budget),
            Ok(vec![7; 4000])
        );
        let smaller = ReadBudget {
            max_bytes: 3999,
            ..budget
        };
        assert!(matches!(
            read_file(&store, &IpfsPath::root(root), smaller),
            Err(ResolveError::TooLarge { size: 4000, .. })
        ));
    }

    #[test]
    fn a_link_whose_tsize_is_smaller_than_its_part_is_refused() {
        let mut store = hostile::Store::new(100);
        let leaf = store.raw(vec![1; 1000]);
        let root = store.file_node(&[(leaf, 1000, Some(10))], 1000);
        assert_eq!(
            read(&store, root),
            Err(ResolveError::TsizeTooSmall {
                cid: root,
                index: 0,
                tsize: 10,
                content: 1000
            })
        );
    }

    #[test]
    fn a_dag_deeper_than_the_depth_cap_is_refused() {
        let mut store = hostile::Store::new(1_000);
        let mut node = store.raw(b"x".to_vec());
        for _ in 0..40 {
            node = store.file_node(&[(node, 1, Some(1))], 1);
        }
        assert!(matches!(
            read(&store, node),
            Err(ResolveError::TooDeep { limit: 32, .. })
        ));
        assert_eq!(store.fetches.get(), MAX_DAG_DEPTH + 1);
    }

    #[test]
    fn a_dag_that_visits_too_many_blocks_is_refused() {
        // 300 links to a node of 300 links to a 1-byte leaf: 90 KB, all
        // declared honestly, but 90,301 block visits.
        let mut store = hostile::Store::new(20_000);
        let leaf = store.raw(vec![1]);
        let middle = store.file_node(&vec![(leaf, 1, Some(1)); 300], 300);
        let root = store.file_node(&vec![(middle, 300, None); 300], 90_000);
        let limit = ReadBudget::new(BUDGET).max_blocks;
        assert_eq!(
            read(&store, root),
            Err(ResolveError::TooManyBlocks { limit })
        );
        assert_eq!(store.fetches.get(), limit + 1);
    }
}
