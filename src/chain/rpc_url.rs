//! A JSON-RPC transport for ethers-providers over `fetch`, to the RPC URL in
//! Settings, so pages that only read need no wallet. The envelope and the
//! answer are the core's (`crate::eth::rpc`), shared with the devstack.

use std::fmt::Debug;

use async_trait::async_trait;
use ethers_providers::{JsonRpcClient, JsonRpcError, ProviderError, RpcError};
use gloo_net::http::Request;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

use crate::eth::rpc::{answer_result, request_body, ChainError};

/// The node at a URL, reached with plain POSTs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcUrl {
    url: String,
}

impl RpcUrl {
    pub fn new(url: &str) -> Self {
        RpcUrl {
            url: url.to_owned(),
        }
    }
}

/// A [`ChainError`] carried through ethers-providers' error type.
#[derive(Debug, Clone, thiserror::Error)]
#[error(transparent)]
pub struct RpcUrlError(pub ChainError);

impl RpcError for RpcUrlError {
    fn as_error_response(&self) -> Option<&JsonRpcError> {
        None
    }

    fn as_serde_error(&self) -> Option<&serde_json::Error> {
        None
    }
}

impl From<RpcUrlError> for ProviderError {
    fn from(error: RpcUrlError) -> ProviderError {
        ProviderError::JsonRpcClientError(Box::new(error))
    }
}

#[async_trait(?Send)]
impl JsonRpcClient for RpcUrl {
    type Error = RpcUrlError;

    async fn request<T, R>(&self, method: &str, params: T) -> Result<R, RpcUrlError>
    where
        T: Debug + Serialize + Send + Sync,
        R: DeserializeOwned + Send,
    {
        let params = serde_json::to_value(params)
            .map_err(|error| RpcUrlError(ChainError::BadAnswer(error.to_string())))?;
        let result = post(&self.url, method, params).await.map_err(RpcUrlError)?;
        serde_json::from_value(result).map_err(|error| {
            RpcUrlError(ChainError::BadAnswer(format!(
                "the answer to {method} is not what EIP-1474 says: {error}"
            )))
        })
    }
}

async fn post(url: &str, method: &str, params: Value) -> Result<Value, ChainError> {
    let unreachable = || ChainError::Unreachable {
        url: url.to_owned(),
    };
    let response = Request::post(url)
        .json(&request_body(1, method, params))
        .map_err(|error| ChainError::BadAnswer(error.to_string()))?
        .send()
        .await
        .map_err(|_| unreachable())?;
    // Nodes answer JSON-RPC errors with 200, but some put them on a 4xx/5xx
    // body too: read the body first and fall back to the status.
    let status = response.status();
    match response.json::<Value>().await {
        Ok(answer) if answer.get("result").is_some() || answer.get("error").is_some() => {
            answer_result(answer)
        }
        _ if !response.ok() => Err(ChainError::HttpStatus {
            url: url.to_owned(),
            status,
        }),
        _ => Err(ChainError::BadAnswer(format!(
            "{url} did not answer with JSON-RPC"
        ))),
    }
}
