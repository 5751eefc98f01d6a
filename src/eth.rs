//! Ethereum: the Minty contract's ABI and addresses, in pure Rust.

pub mod address;
pub mod hex;
pub mod minty_abi;
pub mod rpc;
pub mod rpc_answers;
pub mod rpc_batch;
pub mod transaction_watch;
