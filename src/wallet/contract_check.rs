//! Is this address a contract that can hold Minty tokens? Asked before the
//! first mint to an address on a chain, and before "use existing", so gas
//! is never spent on an ERC-20 or an empty account.

use std::cell::RefCell;
use std::collections::HashSet;

use ethers_core::types::Address;
use thiserror::Error;

use super::transactions::{call, code_at};
use super::WalletError;
use crate::eth::minty_abi::{decode_bool, supports_interface_call, ERC721_INTERFACE_ID};
use crate::settings::chains::chain_label;

#[derive(Debug, Clone, Error)]
pub enum ContractError {
    #[error("There is no contract at {address:?} on {}: check the address in Settings and the wallet's network.", chain_label(*.chain_id))]
    NoCode { address: Address, chain_id: u64 },
    #[error("The contract at {address:?} on {} is not an ERC-721 NFT contract (it does not answer supportsInterface(0x80ac58cd) with true), so it cannot be a Minty contract: choose a Minty contract in Settings or deploy one.", chain_label(*.chain_id))]
    NotErc721 { address: Address, chain_id: u64 },
    #[error("The contract could not be checked: {0}")]
    Wallet(#[from] WalletError),
}

thread_local! {
    /// (chain, address) pairs already checked in this page's life.
    static CHECKED: RefCell<HashSet<(u64, Address)>> = RefCell::new(HashSet::new());
}

/// Checks that `address` on the wallet's chain `chain_id` holds code and
/// says it is ERC-721 (EIP-165). A contract checked once is not asked again.
pub async fn ensure_erc721(chain_id: u64, address: Address) -> Result<(), ContractError> {
    if CHECKED.with(|checked| checked.borrow().contains(&(chain_id, address))) {
        return Ok(());
    }
    if code_at(address).await?.is_empty() {
        return Err(ContractError::NoCode { address, chain_id });
    }
    // A revert (no such function, and no fallback) is an answer too: not ERC-721.
    let is_erc721 = match call(address, &supports_interface_call(ERC721_INTERFACE_ID)).await {
        Ok(answer) => decode_bool(&answer).unwrap_or(false),
        Err(WalletError::Rpc(_)) => false,
        Err(other) => return Err(other.into()),
    };
    if !is_erc721 {
        return Err(ContractError::NotErc721 { address, chain_id });
    }
    CHECKED.with(|checked| checked.borrow_mut().insert((chain_id, address)));
    Ok(())
}
