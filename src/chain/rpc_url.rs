//! A JSON-RPC transport for ethers-providers over `fetch`, to the RPC URL in
//! Settings, so pages that only read need no wallet. The envelope and the
//! answer are the core's (`crate::eth::rpc`), shared with the devstack.
//!
//! Calls made in the same turn of the event loop go out together as one
//! JSON-RPC batch (`crate::eth::rpc_batch`), as viem's http transport does
//! with `batch: true`: pages keep calling the typed API one call at a time,
//! and a gallery page still costs a few round trips.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt::Debug;
use std::time::Duration;

use async_trait::async_trait;
use ethers_providers::{JsonRpcClient, JsonRpcError, ProviderError, RpcError};
use gloo_net::http::Request;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

use futures::channel::oneshot;
use futures::future::join_all;

use crate::eth::rpc::{answer_result, request_body, ChainError};
use crate::eth::rpc_batch::{
    batch_body, split_batch_answer, BatchAnswer, BatchCall, MAX_BATCH_CALLS,
};
use crate::wallet::transactions::sleep;

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
        let result = call_in_next_batch(&self.url, method, params)
            .await
            .map_err(RpcUrlError)?;
        serde_json::from_value(result).map_err(|error| {
            RpcUrlError(ChainError::BadAnswer(format!(
                "the answer to {method} is not what EIP-1474 says: {error}"
            )))
        })
    }
}

/// A call waiting for its batch, and where its answer goes.
struct WaitingCall {
    call: BatchCall,
    reply: oneshot::Sender<Result<Value, ChainError>>,
}

thread_local! {
    /// Calls gathered per RPC URL until the batch leaves.
    static WAITING: RefCell<HashMap<String, Vec<WaitingCall>>> = RefCell::default();
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

async fn call_in_next_batch(url: &str, method: &str, params: Value) -> Result<Value, ChainError> {
    let id = NEXT_ID.with(|next| next.replace(next.get() + 1));
    let (reply, answer) = oneshot::channel();
    let call = BatchCall {
        id,
        method: method.to_owned(),
        params,
    };
    let opens_batch = WAITING.with(|waiting| {
        let mut waiting = waiting.borrow_mut();
        let batch = waiting.entry(url.to_owned()).or_default();
        batch.push(WaitingCall { call, reply });
        batch.len() == 1
    });
    if opens_batch {
        wasm_bindgen_futures::spawn_local(send_after_this_turn(url.to_owned()));
    }
    answer.await.unwrap_or_else(|_| {
        Err(ChainError::BadAnswer(
            "the batch carrying this call was dropped".into(),
        ))
    })
}

/// Waits one timer turn, so every call made by the same page update joins
/// the batch, then sends it, in slices the endpoint accepts.
async fn send_after_this_turn(url: String) {
    sleep(Duration::ZERO).await;
    let mut waiting = WAITING
        .with(|waiting| waiting.borrow_mut().remove(&url))
        .unwrap_or_default();
    let mut batches = Vec::new();
    while !waiting.is_empty() {
        let rest = waiting.split_off(waiting.len().min(MAX_BATCH_CALLS));
        batches.push(std::mem::replace(&mut waiting, rest));
    }
    join_all(batches.into_iter().map(|batch| send_batch(&url, batch))).await;
}

async fn send_batch(url: &str, batch: Vec<WaitingCall>) {
    if let [_] = batch.as_slice() {
        return send_alone(url, batch).await;
    }
    let calls: Vec<BatchCall> = batch.iter().map(|waiting| waiting.call.clone()).collect();
    match post(url, &batch_body(&calls)).await {
        Ok(answer) => match split_batch_answer(answer, &calls) {
            BatchAnswer::Each(results) => {
                for (waiting, result) in batch.into_iter().zip(results) {
                    let _ = waiting.reply.send(result);
                }
            }
            // Some endpoints refuse batches: the calls go one by one.
            BatchAnswer::Refused(_) => send_alone(url, batch).await,
        },
        Err(error) => {
            for waiting in batch {
                let _ = waiting.reply.send(Err(error.clone()));
            }
        }
    }
}

async fn send_alone(url: &str, batch: Vec<WaitingCall>) {
    join_all(batch.into_iter().map(|waiting| async move {
        let WaitingCall { call, reply } = waiting;
        let body = request_body(call.id, &call.method, call.params);
        let result = match post(url, &body).await {
            Ok(answer) => answer_result(answer),
            Err(error) => Err(error),
        };
        let _ = reply.send(result);
    }))
    .await;
}

/// POSTs a JSON-RPC body (one call or a batch) and returns the answer as
/// sent, once it is JSON-RPC.
async fn post(url: &str, body: &Value) -> Result<Value, ChainError> {
    let unreachable = || ChainError::Unreachable {
        url: url.to_owned(),
    };
    let response = Request::post(url)
        .json(body)
        .map_err(|error| ChainError::BadAnswer(error.to_string()))?
        .send()
        .await
        .map_err(|_| unreachable())?;
    // Nodes answer JSON-RPC errors with 200, but some put them on a 4xx/5xx
    // body too: read the body first and fall back to the status.
    let status = response.status();
    match response.json::<Value>().await {
        Ok(answer) if is_json_rpc(&answer) => Ok(answer),
        _ if !response.ok() => Err(ChainError::HttpStatus {
            url: url.to_owned(),
            status,
        }),
        _ => Err(ChainError::BadAnswer(format!(
            "{url} did not answer with JSON-RPC"
        ))),
    }
}

/// One answer object, or an array of them.
fn is_json_rpc(answer: &Value) -> bool {
    match answer {
        Value::Array(answers) => !answers.is_empty(),
        single => single.get("result").is_some() || single.get("error").is_some(),
    }
}
