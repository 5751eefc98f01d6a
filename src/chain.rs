//! The chain, reached one way with two transports: ethers-providers'
//! `Provider` over the wallet (`Eip1193`) or over the RPC URL in Settings
//! (`RpcUrl`), with the app's calls typed once in [`calls::ChainCalls`].
//! Reads go through the wallet when it is on the app's chain, otherwise
//! through the RPC URL, so a token can be viewed with no wallet installed.

pub mod calls;
pub mod rpc_url;

use ethers_core::types::Address;
use ethers_providers::{Provider, ProviderError};

use self::calls::ChainCalls;
use self::rpc_url::{RpcUrl, RpcUrlError};
use crate::eth::rpc::{error_from_rpc, read_route, ChainError, ReadRoute};
use crate::settings::Settings;
use crate::wallet::{wallet, Eip1193, WalletError};

/// Reads the chain the way [`read_route`] chose.
#[derive(Debug, Clone)]
pub enum ChainReader {
    Wallet(Provider<Eip1193>),
    RpcUrl(Provider<RpcUrl>),
}

impl ChainReader {
    /// `wallet_chain` is the connected wallet's chain, if it is connected.
    pub fn new(settings: &Settings, wallet_chain: Option<u64>) -> Result<Self, ChainError> {
        Ok(
            match read_route(settings.chain_id, wallet_chain, settings.rpc_url.as_deref())? {
                ReadRoute::Wallet => ChainReader::Wallet(wallet()),
                ReadRoute::RpcUrl(url) => ChainReader::RpcUrl(Provider::new(RpcUrl::new(&url))),
            },
        )
    }

    /// How many reads to have in flight at once. The RPC URL sends the
    /// reads of one turn as a single batch, so all of them go together; a
    /// wallet cannot batch, and a few at a time keep it responsive.
    pub fn reads_in_flight(&self) -> usize {
        match self {
            ChainReader::Wallet(_) => 6,
            ChainReader::RpcUrl(_) => usize::MAX,
        }
    }

    /// Every typed call, on whichever transport this reader uses.
    pub fn calls(&self) -> &dyn ChainCalls {
        match self {
            ChainReader::Wallet(wallet) => wallet,
            ChainReader::RpcUrl(node) => node,
        }
    }

    /// Calls the contract at `to` with `data` at the latest block and
    /// returns what it returned; a revert comes back decoded.
    pub async fn eth_call(&self, to: Address, data: &[u8]) -> Result<Vec<u8>, ChainError> {
        match self {
            ChainReader::Wallet(wallet) => wallet.call(to, data).await,
            ChainReader::RpcUrl(node) => node.call(to, data).await,
        }
        .map_err(chain_error)
    }
}

/// A failed read as the user can act on it, whichever transport failed.
pub fn chain_error(error: ProviderError) -> ChainError {
    if let ProviderError::JsonRpcClientError(inner) = &error {
        let inner: &dyn std::error::Error = inner.as_ref();
        if let Some(RpcUrlError(chain)) = inner.downcast_ref::<RpcUrlError>() {
            return chain.clone();
        }
        if let Some(wallet) = inner.downcast_ref::<WalletError>() {
            return match wallet {
                WalletError::Rpc(rpc) => error_from_rpc(rpc.code, &rpc.message, rpc.data.as_ref()),
                other => ChainError::Wallet(other.to_string()),
            };
        }
    }
    ChainError::BadAnswer(error.to_string())
}
