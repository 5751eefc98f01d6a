//! Packing whole inputs held in memory: one file (wrapped in a directory to
//! keep its name, or bare) or a set of files under one root directory.
//! Streaming callers drive `FileImporter` and `DirectoryPlan` directly.

use cid::Cid;

use super::block::Block;
use super::car::encode_car;
use super::directory::{DirectoryError, DirectoryPlan, PackStep};
use super::file_importer::import_bytes;
use super::profile::ImportProfile;

/// A DAG's root and its blocks, in the order a CAR carries them (root last).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedDag {
    pub root: Cid,
    pub blocks: Vec<Block>,
}

impl PackedDag {
    pub fn to_car(&self) -> Vec<u8> {
        encode_car(&self.root, &self.blocks)
    }
}

/// Packs one file. With a name it is wrapped in a directory holding just
/// that entry, so `ipfs://<root>/<name>` keeps the file name.
pub fn pack_file(profile: ImportProfile, wrap_as: Option<&str>, content: &[u8]) -> PackedDag {
    match wrap_as {
        None => {
            let (root, blocks) = import_bytes(profile, content);
            PackedDag {
                root: root.cid,
                blocks,
            }
        }
        Some(name) => pack_files(profile, &[(name, content)])
            .expect("a single named file is always a valid directory"),
    }
}

/// Packs files named by relative paths ("a/b.txt") under one root directory,
/// in the order given.
pub fn pack_files<N: AsRef<str>, C: AsRef<[u8]>>(
    profile: ImportProfile,
    files: &[(N, C)],
) -> Result<PackedDag, DirectoryError> {
    let paths: Vec<&str> = files.iter().map(|(name, _)| name.as_ref()).collect();
    let mut plan = DirectoryPlan::new(profile, &paths)?;
    let mut blocks = Vec::new();
    let mut root = None;
    for step in plan.steps() {
        match step {
            PackStep::ImportFile(index) => {
                let (link, file_blocks) = import_bytes(profile, files[index].1.as_ref());
                blocks.extend(file_blocks);
                plan.record_file(index, link.cid, link.dag_size);
            }
            PackStep::CloseDirectory(directory) => {
                let directory_blocks = plan.close_directory(directory);
                root = directory_blocks.last().map(|block| block.cid);
                blocks.extend(directory_blocks);
            }
        }
    }
    Ok(PackedDag {
        root: root.expect("the root directory is always closed last"),
        blocks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfs::car::{Car, CarError};
    use crate::ipfs::file_reader::{read_file, ReadBudget};
    use crate::ipfs::profile::{NFT_STORAGE, UNIXFS_V1_2025};
    use crate::ipfs::resolve::ResolveError;
    use crate::ipfs::uri::IpfsPath;
    use crate::ipfs::BlockError;

    #[test]
    fn wrapped_file_matches_the_reference_vector() {
        let packed = pack_file(NFT_STORAGE, Some("cat0.gif"), &[21, 31]);
        assert_eq!(
            packed.root.to_string(),
            "bafybeiaoz5wvk3vt6qa5u4hz7zx6b2u4j3ieajpmrrwdpreq3u5iygqzdy"
        );
    }

    #[test]
    fn directory_of_two_files_matches_the_reference_vector() {
        for profile in [NFT_STORAGE, UNIXFS_V1_2025] {
            let packed =
                pack_files(profile, &[("cat0.gif", [21u8, 31]), ("cat1.gif", [41, 51])]).unwrap();
            assert_eq!(
                packed.root.to_string(),
                "bafybeidwuiczcdtqsyqln5fgifl3fbblpclb573ltn4id5w5woffucor5a"
            );
        }
    }

    #[test]
    fn entry_order_does_not_change_the_directory_cid() {
        let forward = pack_files(NFT_STORAGE, &[("a", b"1"), ("b", b"2")]).unwrap();
        let backward = pack_files(NFT_STORAGE, &[("b", b"2"), ("a", b"1")]).unwrap();
        assert_eq!(forward.root, backward.root);
    }

    #[test]
    fn a_file_comes_back_out_of_its_car_by_path() {
        let content: Vec<u8> = (0..700_000u32).map(|i| (i % 251) as u8).collect();
        let packed = pack_files(
            NFT_STORAGE,
            &[
                ("art/big.bin", content.as_slice()),
                ("art/ünïcødé.txt", b"hi".as_slice()),
            ],
        )
        .unwrap();
        let car = Car::read(&packed.to_car()).unwrap();
        let read = |segments: &[&str]| {
            let address = IpfsPath::new(packed.root, segments.iter().copied()).unwrap();
            read_file(&car, &address, ReadBudget::new(1 << 20))
        };
        assert_eq!(read(&["art", "big.bin"]).unwrap(), content);
        assert_eq!(read(&["art", "ünïcødé.txt"]).unwrap(), b"hi");
        assert!(matches!(
            read(&["art", "missing"]),
            Err(ResolveError::NoSuchEntry { name, .. }) if name == "missing"
        ));
        assert!(matches!(
            read(&["art"]),
            Err(ResolveError::IsADirectory { .. })
        ));
    }

    #[test]
    fn a_missing_block_is_named() {
        // Distinct chunks, so no other block shares the dropped one's CID.
        let content: Vec<u8> = (0..600_000u32).map(|i| (i / 1000) as u8).collect();
        let mut packed = pack_file(NFT_STORAGE, Some("f"), &content);
        let dropped = packed.blocks.remove(1).cid;
        let car = Car::read(&packed.to_car()).unwrap();
        let address = IpfsPath::new(packed.root, ["f"]).unwrap();
        match read_file(&car, &address, ReadBudget::new(1 << 20)) {
            Err(ResolveError::MissingBlock(cid)) => assert_eq!(cid, dropped),
            Err(other) => panic!("expected a missing block, got {other}"),
            Ok(bytes) => panic!("expected a missing block, got {} bytes", bytes.len()),
        }
    }

    #[test]
    fn a_swapped_block_fails_verification_naming_the_cid() {
        let mut packed = pack_file(NFT_STORAGE, Some("f"), &vec![3u8; 300_000]);
        packed.blocks[0].bytes[0] ^= 1;
        let tampered = packed.blocks[0].cid;
        match Car::read(&packed.to_car()) {
            Err(CarError::Block(BlockError::HashMismatch { cid })) => assert_eq!(cid, tampered),
            Err(other) => panic!("expected a hash mismatch, got {other}"),
            Ok(_) => panic!("the tampered CAR was accepted"),
        }
    }
}
