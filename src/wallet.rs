//! The user's Ethereum wallet, reached through EIP-1193 (`window.ethereum`):
//! a transport for ethers-providers, and the wallet's state for the UI.

pub mod address;
#[cfg(target_arch = "wasm32")]
pub mod announced;
#[cfg(target_arch = "wasm32")]
pub mod contract_check;
pub mod discovery;
#[cfg(target_arch = "wasm32")]
pub mod eip1193;
#[cfg(target_arch = "wasm32")]
mod error;
#[cfg(target_arch = "wasm32")]
mod state;
pub mod switch_chain;
#[cfg(target_arch = "wasm32")]
pub mod transactions;

#[cfg(target_arch = "wasm32")]
pub use {eip1193::Eip1193, error::WalletError, state::WalletContext, switch_chain::switch_chain};

/// The wallet as ethers-providers' `Provider`: the one client API for
/// everything that goes through the wallet (see `crate::chain::calls`).
#[cfg(target_arch = "wasm32")]
pub fn wallet() -> ethers_providers::Provider<Eip1193> {
    ethers_providers::Provider::new(Eip1193)
}
