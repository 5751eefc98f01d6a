//! Walking UnixFS directories in verified blocks: where blocks come from,
//! how a path below a CID is followed (through flat directories and HAMT
//! shards), and every way a DAG can fail to add up. Reading a file's bytes
//! is `file_reader`'s job.

use std::borrow::Cow;

use cid::Cid;
use thiserror::Error;

use super::block::DAG_PB_CODEC;
use super::car::Car;
use super::dag_pb::{DagPbError, PbNode};
use super::file_reader::MAX_DAG_DEPTH;
use super::hamt::{ShardLayout, MURMUR3_X64_64};
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
    #[error("block {cid} is not a valid HAMT shard: {problem}")]
    BadShard { cid: Cid, problem: &'static str },
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
/// and returns the CID they name, going at most [`MAX_DAG_DEPTH`] blocks
/// deep (a HAMT adds a level for each shard on the way).
pub fn resolve_path(source: &impl BlockSource, address: &IpfsPath) -> Result<Cid, ResolveError> {
    let segments = address.segments();
    let start = Step {
        cid: address.cid,
        depth: 0,
    };
    let end = segments
        .iter()
        .enumerate()
        .try_fold(start, |current, (walked, name)| {
            step_into(source, &current, &segments[..walked], name, MAX_DAG_DEPTH)
        })?;
    Ok(end.cid)
}

/// A block reached by walking a path: its CID, and how many blocks below
/// the root it lies (every directory and shard on the way counts one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub cid: Cid,
    pub depth: usize,
}

/// The entry `name` of the directory at `directory`, which `walked` led
/// to. A sharded directory is followed shard by shard, but never deeper
/// than `max_depth`, so a hostile chain of shards costs little.
pub(super) fn step_into(
    source: &impl BlockSource,
    directory: &Step,
    walked: &[String],
    name: &str,
    max_depth: usize,
) -> Result<Step, ResolveError> {
    let no_such_entry = || ResolveError::NoSuchEntry {
        path: walked.join("/"),
        name: name.to_owned(),
    };
    let (node, data) = decode_dag_pb(source, &directory.cid)?;
    let entry = match data.node_type {
        NodeType::Directory => node
            .links
            .iter()
            .find(|link| link.name.as_deref() == Some(name))
            .map(|link| link.hash)
            .ok_or_else(no_such_entry)?,
        NodeType::HamtShard => {
            return find_in_shards(source, directory, node, data, name, max_depth)?
                .ok_or_else(no_such_entry)
        }
        _ => {
            return Err(ResolveError::NotADirectory {
                path: walked.join("/"),
                name: name.to_owned(),
            })
        }
    };
    below(directory, entry, max_depth)
}

/// `cid`, one level below `parent`, if that is not too deep.
fn below(parent: &Step, cid: Cid, max_depth: usize) -> Result<Step, ResolveError> {
    let depth = parent.depth + 1;
    if depth > max_depth {
        return Err(ResolveError::TooDeep {
            cid,
            limit: max_depth,
        });
    }
    Ok(Step { cid, depth })
}

/// Looks `name` up in the HAMT whose root shard is `root` (already decoded
/// as `node` and `data`): at each level the name's hash picks a bucket,
/// whose link is either the entry (prefix + name), another entry (so the
/// name is absent), or a sub-shard to read next (the prefix alone).
fn find_in_shards(
    source: &impl BlockSource,
    root: &Step,
    mut node: PbNode,
    mut data: UnixFsData,
    name: &str,
    max_depth: usize,
) -> Result<Option<Step>, ResolveError> {
    let mut shard = *root;
    let mut level = 0;
    loop {
        let layout = shard_layout(&shard.cid, &data)?;
        let bucket = layout.bucket(name, level);
        let mut sub_shard = None;
        for link in &node.links {
            let link_name = link.name.as_deref().unwrap_or_default();
            match layout.split_link_name(link_name) {
                Some((found, rest)) if found == bucket && rest == name => {
                    return below(&shard, link.hash, max_depth).map(Some)
                }
                Some((found, "")) if found == bucket => sub_shard = Some(link.hash),
                _ => {}
            }
        }
        let Some(next) = sub_shard else {
            return Ok(None);
        };
        shard = below(&shard, next, max_depth)?;
        (node, data) = decode_dag_pb(source, &shard.cid)?;
        if data.node_type != NodeType::HamtShard {
            return Err(ResolveError::BadShard {
                cid: shard.cid,
                problem: "a shard links to it as a sub-shard, but it is not one",
            });
        }
        level += 1;
    }
}

/// A directory's entries, by name.
pub type DirectoryListing = Vec<(String, Cid)>;

/// The entries of the directory at `cid`, flat or sharded, in the order its
/// blocks hold them (a HAMT's by bucket, not by name); `None` when `cid` is
/// not a directory. Reads at most `max_blocks` blocks, since a sharded
/// directory can be as many blocks as its maker likes.
pub fn list_directory(
    source: &impl BlockSource,
    cid: &Cid,
    max_blocks: usize,
) -> Result<Option<DirectoryListing>, ResolveError> {
    if cid.codec() != DAG_PB_CODEC {
        return Ok(None);
    }
    let (node, data) = decode_dag_pb(source, cid)?;
    match data.node_type {
        NodeType::Directory => Ok(Some(
            node.links
                .into_iter()
                .map(|link| (link.name.unwrap_or_default(), link.hash))
                .collect(),
        )),
        NodeType::HamtShard => list_shards(source, *cid, node, data, max_blocks).map(Some),
        _ => Ok(None),
    }
}

/// Every entry below the root shard `root`, sub-shards read depth-first in
/// bucket order.
fn list_shards(
    source: &impl BlockSource,
    root: Cid,
    node: PbNode,
    data: UnixFsData,
    max_blocks: usize,
) -> Result<DirectoryListing, ResolveError> {
    let mut entries = Vec::new();
    let mut blocks_read = 1;
    // Shards still to list, each with its links in reverse, so popping
    // walks them in order.
    let mut pending = vec![(root, data, node.links.into_iter().rev().collect::<Vec<_>>())];
    while let Some((cid, data, links)) = pending.last_mut() {
        let Some(link) = links.pop() else {
            pending.pop();
            continue;
        };
        let layout = shard_layout(cid, data)?;
        let link_name = link.name.unwrap_or_default();
        match layout.split_link_name(&link_name) {
            Some((_, "")) => {
                blocks_read += 1;
                if blocks_read > max_blocks {
                    return Err(ResolveError::TooManyBlocks { limit: max_blocks });
                }
                let (node, data) = decode_dag_pb(source, &link.hash)?;
                if data.node_type != NodeType::HamtShard {
                    return Err(ResolveError::BadShard {
                        cid: link.hash,
                        problem: "a shard links to it as a sub-shard, but it is not one",
                    });
                }
                pending.push((link.hash, data, node.links.into_iter().rev().collect()));
            }
            Some((_, name)) => entries.push((name.to_owned(), link.hash)),
            None => {
                return Err(ResolveError::BadShard {
                    cid: *cid,
                    problem: "a link's name does not start with its bucket in hex",
                })
            }
        }
    }
    Ok(entries)
}

/// The bucket layout a shard declares, if this reader can follow it.
fn shard_layout(cid: &Cid, data: &UnixFsData) -> Result<ShardLayout, ResolveError> {
    if data.hash_type != Some(MURMUR3_X64_64) {
        return Err(ResolveError::Unsupported {
            cid: *cid,
            kind: "HAMT shard hashed with something other than murmur3-x64-64",
        });
    }
    data.fanout
        .and_then(ShardLayout::new)
        .ok_or(ResolveError::BadShard {
            cid: *cid,
            problem: "its fanout is missing or not a power of two up to 65,536",
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::collections::HashMap;

    use crate::ipfs::block::{Block, RAW_CODEC};
    use crate::ipfs::dag_pb::PbLink;
    use crate::ipfs::file_reader::{read_file, ReadBudget};
    use crate::ipfs::murmur3::murmur3_x64_64;
    use crate::ipfs::pack::{pack_files, PackedDag};
    use crate::ipfs::profile::NFT_STORAGE;

    /// Blocks by CID, counting how many the walk asks for.
    #[derive(Default)]
    struct Store {
        blocks: HashMap<Cid, Vec<u8>>,
        fetches: Cell<usize>,
    }

    impl Store {
        fn of(packed: &PackedDag) -> Self {
            let mut store = Self::default();
            for block in &packed.blocks {
                store.put(block.clone());
            }
            store
        }

        fn put(&mut self, block: Block) -> Cid {
            self.blocks.insert(block.cid, block.bytes);
            block.cid
        }

        fn shard(&mut self, links: Vec<PbLink>, hash_type: u64) -> Cid {
            let node = PbNode {
                links,
                data: Some(UnixFsData::hamt_shard(vec![1], 256, hash_type).encode()),
            };
            self.put(Block::new(DAG_PB_CODEC, node.encode()))
        }
    }

    impl BlockSource for Store {
        fn block_bytes(&self, cid: &Cid) -> Option<Cow<'_, [u8]>> {
            self.fetches.set(self.fetches.get() + 1);
            self.blocks.get(cid).map(|b| Cow::Borrowed(b.as_slice()))
        }
    }

    fn link(name: &str, hash: Cid) -> PbLink {
        PbLink {
            hash,
            name: Some(name.to_owned()),
            tsize: Some(1),
        }
    }

    /// Two names whose hashes share their first two bytes, so a HAMT puts
    /// them two shards below its root, found by trying names in turn.
    fn names_sharing_two_hash_bytes() -> [String; 2] {
        let mut seen: HashMap<[u8; 2], String> = HashMap::new();
        for i in 0.. {
            let name = format!("deep-{i}.txt");
            let hash = murmur3_x64_64(name.as_bytes());
            if let Some(other) = seen.insert([hash[0], hash[1]], name.clone()) {
                return [other, name];
            }
        }
        unreachable!()
    }

    /// `big/` holds 1,001 entries, one past the flat limit: numbered files,
    /// unicode and hex-looking names, two names that collide deep, and a
    /// subdirectory.
    fn sharded_tree() -> (PackedDag, Vec<(String, Vec<u8>)>) {
        let mut names: Vec<String> = (0..994).map(|i| format!("f{i}")).collect();
        names.extend(["ünïcødé 🎨.png", "0A", "FF", "日本語.txt"].map(String::from));
        names.extend(names_sharing_two_hash_bytes());
        names.push("sub/inner.txt".to_owned());
        let files: Vec<(String, Vec<u8>)> = names
            .into_iter()
            .map(|name| {
                let content = format!("content of {name}").into_bytes();
                (format!("big/{name}"), content)
            })
            .collect();
        (pack_files(NFT_STORAGE, &files).unwrap(), files)
    }

    fn address(root: Cid, path: &str) -> IpfsPath {
        IpfsPath::new(root, path.split('/')).unwrap()
    }

    #[test]
    fn every_entry_of_a_sharded_directory_resolves_and_reads() {
        let (packed, files) = sharded_tree();
        let store = Store::of(&packed);
        for (path, content) in &files {
            let read = read_file(
                &store,
                &address(packed.root, path),
                ReadBudget::new(1 << 20),
            );
            assert_eq!(read.as_ref(), Ok(content), "{path}");
        }
        // The colliding pair sits below two sub-shards: the root directory,
        // three shards, the file.
        let [deep, _] = names_sharing_two_hash_bytes();
        let big = resolve_path(&store, &address(packed.root, "big")).unwrap();
        let root_shard = Step { cid: big, depth: 1 };
        let step = step_into(&store, &root_shard, &["big".into()], &deep, MAX_DAG_DEPTH).unwrap();
        assert!(step.depth >= 4, "{deep} is only {} levels down", step.depth);
    }

    #[test]
    fn a_name_absent_from_a_sharded_directory_is_no_such_entry() {
        let (packed, _) = sharded_tree();
        let store = Store::of(&packed);
        for name in ["missing", "f1000", "0", "0Af0", "ünïcødé", "sub/other"] {
            let path = format!("big/{name}");
            let (parent, last) = path.rsplit_once('/').unwrap();
            assert_eq!(
                resolve_path(&store, &address(packed.root, &path)),
                Err(ResolveError::NoSuchEntry {
                    path: parent.to_owned(),
                    name: last.to_owned()
                }),
                "{name}"
            );
        }
        assert!(matches!(
            read_file(
                &store,
                &address(packed.root, "big"),
                ReadBudget::new(1 << 20)
            ),
            Err(ResolveError::IsADirectory { .. })
        ));
    }

    #[test]
    fn a_sharded_directory_lists_every_entry_within_its_block_limit() {
        let (packed, files) = sharded_tree();
        let store = Store::of(&packed);
        let big = resolve_path(&store, &address(packed.root, "big")).unwrap();
        let listing = list_directory(&store, &big, 1_000).unwrap().unwrap();
        let mut listed: Vec<String> = listing.into_iter().map(|(name, _)| name).collect();
        let mut expected: Vec<String> = files
            .iter()
            .map(|(path, _)| path["big/".len()..].split('/').next().unwrap().to_owned())
            .collect();
        listed.sort();
        expected.sort();
        assert_eq!(listed, expected);
        assert_eq!(
            list_directory(&store, &big, 10),
            Err(ResolveError::TooManyBlocks { limit: 10 })
        );
        let file = resolve_path(&store, &address(packed.root, "big/f1")).unwrap();
        assert_eq!(list_directory(&store, &file, 10), Ok(None));
    }

    /// A hand-made chain of sub-shards, each holding only the next one in
    /// the bucket the name falls in, can be as long as its maker likes.
    #[test]
    fn a_chain_of_shards_deeper_than_the_limit_is_refused_early() {
        let layout = ShardLayout::new(256).unwrap();
        let mut store = Store::default();
        let mut next = store.put(Block::new(RAW_CODEC, b"x".to_vec()));
        let name = "deep.txt";
        next = store.shard(
            vec![link(
                &format!("{}{name}", layout.prefix(layout.bucket(name, 60))),
                next,
            )],
            MURMUR3_X64_64,
        );
        for level in (0..60).rev() {
            let prefix = layout.prefix(layout.bucket(name, level));
            next = store.shard(vec![link(&prefix, next)], MURMUR3_X64_64);
        }
        let result = resolve_path(&store, &IpfsPath::new(next, [name]).unwrap());
        assert!(
            matches!(
                result,
                Err(ResolveError::TooDeep {
                    limit: MAX_DAG_DEPTH,
                    ..
                })
            ),
            "{result:?}"
        );
        // The root and the shards down to the limit; none past it.
        assert_eq!(store.fetches.get(), MAX_DAG_DEPTH + 1);
    }

    #[test]
    fn a_shard_hashed_otherwise_is_unsupported() {
        let mut store = Store::default();
        let leaf = store.put(Block::new(RAW_CODEC, b"x".to_vec()));
        let sha256_shard = store.shard(vec![link("00a", leaf)], 0x12);
        assert!(matches!(
            resolve_path(&store, &IpfsPath::new(sha256_shard, ["a"]).unwrap()),
            Err(ResolveError::Unsupported { cid, .. }) if cid == sha256_shard
        ));
    }

    #[test]
    fn a_sub_shard_that_is_a_flat_directory_is_refused() {
        let layout = ShardLayout::new(256).unwrap();
        let mut store = Store::default();
        let leaf = store.put(Block::new(RAW_CODEC, b"x".to_vec()));
        let flat = PbNode {
            links: vec![link("a", leaf)],
            data: Some(UnixFsData::directory().encode()),
        };
        let flat = store.put(Block::new(DAG_PB_CODEC, flat.encode()));
        let root = store.shard(
            vec![link(&layout.prefix(layout.bucket("a", 0)), flat)],
            MURMUR3_X64_64,
        );
        assert_eq!(
            resolve_path(&store, &IpfsPath::new(root, ["a"]).unwrap()),
            Err(ResolveError::BadShard {
                cid: flat,
                problem: "a shard links to it as a sub-shard, but it is not one"
            })
        );
    }
}
