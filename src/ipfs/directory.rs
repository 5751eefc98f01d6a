//! UnixFS directories: the flat directory node, and the plan that turns a
//! list of relative file paths into directories, in the order ipfs-car
//! visits them (so the blocks of a CAR follow the reference's order). A
//! directory too large for one node is sharded (`hamt`).

use std::cmp::Ordering;
use std::collections::HashMap;

use cid::Cid;
use thiserror::Error;

use super::block::{Block, DAG_PB_CODEC};
use super::dag_pb::{PbLink, PbNode};
use super::hamt::encode_sharded_directory;
use super::profile::ImportProfile;
use super::unixfs::UnixFsData;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DirectoryError {
    #[error("\"{0}\" cannot be both a file and a directory")]
    FileAndDirectory(String),
    #[error("the path \"{0}\" has an empty name in it")]
    EmptyName(String),
}

/// A named entry of a directory, as its link is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry {
    pub name: String,
    pub cid: Cid,
    pub dag_size: u64,
}

/// Encodes a flat directory. Entries are sorted by the UTF-8 bytes of their
/// names, as dag-pb requires; the sort is stable like the reference's.
pub fn encode_directory(mut entries: Vec<DirectoryEntry>) -> (Block, u64) {
    entries.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let node = PbNode {
        links: entries
            .iter()
            .map(|entry| PbLink {
                hash: entry.cid,
                name: Some(entry.name.clone()),
                tsize: Some(entry.dag_size),
            })
            .collect(),
        data: Some(UnixFsData::directory().encode()),
    };
    let block = Block::new(DAG_PB_CODEC, node.encode());
    let dag_size = block.bytes.len() as u64 + entries.iter().map(|e| e.dag_size).sum::<u64>();
    (block, dag_size)
}

/// One step of packing a directory tree, in the order blocks must be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackStep {
    /// Import the file at this index of the list given to [`DirectoryPlan::new`].
    ImportFile(usize),
    /// All of this directory's entries are done: encode it.
    CloseDirectory(usize),
}

#[derive(Debug, Clone, Copy)]
enum EntryTarget {
    File(usize),
    Directory(usize),
}

#[derive(Debug, Default)]
struct PlannedDirectory {
    /// Entries in insertion order, which decides the order of blocks.
    entries: Vec<(String, EntryTarget)>,
    /// Where each name sits in `entries`, so that planning a directory of
    /// 70,000 files takes linear time.
    positions: HashMap<String, usize>,
    link: Option<(Cid, u64)>,
}

impl PlannedDirectory {
    fn get(&self, name: &str) -> Option<EntryTarget> {
        self.positions.get(name).map(|&index| self.entries[index].1)
    }

    /// Adds `name`, or points it elsewhere in the place it already has, as
    /// a JavaScript Map's `set` does.
    fn set(&mut self, name: &str, target: EntryTarget) {
        match self.positions.get(name) {
            Some(&index) => self.entries[index].1 = target,
            None => {
                self.positions.insert(name.to_owned(), self.entries.len());
                self.entries.push((name.to_owned(), target));
            }
        }
    }
}

/// Turns relative file paths into a directory tree and walks it depth-first,
/// in the order the paths were given (ipfs-car sorts them first, by UTF-16
/// code units, as JavaScript compares strings: see [`javascript_order`]).
#[derive(Debug)]
pub struct DirectoryPlan {
    profile: ImportProfile,
    directories: Vec<PlannedDirectory>,
    file_links: Vec<Option<(Cid, u64)>>,
}

impl DirectoryPlan {
    /// Directory 0 is the root; no paths make an empty root directory. A
    /// leading empty or "." segment is dropped, as ipfs-car does.
    pub fn new<S: AsRef<str>>(profile: ImportProfile, paths: &[S]) -> Result<Self, DirectoryError> {
        let mut plan = Self {
            profile,
            directories: vec![PlannedDirectory::default()],
            file_links: vec![None; paths.len()],
        };
        for (file_index, path) in paths.iter().enumerate() {
            plan.insert(file_index, path.as_ref())?;
        }
        Ok(plan)
    }

    fn insert(&mut self, file_index: usize, path: &str) -> Result<(), DirectoryError> {
        let mut segments: Vec<&str> = path.split('/').collect();
        if matches!(segments.first(), Some(&"") | Some(&".")) && segments.len() > 1 {
            segments.remove(0);
        }
        if segments.iter().any(|segment| segment.is_empty()) {
            return Err(DirectoryError::EmptyName(path.to_owned()));
        }
        let (file_name, parents) = segments.split_last().expect("split yields a segment");
        let mut directory = 0;
        for (depth, name) in parents.iter().enumerate() {
            directory = match self.directories[directory].get(name) {
                Some(EntryTarget::Directory(child)) => child,
                Some(EntryTarget::File(_)) => {
                    return Err(DirectoryError::FileAndDirectory(
                        parents[..=depth].join("/"),
                    ))
                }
                None => {
                    let child = self.directories.len();
                    self.directories.push(PlannedDirectory::default());
                    self.directories[directory].set(name, EntryTarget::Directory(child));
                    child
                }
            };
        }
        let directory = &mut self.directories[directory];
        if let Some(EntryTarget::Directory(_)) = directory.get(file_name) {
            return Err(DirectoryError::FileAndDirectory(segments.join("/")));
        }
        // A later file of the same name replaces the earlier.
        directory.set(file_name, EntryTarget::File(file_index));
        Ok(())
    }

    /// The steps, in the order the reference produces blocks: each directory
    /// after all of its entries, entries in insertion order.
    pub fn steps(&self) -> Vec<PackStep> {
        let mut steps = Vec::new();
        self.push_steps(0, &mut steps);
        steps
    }

    fn push_steps(&self, directory: usize, steps: &mut Vec<PackStep>) {
        for (_, target) in &self.directories[directory].entries {
            match *target {
                EntryTarget::File(index) => steps.push(PackStep::ImportFile(index)),
                EntryTarget::Directory(child) => self.push_steps(child, steps),
            }
        }
        steps.push(PackStep::CloseDirectory(directory));
    }

    pub fn record_file(&mut self, file_index: usize, cid: Cid, dag_size: u64) {
        self.file_links[file_index] = Some((cid, dag_size));
    }

    /// Encodes a directory whose entries are all done. Returns its blocks
    /// in the order a CAR carries them, the directory's own root last: one
    /// block for a flat directory, every shard of a HAMT for one with more
    /// entries than the profile keeps flat.
    pub fn close_directory(&mut self, directory: usize) -> Vec<Block> {
        let entries: Vec<DirectoryEntry> = self.directories[directory]
            .entries
            .iter()
            .map(|(name, target)| {
                let (cid, dag_size) = match *target {
                    EntryTarget::File(index) => self.file_links[index],
                    EntryTarget::Directory(child) => self.directories[child].link,
                }
                .expect("pack steps run in order, so entries are done first");
                DirectoryEntry {
                    name: name.clone(),
                    cid,
                    dag_size,
                }
            })
            .collect();
        let (blocks, dag_size) = if entries.len() > self.profile.max_flat_directory_entries {
            encode_sharded_directory(&entries)
        } else {
            let (block, dag_size) = encode_directory(entries);
            (vec![block], dag_size)
        };
        let root = blocks.last().expect("a directory has a block").cid;
        self.directories[directory].link = Some((root, dag_size));
        blocks
    }
}

/// How JavaScript's `<` compares two strings (by UTF-16 code units), which
/// is how ipfs-car orders the files it packs.
pub fn javascript_order(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfs::block::RAW_CODEC;
    use crate::ipfs::profile::NFT_STORAGE;
    use crate::ipfs::unixfs::NodeType;

    #[test]
    fn paths_build_nested_directories_closed_after_their_entries() {
        let plan = DirectoryPlan::new(NFT_STORAGE, &["a/b/c.txt", "a/d.txt", "e.txt"]).unwrap();
        assert_eq!(
            plan.steps(),
            vec![
                PackStep::ImportFile(0),
                PackStep::CloseDirectory(2),
                PackStep::ImportFile(1),
                PackStep::CloseDirectory(1),
                PackStep::ImportFile(2),
                PackStep::CloseDirectory(0),
            ]
        );
    }

    #[test]
    fn a_name_cannot_be_file_and_directory() {
        assert_eq!(
            DirectoryPlan::new(NFT_STORAGE, &["a", "a/b"]).unwrap_err(),
            DirectoryError::FileAndDirectory("a".into())
        );
    }

    /// 1,000 entries stay one flat node; the 1,001st makes a HAMT, whose
    /// shards all come before the parent that links to its root.
    #[test]
    fn a_directory_is_sharded_past_the_profiles_flat_limit() {
        let limit = NFT_STORAGE.max_flat_directory_entries;
        for (count, sharded) in [(limit, false), (limit + 1, true)] {
            let paths: Vec<String> = (0..count).map(|i| format!("big/f{i}")).collect();
            let mut plan = DirectoryPlan::new(NFT_STORAGE, &paths).unwrap();
            let leaf = Block::new(RAW_CODEC, vec![1]);
            for index in 0..count {
                plan.record_file(index, leaf.cid, 1);
            }
            let blocks = plan.close_directory(1);
            let root = UnixFsData::decode(
                PbNode::decode(&blocks.last().unwrap().bytes)
                    .unwrap()
                    .data
                    .as_deref()
                    .unwrap(),
            )
            .unwrap();
            let expected = if sharded {
                NodeType::HamtShard
            } else {
                NodeType::Directory
            };
            assert_eq!(root.node_type, expected, "{count} entries");
            assert_eq!(blocks.len() > 1, sharded, "{count} entries");
            let parent = plan.close_directory(0);
            let link = &PbNode::decode(&parent[0].bytes).unwrap().links[0];
            assert_eq!(link.hash, blocks.last().unwrap().cid);
        }
    }

    #[test]
    fn javascript_order_puts_astral_characters_before_late_bmp_ones() {
        let mut paths = vec![
            "\u{FF21}".to_string(),
            "\u{1F600}".to_string(),
            "a".to_string(),
        ];
        paths.sort_by(|a, b| javascript_order(a, b));
        assert_eq!(paths, vec!["a", "\u{1F600}", "\u{FF21}"]);
    }
}
