//! ipfs-pack against the references, byte for byte: ipfs-car@2.0.0 for the
//! `nft-storage` profile and ipfs-car@3.1.0 for `unixfs-v1-2025`, both
//! pinned in package.json. Files sit on each profile's chunk and tree-width
//! edges; directories are nested, unicode-named and hold hidden files; large
//! directories sit on the HAMT threshold and far past it, with names whose
//! hashes collide so shards nest.
//!
//! Needs the npm packages: run `npm ci` (the README's test command does).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use minty::ipfs::murmur3::murmur3_x64_64;

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

/// `count` names made from `pattern` (its "{}" replaced by a number) whose
/// murmur3-x64-64 hashes share their first `shared_bytes` bytes, so a HAMT
/// puts them `shared_bytes` shards below its root. Found by trying numbers
/// in turn until one hash prefix has been seen `count` times.
fn colliding_names(pattern: &str, shared_bytes: usize, count: usize) -> Vec<String> {
    let mut seen: HashMap<Vec<u8>, Vec<String>> = HashMap::new();
    for number in 0.. {
        let name = pattern.replace("{}", &number.to_string());
        let prefix = murmur3_x64_64(name.as_bytes())[..shared_bytes].to_vec();
        let group = seen.entry(prefix).or_default();
        group.push(name);
        if group.len() == count {
            return std::mem::take(group);
        }
    }
    unreachable!("the search ends when a group is full")
}

/// Writes `count` entries into `directory`: numbered files of a few distinct
/// bytes, except that the first entries are the given `special` names (two
/// of them subdirectories, which may land in shards too).
fn write_entries(directory: &Path, count: usize, special: &[String]) {
    fs::create_dir_all(directory).unwrap();
    let numbered = (0..).map(|i| format!("entry-{i:05}.txt"));
    for (index, name) in special
        .iter()
        .cloned()
        .chain(numbered)
        .take(count)
        .enumerate()
    {
        let path = directory.join(&name);
        if index < 2 {
            fs::create_dir_all(&path).unwrap();
            fs::write(path.join("inner.txt"), name.as_bytes()).unwrap();
        } else {
            fs::write(&path, name.as_bytes()).unwrap();
        }
    }
}

/// Names that test the shard layout: unicode, hex-looking ones (a link name
/// is a hex bucket then the name), and groups whose hashes share 3 and 4
/// leading bytes, so shards nest that deep.
fn shard_testing_names() -> Vec<String> {
    let mut names = vec!["sub dir".to_owned(), "日本語".to_owned()];
    names.extend(["0A", "FF", "ff", "00", "é", "🎨", "Z"].map(String::from));
    names.extend(colliding_names("deep-{}.bin", 4, 2));
    names.extend(colliding_names("ünïcødé 🎨 {}.png", 3, 3));
    names
}

fn sharded_directories(reference: &Reference) {
    let scratch = tempfile::tempdir().unwrap();
    let special = shard_testing_names();
    // The last flat directory and the first sharded one, at the root.
    for count in [1_000, 1_001] {
        let tree = scratch.path().join(format!("tree-{count}"));
        write_entries(&tree, count, &special);
        assert_same_as_reference(reference, &tree, &[], scratch.path());
        fs::remove_dir_all(&tree).unwrap();
    }
    // 5,000 entries one level down, beside a file and a small directory.
    let tree = scratch.path().join("tree-5000");
    write_entries(&tree.join("many"), 5_000, &special);
    write_entries(&tree.join("few"), 3, &special);
    fs::write(tree.join("readme.txt"), b"five thousand").unwrap();
    assert_same_as_reference(reference, &tree, &[], scratch.path());
}

/// 70,000 empty files: a HAMT three or four levels deep, the reference's
/// slowest case (about 35 s of node), so its files hold nothing.
fn seventy_thousand_entries(reference: &Reference) {
    let scratch = tempfile::tempdir().unwrap();
    let tree = scratch.path().join("tree-70000");
    fs::create_dir_all(&tree).unwrap();
    for i in 0..70_000 {
        fs::File::create(tree.join(format!("{i}"))).unwrap();
    }
    assert_same_as_reference(reference, &tree, &[], scratch.path());
}

#[test]
fn nft_storage_sharded_directories() {
    sharded_directories(&NFT_STORAGE);
}

#[test]
fn unixfs_v1_2025_sharded_directories() {
    sharded_directories(&UNIXFS_V1_2025);
}

#[test]
fn nft_storage_sharded_directory_of_70_000_entries() {
    seventy_thousand_entries(&NFT_STORAGE);
}

#[test]
fn unixfs_v1_2025_sharded_directory_of_70_000_entries() {
    seventy_thousand_entries(&UNIXFS_V1_2025);
}
