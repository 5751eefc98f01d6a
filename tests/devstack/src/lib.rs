//! Minty's local stack for development and tests: anvil with Minty deployed,
//! a local storage service that speaks nft.storage's HTTP API and serves an
//! IPFS path gateway, and `trunk serve` preconfigured for both.
//!
//! Everything it computes about content (CIDs, CARs) and the contract (ABI)
//! comes from the app's own pure core, so the stack and the app agree.

pub mod anvil;
pub mod deploy;
pub mod processes;
pub mod rpc;
pub mod stack;
pub mod storage;
