//! minty-devstack's command line: help, version and usage errors, and every
//! flag the scripts and the end-to-end harness pass.

use std::process::{Command, Output};

fn devstack(arguments: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_minty-devstack"))
        .args(arguments)
        .output()
        .expect("minty-devstack runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

fn help(arguments: &[&str]) -> String {
    let output = devstack(arguments);
    assert!(output.status.success(), "{arguments:?}: {output:?}");
    text(&output.stdout)
}

fn assert_mentions(help: &str, flags: &[&str]) {
    for flag in flags {
        assert!(help.contains(flag), "help does not mention {flag}:\n{help}");
    }
}

#[test]
fn help_lists_the_subcommands() {
    assert_mentions(
        &help(&["--help"]),
        &["up", "storage", "deploy", "--version"],
    );
}

#[test]
fn each_subcommand_has_help_with_its_flags() {
    assert_mentions(
        &help(&["up", "--help"]),
        &[
            "--anvil-port",
            "--storage-port",
            "--app-port",
            "--data-dir",
            "--fresh",
            "--storage-token",
            "--storage-test-switches",
            "--no-app",
            "--release",
        ],
    );
    assert_mentions(
        &help(&["storage", "--help"]),
        &["--port", "--data-dir", "--token"],
    );
    assert_mentions(
        &help(&["deploy", "--help"]),
        &["--rpc", "--name", "--symbol", "Julep", "JLP"],
    );
}

#[test]
fn version_names_the_tool() {
    assert_eq!(
        help(&["--version"]).trim(),
        format!("minty-devstack {}", env!("CARGO_PKG_VERSION"))
    );
}

fn assert_usage_error(arguments: &[&str], expected: &str) {
    let output = devstack(arguments);
    assert_eq!(output.status.code(), Some(2), "{arguments:?}: {output:?}");
    assert!(output.stdout.is_empty(), "{arguments:?}: {output:?}");
    let stderr = text(&output.stderr);
    assert!(stderr.contains(expected), "{arguments:?}:\n{stderr}");
    assert!(stderr.contains("--help"), "{arguments:?}:\n{stderr}");
}

#[test]
fn bad_arguments_fail_with_a_helpful_message() {
    assert_usage_error(&["up", "--bogus"], "--bogus");
    assert_usage_error(&["up", "--anvil-port", "eighty"], "eighty");
    assert_usage_error(&["storage", "--port"], "--port");
    assert_usage_error(&["launch"], "launch");
}

#[test]
fn no_subcommand_shows_the_usage() {
    let output = devstack(&[]);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let stderr = text(&output.stderr);
    assert!(stderr.contains("Usage: minty-devstack"), "{stderr}");
}
