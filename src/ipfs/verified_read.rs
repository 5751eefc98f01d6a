//! Reading a file from an untrusted gateway one raw block at a time
//! (`?format=raw`, IPIP-402): every block is checked against its CID before
//! it is kept, and the walk stays within its budgets, so a gateway can
//! neither swap the content nor make the reader fetch without end.
//!
//! The loop that fetches lives in the browser shell; this is its state:
//! [`VerifiedRead::step`] says which block to fetch next, or hands over
//! the file, and [`VerifiedRead::supply`] takes a block in.

use std::borrow::Cow;
use std::collections::HashMap;

use cid::Cid;
use thiserror::Error;

use super::block::{verify_block, BlockError};
use super::file_reader::{FileReader, ReadBudget};
use super::resolve::{BlockSource, ResolveError};
use super::uri::IpfsPath;

/// The largest block a gateway may answer with: the biggest profile's
/// chunk (1 MiB, IPIP-499), plus room for a directory node.
pub const MAX_BLOCK_BYTES: usize = (1 << 20) + 64 * 1024;

/// Blocks fetched beyond the content itself: the path's directories and the
/// tree's own nodes, about 40 bytes a link.
const FETCH_OVERHEAD_BYTES: u64 = 1 << 20;

/// Why a block from the gateway was not taken: the gateway misbehaved, or
/// the DAG makes the reader fetch far more than the file it claims to be.
/// (What the DAG itself gets wrong comes from [`VerifiedRead::step`] as a
/// [`ResolveError`].)
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SupplyError {
    #[error(transparent)]
    Altered(#[from] BlockError),
    #[error("block {cid} is {size} bytes, more than the {MAX_BLOCK_BYTES} a block may hold")]
    BlockTooLarge { cid: Cid, size: usize },
    #[error(
        "reading this file took {fetched} bytes of blocks, more than the {limit} its size allows"
    )]
    FetchedTooMuch { fetched: u64, limit: u64 },
}

/// What the reader needs next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadStep {
    /// Fetch this block as a raw block and [`VerifiedRead::supply`] it.
    Fetch(Cid),
    /// The whole file, every byte of it checked.
    Done(Vec<u8>),
}

/// A file read from blocks supplied one by one. The walk resumes where it
/// stopped after each block, so reading n blocks decodes each once.
#[derive(Debug)]
pub struct VerifiedRead {
    reader: FileReader,
    blocks: VerifiedBlocks,
    max_fetched_bytes: u64,
}

impl VerifiedRead {
    pub fn new(address: IpfsPath, budget: ReadBudget) -> Self {
        Self {
            reader: FileReader::new(address, budget),
            blocks: VerifiedBlocks::default(),
            max_fetched_bytes: budget.max_bytes.saturating_add(FETCH_OVERHEAD_BYTES),
        }
    }

    /// Walks on with the blocks supplied so far.
    pub fn step(&mut self) -> Result<ReadStep, ResolveError> {
        match self.reader.resume(&self.blocks) {
            Ok(bytes) => Ok(ReadStep::Done(bytes)),
            Err(ResolveError::MissingBlock(cid)) => Ok(ReadStep::Fetch(cid)),
            Err(error) => Err(error),
        }
    }

    /// Up to `max` blocks to fetch together: the one [`VerifiedRead::step`]
    /// asked for, then the ones the walk will want after it. Fetching them
    /// in parallel spares a round trip per block; each is still checked by
    /// [`VerifiedRead::supply`] and counted against the fetch budget.
    pub fn wanted(&self, first: Cid, max: usize) -> Vec<Cid> {
        let mut wanted = vec![first];
        wanted.extend(
            self.reader
                .upcoming(&self.blocks, max)
                .into_iter()
                .filter(|cid| *cid != first),
        );
        wanted.truncate(max);
        wanted
    }

    /// Keeps `bytes` as block `cid` if they hash to it and the fetch budget
    /// has room for them.
    pub fn supply(&mut self, cid: Cid, bytes: Vec<u8>) -> Result<(), SupplyError> {
        if bytes.len() > MAX_BLOCK_BYTES {
            return Err(SupplyError::BlockTooLarge {
                cid,
                size: bytes.len(),
            });
        }
        self.blocks.insert(cid, bytes)?;
        if self.blocks.bytes() > self.max_fetched_bytes {
            return Err(SupplyError::FetchedTooMuch {
                fetched: self.blocks.bytes(),
                limit: self.max_fetched_bytes,
            });
        }
        Ok(())
    }
}

/// Blocks fetched one by one from an untrusted source (a gateway's raw
/// block answers), each checked against its CID before it is kept.
#[derive(Debug, Default)]
pub struct VerifiedBlocks {
    blocks: HashMap<Cid, Vec<u8>>,
    bytes: u64,
}

impl VerifiedBlocks {
    /// Keeps `bytes` as block `cid` only if they hash to it.
    pub fn insert(&mut self, cid: Cid, bytes: Vec<u8>) -> Result<(), BlockError> {
        verify_block(&cid, &bytes)?;
        self.bytes += bytes.len() as u64;
        self.blocks.insert(cid, bytes);
        Ok(())
    }

    /// Total bytes held, to cap what a hostile DAG can make us fetch.
    pub fn bytes(&self) -> u64 {
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
    use crate::ipfs::pack::pack_files;
    use crate::ipfs::profile::NFT_STORAGE;
    use crate::ipfs::uri::parse_ipfs_uri;

    /// The browser's loop, with a map standing in for the gateway.
    fn read_all(
        read: &mut VerifiedRead,
        gateway: &HashMap<Cid, Vec<u8>>,
    ) -> (Result<Vec<u8>, ResolveError>, usize) {
        let mut fetches = 0;
        loop {
            match read.step() {
                Ok(ReadStep::Done(bytes)) => return (Ok(bytes), fetches),
                Ok(ReadStep::Fetch(cid)) => {
                    fetches += 1;
                    read.supply(cid, gateway[&cid].clone()).unwrap();
                }
                Err(error) => return (Err(error), fetches),
            }
        }
    }

    /// Each block is asked for once, in walk order, and the walk resumes
    /// where it stopped; the file comes out whole, by its encoded name.
    #[test]
    fn a_file_is_read_block_by_block_as_they_are_fetched() {
        let content: Vec<u8> = (0..600_000u32).map(|i| (i / 7) as u8).collect();
        let packed =
            pack_files(NFT_STORAGE, &[("dir/Artwork #1.json", content.as_slice())]).unwrap();
        let gateway: HashMap<Cid, Vec<u8>> = packed
            .blocks
            .iter()
            .map(|b| (b.cid, b.bytes.clone()))
            .collect();
        let address = IpfsPath::new(packed.root, ["dir", "Artwork #1.json"]).unwrap();
        let parsed = parse_ipfs_uri(&address.to_uri()).unwrap();
        let mut read = VerifiedRead::new(parsed, ReadBudget::new(1 << 20));
        let (bytes, fetches) = read_all(&mut read, &gateway);
        assert_eq!(bytes.unwrap(), content);
        assert_eq!(fetches, packed.blocks.len());
    }

    /// The browser's loop when it fetches up to `parallel` blocks at once.
    fn read_in_batches(
        read: &mut VerifiedRead,
        gateway: &HashMap<Cid, Vec<u8>>,
        parallel: usize,
    ) -> (Vec<u8>, Vec<usize>) {
        let mut batches = Vec::new();
        loop {
            match read.step().unwrap() {
                ReadStep::Done(bytes) => return (bytes, batches),
                ReadStep::Fetch(cid) => {
                    let batch = read.wanted(cid, parallel);
                    batches.push(batch.len());
                    for cid in batch {
                        read.supply(cid, gateway[&cid].clone()).unwrap();
                    }
                }
            }
        }
    }

    /// A 2.5 MB file is a root and ten 256 KiB leaves: after the root, the
    /// leaves come four at a time, and the walk never asks twice.
    #[test]
    fn the_leaves_of_a_node_are_wanted_together_up_to_a_bound() {
        let content: Vec<u8> = (0..2_500_000u32).map(|i| (i % 251) as u8).collect();
        let packed = pack_files(NFT_STORAGE, &[("big.bin", content.as_slice())]).unwrap();
        let gateway: HashMap<Cid, Vec<u8>> = packed
            .blocks
            .iter()
            .map(|b| (b.cid, b.bytes.clone()))
            .collect();
        let address = IpfsPath::new(packed.root, ["big.bin"]).unwrap();
        let mut read = VerifiedRead::new(address, ReadBudget::new(4 << 20));
        let (bytes, batches) = read_in_batches(&mut read, &gateway, 4);
        assert_eq!(bytes, content);
        assert_eq!(batches, [1, 1, 4, 4, 2], "directory, file root, leaves");
        assert_eq!(batches.iter().sum::<usize>(), packed.blocks.len());
    }

    /// Four equal chunks are one leaf listed four times: it is wanted once.
    #[test]
    fn a_leaf_listed_many_times_is_wanted_once() {
        let content = vec![7u8; 4 * 262_144];
        let packed = pack_files(NFT_STORAGE, &[("a", content.as_slice())]).unwrap();
        let gateway: HashMap<Cid, Vec<u8>> = packed
            .blocks
            .iter()
            .map(|b| (b.cid, b.bytes.clone()))
            .collect();
        let mut read = VerifiedRead::new(
            IpfsPath::new(packed.root, ["a"]).unwrap(),
            ReadBudget::new(4 << 20),
        );
        let (bytes, batches) = read_in_batches(&mut read, &gateway, 8);
        assert_eq!(bytes, content);
        assert_eq!(batches, [1, 1, 1], "directory, file root, the one leaf");
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

    #[test]
    fn an_altered_block_stops_the_read() {
        let packed = pack_files(NFT_STORAGE, &[("a", b"x".as_slice())]).unwrap();
        let mut read = VerifiedRead::new(IpfsPath::root(packed.root), ReadBudget::new(100));
        assert_eq!(read.step(), Ok(ReadStep::Fetch(packed.root)));
        assert_eq!(
            read.supply(packed.root, b"not it".to_vec()),
            Err(SupplyError::Altered(BlockError::HashMismatch {
                cid: packed.root
            }))
        );
    }

    #[test]
    fn a_file_larger_than_the_budget_is_refused_at_its_root() {
        let content = vec![1u8; 3 << 20];
        let packed = pack_files(NFT_STORAGE, &[("big.bin", content.as_slice())]).unwrap();
        let gateway: HashMap<Cid, Vec<u8>> = packed
            .blocks
            .iter()
            .map(|b| (b.cid, b.bytes.clone()))
            .collect();
        let address = IpfsPath::new(packed.root, ["big.bin"]).unwrap();
        let mut read = VerifiedRead::new(address, ReadBudget::new(1 << 20));
        let (result, fetches) = read_all(&mut read, &gateway);
        assert!(matches!(
            result,
            Err(ResolveError::TooLarge { size, .. }) if size == 3 << 20
        ));
        assert_eq!(fetches, 2, "the directory and the file's root");
    }

    /// The token page's path into a directory of 1,500 files, a HAMT: the
    /// root, each shard on the way and the file are fetched once each, one
    /// after another, and nothing else is.
    #[test]
    fn a_file_in_a_sharded_directory_is_read_shard_by_shard() {
        let files: Vec<(String, Vec<u8>)> = (0..1_500)
            .map(|i| {
                (
                    format!("art/#{i}.json"),
                    format!("{{\"n\":{i}}}").into_bytes(),
                )
            })
            .collect();
        let packed = pack_files(NFT_STORAGE, &files).unwrap();
        let gateway: HashMap<Cid, Vec<u8>> = packed
            .blocks
            .iter()
            .map(|b| (b.cid, b.bytes.clone()))
            .collect();
        for (path, content) in files.iter().step_by(97) {
            let address = IpfsPath::new(packed.root, path.split('/')).unwrap();
            let parsed = parse_ipfs_uri(&address.to_uri()).unwrap();
            let mut read = VerifiedRead::new(parsed, ReadBudget::new(1 << 20));
            let (bytes, fetches) = read_all(&mut read, &gateway);
            assert_eq!(bytes.as_ref(), Ok(content), "{path}");
            // The root directory, the shards on the way, the file's raw leaf.
            assert!((4..=6).contains(&fetches), "{path}: {fetches} fetches");
        }
    }
}
