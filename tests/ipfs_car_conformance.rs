//! ipfs-pack against the references, byte for byte: ipfs-car@2.0.0 for the
//! `nft-storage` profile and ipfs-car@3.1.0 for `unixfs-v1-2025`, both
//! pinned in package.json. Files sit on each profile's chunk and tree-width
//! edges; directories are nested, unicode-named and hold hidden files.
//!
//! Needs the npm packages: run `npm ci` (the README's test command does).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Reference {
    profile: &'static str,
    /// ipfs-car's CLI, relative to the repository root.
    cli: &'static str,
    chunk_size: usize,
    width: usize,
}

const NFT_STORAGE: Reference = Reference {
    profile: "nft-storage",
    cli: "node_modules/ipfs-car-v2/bin.js",
    chunk_size: 262_144,
    width: 174,
};

const UNIXFS_V1_2025: Reference = Reference {
    profile: "unixfs-v1-2025",
    cli: "node_modules/ipfs-car/bin.js",
    chunk_size: 1_048_576,
    width: 1_024,
};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Deterministic bytes that never repeat a chunk, so every leaf is distinct.
fn pseudo_random(length: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut bytes = Vec::with_capacity(length + 8);
    while bytes.len() < length {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(length);
    bytes
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("the command starts");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Packs `input` with both tools and asserts the same root CID and CAR bytes.
fn assert_same_as_reference(reference: &Reference, input: &Path, flags: &[&str], scratch: &Path) {
    let cli = repo_root().join(reference.cli);
    assert!(
        cli.exists(),
        "{} is missing: run `npm ci` first",
        cli.display()
    );
    let theirs = scratch.join("reference.car");
    let ours = scratch.join("ours.car");

    let mut reference_command = Command::new("node");
    reference_command
        .arg(&cli)
        .arg("pack")
        .arg(input)
        .args(flags)
        .arg("--output")
        .arg(&theirs);
    let their_root = run(&mut reference_command).trim().to_owned();

    let mut our_command = Command::new(env!("CARGO_BIN_EXE_ipfs-pack"));
    our_command
        .arg(input)
        .args(flags)
        .args(["--profile", reference.profile, "--output"])
        .arg(&ours);
    let our_root = run(&mut our_command).trim().to_owned();

    let what = format!(
        "{} {flags:?} with profile {}",
        input.display(),
        reference.profile
    );
    assert_eq!(our_root, their_root, "root CID of {what}");
    let (our_car, their_car) = (fs::read(&ours).unwrap(), fs::read(&theirs).unwrap());
    assert!(
        our_car == their_car,
        "CAR bytes of {what} differ ({} vs {} bytes)",
        our_car.len(),
        their_car.len()
    );
}

fn file_edges(reference: &Reference, sizes: &[usize]) {
    let scratch = tempfile::tempdir().unwrap();
    for (index, &size) in sizes.iter().enumerate() {
        let input = scratch.path().join(format!("file-{size}.bin"));
        fs::write(&input, pseudo_random(size, index as u64)).unwrap();
        assert_same_as_reference(reference, &input, &["--no-wrap"], scratch.path());
        fs::remove_file(&input).unwrap();
    }
}

fn write_tree(root: &Path) {
    let files: &[(&str, usize)] = &[
        ("cat0.gif", 2),
        ("art/ünïcødé 🎨.png", 70_000),
        ("art/nested/deeper/c.txt", 11),
        ("art/nested/b.bin", 300_000),
        ("empty.txt", 0),
        ("Z-upper.txt", 5),
        ("a.txt", 5),
        (".hidden/secret.txt", 7),
        ("art/.DS_Store", 9),
    ];
    for (index, (name, size)) in files.iter().enumerate() {
        let path = root.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, pseudo_random(*size, 100 + index as u64)).unwrap();
    }
}

fn directories(reference: &Reference) {
    let scratch = tempfile::tempdir().unwrap();
    let tree = scratch.path().join("tree");
    write_tree(&tree);
    assert_same_as_reference(reference, &tree, &[], scratch.path());
    assert_same_as_reference(reference, &tree, &["--hidden"], scratch.path());
    // A single file is wrapped in a directory that keeps its name.
    assert_same_as_reference(
        reference,
        &tree.join("art/ünïcødé 🎨.png"),
        &[],
        scratch.path(),
    );
}

#[test]
fn nft_storage_files_on_chunk_and_width_edges() {
    let (chunk, width) = (NFT_STORAGE.chunk_size, NFT_STORAGE.width);
    file_edges(
        &NFT_STORAGE,
        &[
            0,
            1,
            chunk - 1,
            chunk,
            chunk + 1,
            width * chunk,
            width * chunk + 1,
            // More than one branch under the root: 349 chunks.
            (2 * width + 1) * chunk,
        ],
    );
}

#[test]
fn unixfs_v1_2025_files_on_chunk_edges() {
    let chunk = UNIXFS_V1_2025.chunk_size;
    file_edges(
        &UNIXFS_V1_2025,
        &[0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 5],
    );
}

/// About 1 GiB each: run with `cargo test -- --ignored` when changing the layout.
#[test]
#[ignore = "slow: packs two files of about 1 GiB"]
fn unixfs_v1_2025_files_on_width_edges() {
    let (chunk, width) = (UNIXFS_V1_2025.chunk_size, UNIXFS_V1_2025.width);
    file_edges(&UNIXFS_V1_2025, &[width * chunk, width * chunk + 1]);
}

#[test]
fn nft_storage_directories() {
    directories(&NFT_STORAGE);
}

#[test]
fn unixfs_v1_2025_directories() {
    directories(&UNIXFS_V1_2025);
}
