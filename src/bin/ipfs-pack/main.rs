//! ipfs-pack, the native packing CLI (`cli`). It is a native tool: its
//! command-line crates are not built for wasm32, where the workspace's
//! binaries are also checked, so there it is an empty program.

#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
