//! The storage service's block store under concurrent writers: uploads that
//! share blocks (two tabs, or a retry racing the first attempt) all succeed
//! and leave each block whole.

use std::sync::Barrier;

use minty::ipfs::block::RAW_CODEC;
use minty::ipfs::resolve::BlockSource;
use minty::ipfs::Block;
use minty_devstack::storage::blockstore::Blockstore;

const WRITERS: usize = 4;

#[test]
fn concurrent_puts_of_one_block_all_succeed_and_leave_it_whole() {
    // Large enough that the writers overlap on disk; the race needs all of
    // them past the "already stored?" check before any finishes.
    let block = Block::new(
        RAW_CODEC,
        (0..8_000_000u32).map(|i| (i * 7 + i / 997) as u8).collect(),
    );
    for round in 0..8 {
        let directory = tempfile::tempdir().unwrap();
        let store = Blockstore::open(directory.path().to_owned()).unwrap();
        let start = Barrier::new(WRITERS);

        let results: Vec<std::io::Result<()>> = std::thread::scope(|scope| {
            let writers: Vec<_> = (0..WRITERS)
                .map(|_| {
                    scope.spawn(|| {
                        start.wait();
                        store.put(&block)
                    })
                })
                .collect();
            writers
                .into_iter()
                .map(|writer| writer.join().unwrap())
                .collect()
        });

        for result in &results {
            assert!(result.is_ok(), "round {round}: {result:?}");
        }
        let stored = store.block_bytes(&block.cid).expect("the block is stored");
        assert!(
            *stored == *block.bytes,
            "round {round}: the block is not whole"
        );
        // Nothing but the block itself: no temporary files left behind.
        let entries: Vec<String> = std::fs::read_dir(directory.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(entries, [block.cid.to_string()], "round {round}");
    }
}
