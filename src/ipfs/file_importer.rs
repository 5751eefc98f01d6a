//! Streaming UnixFS file import: fixed-size raw leaves under a balanced tree
//! of dag-pb branches, emitting blocks as soon as they are final.
//!
//! The tree shape and the block order reproduce @ipld/unixfs 3.0 (the engine
//! inside ipfs-car 2.x and 3.x) reading a file one chunk at a time, so a CAR
//! we write is byte-identical to ipfs-car's. Memory holds one partial chunk
//! plus the links of the tree's open frontier, never the whole file.

use std::collections::{HashMap, VecDeque};

use cid::Cid;

use super::block::{Block, DAG_PB_CODEC, RAW_CODEC};
use super::dag_pb::{PbLink, PbNode};
use super::profile::ImportProfile;
use super::unixfs::UnixFsData;

/// A finished sub-DAG, as its parent links to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DagLink {
    pub cid: Cid,
    /// File bytes under this node.
    pub content_size: u64,
    /// Encoded bytes of every block under and including this node (a link's
    /// Tsize).
    pub dag_size: u64,
}

type NodeId = u64;

struct Branch {
    id: NodeId,
    children: Vec<NodeId>,
}

/// A leaf's content: bytes to hash here, or a leaf hashed elsewhere (the
/// browser hashes with WebCrypto) known by its position in the file.
enum LeafContent {
    Bytes(Vec<u8>),
    Hashed { index: u64, link: DagLink },
}

enum Work {
    Leaf { id: NodeId, content: LeafContent },
    Branch(Branch),
}

/// What an import produces, in CAR order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Emitted {
    Block(Block),
    /// The leaf at this chunk index (hashed by the caller) goes here.
    HashedLeaf {
        index: u64,
        cid: Cid,
        size: u64,
    },
}

pub struct FileImporter {
    profile: ImportProfile,
    /// Bytes received that do not yet fill a chunk.
    partial_chunk: Vec<u8>,
    /// The first chunk is held back: if no second one comes, it is the whole
    /// file and becomes the root by itself.
    head: Option<LeafContent>,
    /// Leaves not yet placed under a branch.
    open_leaves: Vec<NodeId>,
    /// Branches not yet placed under a parent, one row per tree level.
    open_branches: Vec<Vec<NodeId>>,
    last_id: NodeId,
    /// Links of finished nodes whose parent is not encoded yet.
    finished: HashMap<NodeId, DagLink>,
}

impl FileImporter {
    pub fn new(profile: ImportProfile) -> Self {
        Self {
            profile,
            partial_chunk: Vec::with_capacity(profile.chunk_size),
            head: None,
            open_leaves: Vec::new(),
            open_branches: Vec::new(),
            last_id: 0,
            finished: HashMap::new(),
        }
    }

    /// Feeds the next bytes of the file, in slices of any size, and appends
    /// every block that became final to `out`.
    pub fn write(&mut self, mut bytes: &[u8], out: &mut Vec<Block>) {
        let mut emitted = Vec::new();
        while !bytes.is_empty() {
            let wanted = self.profile.chunk_size - self.partial_chunk.len();
            let taken = wanted.min(bytes.len());
            self.partial_chunk.extend_from_slice(&bytes[..taken]);
            bytes = &bytes[taken..];
            if self.partial_chunk.len() == self.profile.chunk_size {
                let chunk = std::mem::replace(
                    &mut self.partial_chunk,
                    Vec::with_capacity(self.profile.chunk_size),
                );
                let (leaves, branches) = self.place_chunk(Some(LeafContent::Bytes(chunk)));
                self.encode(leaves, branches, &mut emitted);
            }
        }
        out.extend(emitted.into_iter().map(Emitted::into_block));
    }

    /// Adds the next leaf, already hashed by the caller: `index` is its chunk
    /// number, and every leaf but the last must be exactly one chunk long.
    /// Do not mix with [`FileImporter::write`] in one file.
    pub fn push_hashed_leaf(&mut self, index: u64, cid: Cid, size: u64, out: &mut Vec<Emitted>) {
        debug_assert!(
            self.partial_chunk.is_empty(),
            "hashed leaves and bytes do not mix"
        );
        let link = DagLink {
            cid,
            content_size: size,
            dag_size: size,
        };
        let (leaves, branches) = self.place_chunk(Some(LeafContent::Hashed { index, link }));
        self.encode(leaves, branches, out);
    }

    /// Ends the file: appends the remaining blocks, the root last, and
    /// returns the root's link.
    pub fn finish(self, out: &mut Vec<Block>) -> DagLink {
        let mut emitted = Vec::new();
        let root = self.finish_emitting(&mut emitted);
        out.extend(emitted.into_iter().map(Emitted::into_block));
        root
    }

    /// [`FileImporter::finish`] for files imported with hashed leaves.
    pub fn finish_emitting(mut self, out: &mut Vec<Emitted>) -> DagLink {
        let last_chunk = Some(std::mem::take(&mut self.partial_chunk))
            .filter(|c| !c.is_empty())
            .map(LeafContent::Bytes);
        let (mut leaves, mut branches) = self.place_chunk(last_chunk);

        let root_id = if let Some(content) = self.head.take() {
            // A one-chunk file is its raw leaf.
            let id = self.next_id();
            leaves.push(Work::Leaf { id, content });
            id
        } else if self.open_leaves.is_empty() {
            // An empty file is an empty raw leaf.
            let id = self.next_id();
            leaves.push(Work::Leaf {
                id,
                content: LeafContent::Bytes(Vec::new()),
            });
            id
        } else {
            self.flush(&mut branches, true);
            let top = self
                .open_branches
                .last()
                .expect("flush made at least one row")
                .clone();
            if top.len() == 1 {
                branches.last().expect("flush made the top node").id
            } else {
                let root = Branch {
                    id: self.next_id(),
                    children: top,
                };
                let id = root.id;
                branches.push(root);
                id
            }
        };

        self.encode(leaves, branches, out);
        self.finished
            .remove(&root_id)
            .expect("the root is encoded once all its children are")
    }

    fn next_id(&mut self) -> NodeId {
        self.last_id += 1;
        self.last_id
    }

    /// Places a chunk in the layout, returning the leaves and branches it
    /// created, in creation order.
    fn place_chunk(&mut self, chunk: Option<LeafContent>) -> (Vec<Work>, Vec<Branch>) {
        let mut leaves = Vec::new();
        let mut branches = Vec::new();
        let Some(chunk) = chunk else {
            return (leaves, branches);
        };
        if self.head.is_none() && self.open_leaves.is_empty() {
            self.head = Some(chunk);
            return (leaves, branches);
        }
        for content in self.head.take().into_iter().chain([chunk]) {
            let id = self.next_id();
            self.open_leaves.push(id);
            leaves.push(Work::Leaf { id, content });
        }
        if self.open_leaves.len() > self.profile.max_links {
            self.flush(&mut branches, false);
        }
        (leaves, branches)
    }

    /// Groups open nodes under new branches: full groups only while the file
    /// is being written, everything but the top row once it is closed.
    fn flush(&mut self, branches: &mut Vec<Branch>, closing: bool) {
        let width = self.profile.max_links;
        while self.open_leaves.len() > width || (closing && !self.open_leaves.is_empty()) {
            let children = take_front(&mut self.open_leaves, width);
            let id = self.next_id();
            grow_rows(&mut self.open_branches, 1);
            self.open_branches[0].push(id);
            branches.push(Branch { id, children });
        }
        let mut depth = 0;
        while depth < self.open_branches.len() {
            let row = depth;
            depth += 1;
            // The row count is read afresh on each pass: promoting nodes may
            // add the row above, as in the reference layout.
            while self.open_branches[row].len() > width
                || (closing
                    && !self.open_branches[row].is_empty()
                    && depth < self.open_branches.len())
            {
                let children = take_front(&mut self.open_branches[row], width);
                let id = self.next_id();
                grow_rows(&mut self.open_branches, depth + 1);
                self.open_branches[depth].push(id);
                branches.push(Branch { id, children });
            }
        }
    }

    /// Encodes new nodes in the reference's order: the new leaves, then the
    /// branches whose children were already final, then each branch as soon
    /// as its last child is final (first come, first served).
    fn encode(&mut self, leaves: Vec<Work>, branches: Vec<Branch>, out: &mut Vec<Emitted>) {
        let mut queue: VecDeque<Work> = leaves.into();
        let mut waiting: Vec<(Branch, usize)> = Vec::new();
        for branch in branches {
            let missing = branch
                .children
                .iter()
                .filter(|child| !self.finished.contains_key(child))
                .count();
            if missing == 0 {
                queue.push_back(Work::Branch(branch));
            } else {
                waiting.push((branch, missing));
            }
        }
        while let Some(work) = queue.pop_front() {
            let (id, emitted, link) = match work {
                Work::Leaf {
                    id,
                    content: LeafContent::Bytes(content),
                } => {
                    let size = content.len() as u64;
                    let block = Block::new(RAW_CODEC, content);
                    let link = DagLink {
                        cid: block.cid,
                        content_size: size,
                        dag_size: size,
                    };
                    (id, Emitted::Block(block), link)
                }
                Work::Leaf {
                    id,
                    content: LeafContent::Hashed { index, link },
                } => {
                    let emitted = Emitted::HashedLeaf {
                        index,
                        cid: link.cid,
                        size: link.content_size,
                    };
                    (id, emitted, link)
                }
                Work::Branch(branch) => {
                    let (block, link) = self.encode_branch(&branch.children);
                    (branch.id, Emitted::Block(block), link)
                }
            };
            out.push(emitted);
            self.finished.insert(id, link);
            if let Some(position) = waiting
                .iter()
                .position(|(branch, _)| branch.children.contains(&id))
            {
                waiting[position].1 -= 1;
                if waiting[position].1 == 0 {
                    let (branch, _) = waiting.remove(position);
                    queue.push_back(Work::Branch(branch));
                }
            }
        }
        debug_assert!(waiting.is_empty(), "every branch's children were encoded");
    }

    fn encode_branch(&mut self, children: &[NodeId]) -> (Block, DagLink) {
        let parts: Vec<DagLink> = children
            .iter()
            .map(|child| self.finished.remove(child).expect("children are final"))
            .collect();
        let node = PbNode {
            links: parts
                .iter()
                .map(|part| PbLink {
                    hash: part.cid,
                    name: Some(String::new()),
                    tsize: Some(part.dag_size),
                })
                .collect(),
            data: Some(
                UnixFsData::file_of_parts(parts.iter().map(|part| part.content_size).collect())
                    .encode(),
            ),
        };
        let block = Block::new(DAG_PB_CODEC, node.encode());
        let link = DagLink {
            cid: block.cid,
            content_size: parts.iter().map(|part| part.content_size).sum(),
            dag_size: block.bytes.len() as u64
                + parts.iter().map(|part| part.dag_size).sum::<u64>(),
        };
        (block, link)
    }
}

impl Emitted {
    fn into_block(self) -> Block {
        match self {
            Emitted::Block(block) => block,
            Emitted::HashedLeaf { .. } => unreachable!("byte input never yields hashed leaves"),
        }
    }
}

fn take_front(row: &mut Vec<NodeId>, width: usize) -> Vec<NodeId> {
    let count = width.min(row.len());
    row.drain(..count).collect()
}

fn grow_rows(rows: &mut Vec<Vec<NodeId>>, length: usize) {
    while rows.len() < length {
        rows.push(Vec::new());
    }
}

/// Imports bytes already in memory; convenient for small files and tests.
pub fn import_bytes(profile: ImportProfile, content: &[u8]) -> (DagLink, Vec<Block>) {
    let mut importer = FileImporter::new(profile);
    let mut blocks = Vec::new();
    importer.write(content, &mut blocks);
    let root = importer.finish(&mut blocks);
    (root, blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfs::profile::NFT_STORAGE;

    const TINY: ImportProfile = ImportProfile {
        name: "tiny",
        chunk_size: 4,
        max_links: 3,
        ..NFT_STORAGE
    };

    #[test]
    fn one_chunk_file_is_its_raw_leaf() {
        let (root, blocks) = import_bytes(NFT_STORAGE, &[21, 31]);
        assert_eq!(
            root.cid.to_string(),
            "bafkreifidl2jnal7ycittjrnbki6jasdxwwvpf7fj733vnyhidtusxby4y"
        );
        assert_eq!(blocks.len(), 1);
        assert_eq!(root.dag_size, 2);
    }

    #[test]
    fn empty_file_is_the_empty_raw_block() {
        let (root, blocks) = import_bytes(NFT_STORAGE, &[]);
        assert_eq!(
            root.cid.to_string(),
            "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
        );
        assert_eq!(blocks.len(), 1);
    }

    #[test]
    fn slicing_of_the_input_does_not_change_the_result() {
        let content: Vec<u8> = (0..=255u8).cycle().take(97).collect();
        let (whole, whole_blocks) = import_bytes(TINY, &content);
        for slice in [1, 3, 5, 64] {
            let mut importer = FileImporter::new(TINY);
            let mut blocks = Vec::new();
            for piece in content.chunks(slice) {
                importer.write(piece, &mut blocks);
            }
            assert_eq!(importer.finish(&mut blocks), whole);
            assert_eq!(blocks, whole_blocks, "slice size {slice}");
        }
    }

    #[test]
    fn leaves_hashed_elsewhere_give_the_same_dag_and_order() {
        use crate::ipfs::block::cid_v1_sha256;
        let content: Vec<u8> = (0..=255u8).cycle().take(4 * 13 + 2).collect();
        let (whole, whole_blocks) = import_bytes(TINY, &content);
        let mut importer = FileImporter::new(TINY);
        let mut emitted = Vec::new();
        for (index, chunk) in content.chunks(TINY.chunk_size).enumerate() {
            let cid = cid_v1_sha256(RAW_CODEC, chunk);
            importer.push_hashed_leaf(index as u64, cid, chunk.len() as u64, &mut emitted);
        }
        assert_eq!(importer.finish_emitting(&mut emitted), whole);
        let rebuilt: Vec<Block> = emitted
            .into_iter()
            .map(|item| match item {
                Emitted::Block(block) => block,
                Emitted::HashedLeaf { index, .. } => {
                    let start = index as usize * TINY.chunk_size;
                    let end = (start + TINY.chunk_size).min(content.len());
                    Block::new(RAW_CODEC, content[start..end].to_vec())
                }
            })
            .collect();
        assert_eq!(rebuilt, whole_blocks);
    }

    #[test]
    fn root_is_the_last_block_and_sizes_add_up() {
        let content = vec![7u8; 4 * 10 + 1];
        let (root, blocks) = import_bytes(TINY, &content);
        assert_eq!(blocks.last().unwrap().cid, root.cid);
        assert_eq!(root.content_size, content.len() as u64);
        let total: u64 = blocks.iter().map(|b| b.bytes.len() as u64).sum();
        assert_eq!(root.dag_size, total);
    }

    #[test]
    fn full_groups_are_emitted_after_the_next_leaf() {
        // 4 leaves with width 3: leaves 1-3, leaf 4, branch(1-3), branch(4), root.
        let content: Vec<u8> = (0..16).collect();
        let (_, blocks) = import_bytes(TINY, &content);
        let codecs: Vec<u64> = blocks.iter().map(|b| b.cid.codec()).collect();
        assert_eq!(
            codecs,
            vec![
                RAW_CODEC,
                RAW_CODEC,
                RAW_CODEC,
                RAW_CODEC,
                DAG_PB_CODEC,
                DAG_PB_CODEC,
                DAG_PB_CODEC
            ]
        );
    }
}
