//! Ethereum: the Minty contract's ABI, encoded and decoded in pure Rust.

pub mod minty_abi;
pub mod rpc;
