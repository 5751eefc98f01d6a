//! Minty for the browser: mint NFTs whose data lives on IPFS, and view them.
//!
//! The crate has two halves. The pure core (`ipfs`, `eth`) is plain Rust with
//! no browser types: it computes content addresses exactly as the reference
//! IPFS tooling does, reads and writes CAR archives, and encodes the Minty
//! contract's ABI. It builds for every target, so `cargo test` checks it
//! natively. The browser app (shells, pages and components) builds only for
//! wasm32 and leans on the core for everything that must be right; its
//! modules are `pub(crate)`, so the compiler reports what the app no longer
//! uses.

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub(crate) mod archive;
#[cfg(target_arch = "wasm32")]
pub(crate) mod blob_pack;
pub mod byte_size;
#[cfg(target_arch = "wasm32")]
pub(crate) mod chain;
pub mod code_split;
#[cfg(target_arch = "wasm32")]
pub(crate) mod components;
pub mod eth;
#[cfg(target_arch = "wasm32")]
pub(crate) mod gallery;
#[cfg(target_arch = "wasm32")]
pub(crate) mod gateway;
pub mod gateway_plan;
#[cfg(target_arch = "wasm32")]
pub(crate) mod history;
pub mod ipfs;
#[cfg(target_arch = "wasm32")]
pub(crate) mod jobs;
#[cfg(target_arch = "wasm32")]
pub(crate) mod mint;
pub mod nft;
#[cfg(target_arch = "wasm32")]
pub(crate) mod pages;
pub mod pinning;
#[cfg(target_arch = "wasm32")]
pub(crate) mod raw_blocks;
pub mod settings;
#[cfg(target_arch = "wasm32")]
pub(crate) mod show;
pub mod storage;
#[cfg(target_arch = "wasm32")]
pub(crate) mod svg_raster;
pub mod transaction_notice;
pub mod wallet;
