//! Deploying Minty (the CLI's `deploy --name --symbol`) and checking that an
//! address really holds a Minty-like contract.

use ethers_core::types::Address;
use minty::eth::minty_abi;
use thiserror::Error;

use crate::rpc::{RpcClient, RpcError};

#[derive(Debug, Error)]
pub enum DeployError {
    #[error(transparent)]
    Rpc(#[from] RpcError),
    #[error(transparent)]
    Abi(#[from] minty_abi::AbiError),
    #[error("the deployment transaction reverted")]
    Reverted,
    #[error("the receipt names no contract address")]
    NoAddress,
    #[error("{0:?} holds no contract code")]
    NoCode(Address),
}

/// Deploys Minty from `deployer` (an account the node holds unlocked).
pub fn deploy_minty(
    rpc: &RpcClient,
    deployer: Address,
    name: &str,
    symbol: &str,
) -> Result<Address, DeployError> {
    let data = minty_abi::deploy_data(name, symbol)?;
    let hash = rpc.send_transaction(deployer, None, &data)?;
    let receipt = rpc.wait_for_receipt(hash)?;
    if !receipt.succeeded() {
        return Err(DeployError::Reverted);
    }
    receipt.contract_address.ok_or(DeployError::NoAddress)
}

/// The contract's (name, symbol), after checking it has code.
pub fn describe_contract(
    rpc: &RpcClient,
    address: Address,
) -> Result<(String, String), DeployError> {
    if rpc.code_at(address)?.is_empty() {
        return Err(DeployError::NoCode(address));
    }
    let name = minty_abi::decode_string(&rpc.call(address, &minty_abi::name_call())?)?;
    let symbol = minty_abi::decode_string(&rpc.call(address, &minty_abi::symbol_call())?)?;
    Ok((name, symbol))
}
