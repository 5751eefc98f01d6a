//! ipfs-pack's command line: help, version, usage errors, and the stdout
//! contract (the root CID alone) that scripts and benches rely on.

use std::process::{Command, Output};

fn ipfs_pack(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ipfs-pack"))
        .args(arguments)
        .output()
        .expect("ipfs-pack runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

#[test]
fn help_lists_every_flag() {
    let output = ipfs_pack(&["--help"]);
    assert!(output.status.success(), "{output:?}");
    let help = text(&output.stdout);
    for flag in [
        "--no-wrap",
        "-H, --hidden",
        "--profile",
        "nft-storage",
        "unixfs-v1-2025",
        "-o, --output",
        "-q, --quiet",
        "--version",
    ] {
        assert!(
            help.contains(flag),
            "--help does not mention {flag}:\n{help}"
        );
    }
}

#[test]
fn version_names_the_tool() {
    let output = ipfs_pack(&["--version"]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        text(&output.stdout).trim(),
        format!("ipfs-pack {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn an_unknown_flag_fails_with_usage() {
    let output = ipfs_pack(&["--bogus", "some-file"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(stderr.contains("--bogus"), "{stderr}");
    assert!(stderr.contains("Usage: ipfs-pack"), "{stderr}");
}

#[test]
fn an_unknown_profile_lists_the_known_ones() {
    let output = ipfs_pack(&["--profile", "kubo", "some-file"]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("kubo") && stderr.contains("nft-storage, unixfs-v1-2025"),
        "{stderr}"
    );
}

#[test]
fn a_missing_input_names_the_path() {
    let scratch = tempfile::tempdir().unwrap();
    let missing = scratch.path().join("nothing-here");
    let output = ipfs_pack(&[missing.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty());
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with("ipfs-pack: The path") && stderr.contains("nothing-here"),
        "{stderr}"
    );
}

#[test]
fn stdout_is_the_root_cid_alone() {
    // Output is captured, so stderr is no terminal: no progress bar even for
    // a large input, and nothing on stderr at all.
    let scratch = tempfile::tempdir().unwrap();
    let input = scratch.path().join("large.bin");
    std::fs::write(&input, vec![7u8; (64 << 20) + 1]).unwrap();
    let car = scratch.path().join("out.car");
    let output = ipfs_pack(&[
        input.to_str().unwrap(),
        "--no-wrap",
        "-o",
        car.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{output:?}");
    assert!(output.stderr.is_empty(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let root = stdout.strip_suffix('\n').expect("one line");
    assert!(!root.contains(char::is_whitespace), "{stdout:?}");
    assert!(
        root.parse::<minty::ipfs::Cid>().is_ok(),
        "{root} is not a CID"
    );
    assert!(car.exists());
}
