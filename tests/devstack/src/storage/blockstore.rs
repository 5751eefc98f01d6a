//! Blocks on disk, one file per CID. Only verified blocks are written, so
//! reads need no second check.

use std::borrow::Cow;
use std::fs;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use minty::ipfs::resolve::BlockSource;
use minty::ipfs::{Block, Cid};

/// Numbers each write's temporary file: concurrent uploads often carry the
/// same blocks, and writers sharing one temporary file truncate each other's
/// bytes and lose the rename race.
static NEXT_TEMPORARY: AtomicU64 = AtomicU64::new(0);

pub struct Blockstore {
    directory: PathBuf,
}

impl Blockstore {
    pub fn open(directory: PathBuf) -> io::Result<Self> {
        fs::create_dir_all(&directory)?;
        Ok(Self { directory })
    }

    fn path_of(&self, cid: &Cid) -> PathBuf {
        self.directory.join(cid.to_string())
    }

    pub fn has(&self, cid: &Cid) -> bool {
        self.path_of(cid).exists()
    }

    /// The block's size without reading it.
    pub fn block_size(&self, cid: &Cid) -> Option<u64> {
        fs::metadata(self.path_of(cid)).ok().map(|meta| meta.len())
    }

    /// Stores a block; writing through a temporary file keeps a crash from
    /// leaving a truncated block under its CID.
    pub fn put(&self, block: &Block) -> io::Result<()> {
        let path = self.path_of(&block.cid);
        if path.exists() {
            return Ok(());
        }
        let temporary = path.with_extension(format!(
            "partial-{}-{}",
            std::process::id(),
            NEXT_TEMPORARY.fetch_add(1, Ordering::Relaxed)
        ));
        fs::write(&temporary, &block.bytes)?;
        fs::rename(&temporary, &path)
    }

    pub fn put_all<'a>(&self, blocks: impl IntoIterator<Item = &'a Block>) -> io::Result<()> {
        blocks.into_iter().try_for_each(|block| self.put(block))
    }
}

impl BlockSource for Blockstore {
    fn block_bytes(&self, cid: &Cid) -> Option<Cow<'_, [u8]>> {
        fs::read(self.path_of(cid)).ok().map(Cow::Owned)
    }
}
