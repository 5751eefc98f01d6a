//! Reading what nft.storage's API says of a stored CID: the public
//! `GET /check/{cid}` and the uploader's `GET /{cid}`, both
//! `{ok: true, value: {cid, pin: {status, size}, deals: [...]}}` (the `NFT`
//! schema of https://nft.storage/api-docs/). A split upload is "queued"
//! until its last part arrives, so only "pinned" counts as stored.

use serde::Deserialize;

use super::upload_answer::{refusal_message, shown, ErrorValue};
use super::StorageError;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PinState {
    Queued,
    Pinning,
    Pinned,
    Failed,
    #[serde(other)]
    Unknown,
}

impl PinState {
    pub fn label(&self) -> &'static str {
        match self {
            PinState::Queued => "queued",
            PinState::Pinning => "pinning",
            PinState::Pinned => "pinned",
            PinState::Failed => "failed",
            PinState::Unknown => "unknown",
        }
    }
}

/// One Filecoin deal as the service reports it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Deal {
    pub status: String,
    #[serde(default)]
    pub miner: Option<String>,
    #[serde(default, rename = "chainDealID")]
    pub chain_deal_id: Option<u64>,
    #[serde(default)]
    pub status_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredStatus {
    pub cid: String,
    pub pin: PinState,
    /// The DAG's size, once known.
    pub size: Option<u64>,
    pub created: Option<String>,
    pub deals: Vec<Deal>,
}

#[derive(Deserialize)]
struct Answer {
    ok: bool,
    value: Option<Value>,
    error: Option<ErrorValue>,
}

#[derive(Deserialize)]
struct Value {
    cid: String,
    pin: Pin,
    #[serde(default)]
    created: Option<String>,
    #[serde(default)]
    deals: Vec<Deal>,
}

#[derive(Deserialize)]
struct Pin {
    status: PinState,
    #[serde(default)]
    size: Option<u64>,
}

/// The status of a CID, `None` when the service does not hold it (404).
pub fn read_status_answer(
    endpoint: &str,
    status: u16,
    body: &str,
    secret: &str,
) -> Result<Option<StoredStatus>, StorageError> {
    let endpoint = endpoint.to_owned();
    match status {
        401 | 403 => return Err(StorageError::Unauthorized { endpoint }),
        404 => return Ok(None),
        _ => {}
    }
    let answer: Answer = serde_json::from_str(body).map_err(|_| StorageError::BadAnswer {
        endpoint: endpoint.clone(),
        detail: "its status answer is not the JSON of nft.storage's API".into(),
    })?;
    match answer {
        Answer {
            ok: true,
            value: Some(value),
            ..
        } if (200..300).contains(&status) => Ok(Some(StoredStatus {
            cid: shown(&value.cid, secret),
            pin: value.pin.status,
            size: value.pin.size,
            created: value.created,
            deals: value.deals,
        })),
        Answer { error, .. } => Err(StorageError::Refused {
            endpoint,
            status,
            message: refusal_message(error, secret),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENDPOINT: &str = "https://api.nft.storage";
    const CID: &str = "bafybeiaoz5wvk3vt6qa5u4hz7zx6b2u4j3ieajpmrrwdpreq3u5iygqzdy";

    #[test]
    fn reads_the_pin_state_size_and_deals() {
        let body = format!(
            r#"{{"ok":true,"value":{{"cid":"{CID}","created":"2021-03-12T17:03:07.787Z",
            "pin":{{"cid":"{CID}","status":"pinned","size":132614}},
            "deals":[{{"status":"active","miner":"f05678","chainDealID":138,"pieceCid":"bafk"}},
                     {{"status":"queued"}}]}}}}"#
        );
        let status = read_status_answer(ENDPOINT, 200, &body, "")
            .unwrap()
            .unwrap();
        assert_eq!(status.pin, PinState::Pinned);
        assert_eq!(status.size, Some(132614));
        assert_eq!(status.deals.len(), 2);
        assert_eq!(status.deals[0].miner.as_deref(), Some("f05678"));
        assert_eq!(status.deals[0].chain_deal_id, Some(138));
        assert_eq!(status.deals[1].status, "queued");
    }

    #[test]
    fn a_split_upload_still_missing_parts_is_queued_and_an_unknown_cid_is_none() {
        let body = format!(
            r#"{{"ok":true,"value":{{"cid":"{CID}","pin":{{"status":"queued","size":null}},"deals":[]}}}}"#
        );
        let status = read_status_answer(ENDPOINT, 200, &body, "")
            .unwrap()
            .unwrap();
        assert_eq!(status.pin, PinState::Queued);
        assert_eq!(status.size, None);
        let missing = r#"{"ok":false,"error":{"name":"HTTPError","message":"NFT not found"}}"#;
        assert_eq!(read_status_answer(ENDPOINT, 404, missing, ""), Ok(None));
    }

    #[test]
    fn refusals_are_typed_and_scrubbed() {
        assert_eq!(
            read_status_answer(ENDPOINT, 401, "{}", "tok"),
            Err(StorageError::Unauthorized {
                endpoint: ENDPOINT.into()
            })
        );
        let echoed = r#"{"ok":false,"error":{"message":"bad token s3cret"}}"#;
        assert!(matches!(
            read_status_answer(ENDPOINT, 500, echoed, "s3cret"),
            Err(StorageError::Refused { message, .. }) if !message.contains("s3cret")
        ));
        assert!(matches!(
            read_status_answer(ENDPOINT, 200, "<html>", ""),
            Err(StorageError::BadAnswer { .. })
        ));
    }
}
