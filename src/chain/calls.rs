//! The chain calls the app makes, typed, on either transport: the wallet
//! (`Provider<Eip1193>`) or the RPC URL (`Provider<RpcUrl>`). Each method
//! names its EIP-1474 call once; answers are the core's
//! (`crate::eth::rpc_answers`).

use async_trait::async_trait;
use ethers_core::types::{Address, Bytes, H256, U64};
use ethers_providers::{JsonRpcClient, Provider, ProviderError};
use serde_json::{json, Value};

use crate::eth::rpc::eth_call_params;
use crate::eth::rpc_answers::{BlockHeader, Log, Receipt, TransactionInfo};
use crate::settings::chains::parse_chain_id;

#[async_trait(?Send)]
pub trait ChainCalls {
    async fn chain_id(&self) -> Result<u64, ProviderError>;
    async fn block_number(&self) -> Result<u64, ProviderError>;
    async fn code_at(&self, address: Address) -> Result<Vec<u8>, ProviderError>;
    /// The code at `address` as of `block`; needs a node that keeps old state.
    async fn code_at_block(&self, address: Address, block: u64) -> Result<Vec<u8>, ProviderError>;
    /// When `block` was made (Unix seconds); `None` for a block not made yet.
    async fn block_timestamp(&self, block: u64) -> Result<Option<u64>, ProviderError>;
    /// `eth_call` at the latest block.
    async fn call(&self, to: Address, data: &[u8]) -> Result<Vec<u8>, ProviderError>;
    /// `eth_call` as `from`, at `block`: replays a transaction to learn why
    /// it reverted.
    async fn call_as(
        &self,
        from: &str,
        to: Option<Address>,
        data: &[u8],
        block: u64,
    ) -> Result<Vec<u8>, ProviderError>;
    async fn receipt(&self, hash: H256) -> Result<Option<Receipt>, ProviderError>;
    async fn transaction(&self, hash: H256) -> Result<Option<TransactionInfo>, ProviderError>;
    /// How many transactions of `address` are mined.
    async fn mined_transaction_count(&self, address: Address) -> Result<u64, ProviderError>;
    async fn logs(&self, filter: Value) -> Result<Vec<Log>, ProviderError>;
}

#[async_trait(?Send)]
impl<P: JsonRpcClient> ChainCalls for Provider<P> {
    async fn chain_id(&self) -> Result<u64, ProviderError> {
        let chain_id: String = self.request("eth_chainId", ()).await?;
        parse_chain_id(&chain_id)
            .ok_or_else(|| ProviderError::CustomError(format!("{chain_id:?} is not a chain id")))
    }

    async fn block_number(&self) -> Result<u64, ProviderError> {
        let number: U64 = self.request("eth_blockNumber", ()).await?;
        Ok(number.as_u64())
    }

    async fn code_at(&self, address: Address) -> Result<Vec<u8>, ProviderError> {
        let code: Bytes = self.request("eth_getCode", (address, "latest")).await?;
        Ok(code.to_vec())
    }

    async fn code_at_block(&self, address: Address, block: u64) -> Result<Vec<u8>, ProviderError> {
        let code: Bytes = self
            .request("eth_getCode", (address, format!("0x{block:x}")))
            .await?;
        Ok(code.to_vec())
    }

    async fn block_timestamp(&self, block: u64) -> Result<Option<u64>, ProviderError> {
        let header: Option<BlockHeader> = self
            .request("eth_getBlockByNumber", (format!("0x{block:x}"), false))
            .await?;
        Ok(header.map(|header| header.timestamp.as_u64()))
    }

    async fn call(&self, to: Address, data: &[u8]) -> Result<Vec<u8>, ProviderError> {
        let answer: Bytes = self.request("eth_call", eth_call_params(to, data)).await?;
        Ok(answer.to_vec())
    }

    async fn call_as(
        &self,
        from: &str,
        to: Option<Address>,
        data: &[u8],
        block: u64,
    ) -> Result<Vec<u8>, ProviderError> {
        let call = json!({ "from": from, "to": to, "data": Bytes::from(data.to_vec()) });
        let answer: Bytes = self
            .request("eth_call", (call, format!("0x{block:x}")))
            .await?;
        Ok(answer.to_vec())
    }

    async fn receipt(&self, hash: H256) -> Result<Option<Receipt>, ProviderError> {
        self.request("eth_getTransactionReceipt", [hash]).await
    }

    async fn transaction(&self, hash: H256) -> Result<Option<TransactionInfo>, ProviderError> {
        self.request("eth_getTransactionByHash", [hash]).await
    }

    async fn mined_transaction_count(&self, address: Address) -> Result<u64, ProviderError> {
        let count: U64 = self
            .request("eth_getTransactionCount", (address, "latest"))
            .await?;
        Ok(count.as_u64())
    }

    async fn logs(&self, filter: Value) -> Result<Vec<Log>, ProviderError> {
        self.request("eth_getLogs", [filter]).await
    }
}
