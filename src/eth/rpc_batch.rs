//! JSON-RPC 2.0 batches (spec §6): many calls in one HTTP request, so a
//! gallery page costs a few round trips instead of a hundred. The answers
//! may come in any order and are matched by id; a node that refuses
//! batches answers with one error object, and the caller then sends each
//! call alone.

use serde_json::Value;

use super::rpc::{answer_result, request_body, ChainError};

/// At most this many calls go in one batch. Public endpoints cap batches
/// (commonly at 100 to 1,000 calls); a gallery page of 50 tokens needs 100
/// calls (`tokenURI` and `ownerOf`) at once.
pub const MAX_BATCH_CALLS: usize = 100;

/// One call waiting to be sent.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchCall {
    pub id: u64,
    pub method: String,
    pub params: Value,
}

/// The request body: an array of request objects.
pub fn batch_body(calls: &[BatchCall]) -> Value {
    Value::Array(
        calls
            .iter()
            .map(|call| request_body(call.id, &call.method, call.params.clone()))
            .collect(),
    )
}

/// How a batch was answered.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchAnswer {
    /// Each call's result or error, in the order the calls were given.
    Each(Vec<Result<Value, ChainError>>),
    /// Not a batch answer: the node refused the batch as a whole (or does
    /// not speak batches); the calls should be sent one by one.
    Refused(ChainError),
}

/// Matches a batch answer to `calls` by id. A call whose answer is missing
/// fails alone; the others keep theirs.
pub fn split_batch_answer(answer: Value, calls: &[BatchCall]) -> BatchAnswer {
    let Value::Array(answers) = answer else {
        let refusal = answer_result(answer).err().unwrap_or_else(|| {
            ChainError::BadAnswer("a batch was answered with one result".into())
        });
        return BatchAnswer::Refused(refusal);
    };
    let mut by_id: Vec<(u64, Value)> = answers
        .into_iter()
        .filter_map(|answer| Some((answer.get("id")?.as_u64()?, answer)))
        .collect();
    BatchAnswer::Each(
        calls
            .iter()
            .map(|call| {
                let found = by_id.iter().position(|(id, _)| *id == call.id);
                match found {
                    Some(index) => answer_result(by_id.swap_remove(index).1),
                    None => Err(ChainError::BadAnswer(format!(
                        "the batch answer has nothing for {} (id {})",
                        call.method, call.id
                    ))),
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn calls(count: u64) -> Vec<BatchCall> {
        (1..=count)
            .map(|id| BatchCall {
                id,
                method: "eth_call".into(),
                params: json!([id]),
            })
            .collect()
    }

    #[test]
    fn the_body_is_an_array_of_request_objects_with_their_ids() {
        let body = batch_body(&calls(2));
        assert_eq!(
            body,
            json!([
                {"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [1]},
                {"jsonrpc": "2.0", "id": 2, "method": "eth_call", "params": [2]},
            ])
        );
    }

    #[test]
    fn answers_in_any_order_are_matched_by_id() {
        let answer = json!([
            {"jsonrpc": "2.0", "id": 3, "result": "0x03"},
            {"jsonrpc": "2.0", "id": 1, "result": "0x01"},
            {"jsonrpc": "2.0", "id": 2, "error": {"code": -32000, "message": "execution reverted"}},
        ]);
        let BatchAnswer::Each(each) = split_batch_answer(answer, &calls(3)) else {
            panic!("a batch answer")
        };
        assert_eq!(each[0], Ok(json!("0x01")));
        assert!(each[1].is_err());
        assert_eq!(each[2], Ok(json!("0x03")));
    }

    #[test]
    fn a_missing_answer_fails_only_its_call() {
        let answer = json!([{"jsonrpc": "2.0", "id": 2, "result": "0x02"}]);
        let BatchAnswer::Each(each) = split_batch_answer(answer, &calls(2)) else {
            panic!("a batch answer")
        };
        assert!(matches!(&each[0], Err(ChainError::BadAnswer(why)) if why.contains("id 1")));
        assert_eq!(each[1], Ok(json!("0x02")));
    }

    #[test]
    fn a_single_error_object_refuses_the_whole_batch() {
        let answer = json!({"jsonrpc": "2.0", "id": null,
            "error": {"code": -32600, "message": "batch requests are not supported"}});
        assert!(matches!(
            split_batch_answer(answer, &calls(2)),
            BatchAnswer::Refused(ChainError::Rpc { code: -32600, .. })
        ));
    }
}
