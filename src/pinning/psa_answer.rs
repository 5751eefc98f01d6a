//! The Pinning Services API's requests and answers
//! (https://ipfs.github.io/pinning-services-api-spec/): the URLs, the body
//! of `POST /pins`, a `PinStatus`, and the error object
//! `{"error": {"reason", "details"}}` every failed call answers with.

use std::collections::BTreeMap;

use cid::Cid;
use percent_encoding::utf8_percent_encode;
use serde::Deserialize;

use super::PinError;
use crate::ipfs::uri::PATH_SEGMENT;
use crate::storage::upload_answer::shown;

/// A pin's status, in the spec's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Queued,
    Pinning,
    Pinned,
    Failed,
}

impl Status {
    pub fn from_spec(text: &str) -> Option<Self> {
        match text {
            "queued" => Some(Status::Queued),
            "pinning" => Some(Status::Pinning),
            "pinned" => Some(Status::Pinned),
            "failed" => Some(Status::Failed),
            _ => None,
        }
    }

    pub fn as_spec(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Pinning => "pinning",
            Status::Pinned => "pinned",
            Status::Failed => "failed",
        }
    }
}

/// What the app reads of a `PinStatus`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinStatus {
    pub requestid: String,
    pub status: Status,
    /// The service's `info`, as `key: value` lines (capped, token scrubbed):
    /// where a service says why a pin failed or where it is in the queue.
    pub info: Option<String>,
}

#[derive(Deserialize)]
struct PinStatusJson {
    requestid: String,
    status: String,
    pin: PinJson,
    #[serde(default)]
    info: BTreeMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct PinJson {
    cid: String,
}

#[derive(Deserialize)]
struct ErrorJson {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    reason: String,
    details: Option<String>,
}

/// `{base}/pins`. `base` is kept without a trailing `/` by the settings.
pub fn pins_url(base: &str) -> String {
    format!("{}/pins", base.trim_end_matches('/'))
}

/// `{base}/pins/{requestid}`, the id percent-encoded as one segment: it
/// comes from the service and could hold `/`, `?` or `#`.
pub fn pin_url(base: &str, requestid: &str) -> String {
    format!(
        "{}/{}",
        pins_url(base),
        utf8_percent_encode(requestid, PATH_SEGMENT)
    )
}

/// The body of `POST /pins`: the CID and a name to find it by.
pub fn add_pin_body(cid: &Cid, name: &str) -> String {
    serde_json::json!({ "cid": cid.to_string(), "name": name }).to_string()
}

/// Maps the answer to `POST /pins` (202) or `GET /pins/{requestid}` (200)
/// to the pin's status, or a typed error. A status about another CID than
/// `cid` (compared parsed) is refused: the app cannot say that CID is kept.
/// Service text is shown capped, with `secret` (the token) scrubbed out.
pub fn read_pin_status(
    service: &str,
    status: u16,
    body: &str,
    cid: &Cid,
    secret: &str,
) -> Result<PinStatus, PinError> {
    let service = service.to_owned();
    if status == 401 {
        return Err(PinError::Unauthorized { service });
    }
    if !(200..300).contains(&status) {
        return Err(PinError::Refused {
            service,
            status,
            message: error_message(body, secret),
        });
    }
    let bad = |detail: &str| PinError::BadAnswer {
        service: service.clone(),
        detail: detail.to_owned(),
    };
    let answer: PinStatusJson =
        serde_json::from_str(body).map_err(|_| bad("its answer is not a PinStatus"))?;
    let Some(pin_status) = Status::from_spec(&answer.status) else {
        return Err(bad(
            "the pin's status is none of queued, pinning, pinned or failed",
        ));
    };
    if answer.pin.cid.parse::<Cid>().ok().as_ref() != Some(cid) {
        return Err(PinError::BadAnswer {
            detail: format!(
                "it answered about {} instead of {cid}",
                shown(&answer.pin.cid, secret)
            ),
            service,
        });
    }
    if answer.requestid.trim().is_empty() {
        return Err(bad("its PinStatus has no requestid"));
    }
    Ok(PinStatus {
        requestid: answer.requestid,
        status: pin_status,
        info: info_text(&answer.info, secret),
    })
}

/// The spec's `info` is a free-form map of strings (e.g. `status_details`).
fn info_text(info: &BTreeMap<String, serde_json::Value>, secret: &str) -> Option<String> {
    let lines: Vec<String> = info
        .iter()
        .filter_map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Null => return None,
                other => other.to_string(),
            };
            // The spec's own key needs no label in a sentence.
            (!text.trim().is_empty()).then(|| match key.as_str() {
                "status_details" => text,
                _ => format!("{key}: {text}"),
            })
        })
        .collect();
    (!lines.is_empty()).then(|| shown(&lines.join("; "), secret))
}

/// The reason and details of an error answer, or what is known without them.
fn error_message(body: &str, secret: &str) -> String {
    match serde_json::from_str::<ErrorJson>(body) {
        Ok(ErrorJson {
            error: ErrorBody { reason, details },
        }) => match details.filter(|details| !details.trim().is_empty()) {
            Some(details) => shown(&format!("{reason}: {details}"), secret),
            None => shown(&reason, secret),
        },
        Err(_) => "no reason given (the answer was not the API's error JSON)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CID: &str = "bafybeiaoz5wvk3vt6qa5u4hz7zx6b2u4j3ieajpmrrwdpreq3u5iygqzdy";
    const OTHER: &str = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

    fn cid() -> Cid {
        CID.parse().unwrap()
    }

    fn pin_status(status: &str, info: serde_json::Value) -> String {
        serde_json::json!({
            "requestid": "req-1",
            "status": status,
            "created": "2024-01-01T00:00:00Z",
            "pin": {"cid": CID, "name": "Minty token #1 metadata", "origins": [], "meta": {}},
            "delegates": ["/ip4/127.0.0.1/tcp/4001/p2p/12D3KooWExample"],
            "info": info,
        })
        .to_string()
    }

    #[test]
    fn a_pin_status_is_read_with_its_info() {
        let body = pin_status(
            "queued",
            serde_json::json!({"status_details": "Queue position: 2"}),
        );
        assert_eq!(
            read_pin_status("Pinata", 202, &body, &cid(), "secret"),
            Ok(PinStatus {
                requestid: "req-1".into(),
                status: Status::Queued,
                info: Some("Queue position: 2".into()),
            })
        );
        let more = pin_status(
            "queued",
            serde_json::json!({"region": "eu", "status_details": "2"}),
        );
        assert_eq!(
            read_pin_status("Pinata", 200, &more, &cid(), "").map(|pin| pin.info),
            Ok(Some("region: eu; 2".into()))
        );
        for (text, status) in [
            ("pinning", Status::Pinning),
            ("pinned", Status::Pinned),
            ("failed", Status::Failed),
        ] {
            let read = read_pin_status(
                "Pinata",
                200,
                &pin_status(text, serde_json::json!({})),
                &cid(),
                "",
            );
            assert_eq!(read.map(|pin| (pin.status, pin.info)), Ok((status, None)));
        }
    }

    #[test]
    fn an_answer_about_another_cid_or_of_another_shape_is_refused() {
        let body = pin_status("pinned", serde_json::json!({})).replace(CID, OTHER);
        assert!(matches!(
            read_pin_status("Pinata", 200, &body, &cid(), ""),
            Err(PinError::BadAnswer { detail, .. }) if detail.contains(OTHER)
        ));
        let odd = pin_status("done", serde_json::json!({}));
        assert!(matches!(
            read_pin_status("Pinata", 200, &odd, &cid(), ""),
            Err(PinError::BadAnswer { .. })
        ));
        assert!(matches!(
            read_pin_status("Pinata", 200, "<html>ok</html>", &cid(), ""),
            Err(PinError::BadAnswer { .. })
        ));
    }

    #[test]
    fn errors_show_reason_and_details_capped_and_without_the_token() {
        let body =
            r#"{"error":{"reason":"BAD_REQUEST","details":"token sk-secret is over quota"}}"#;
        assert_eq!(
            read_pin_status("4EVERLAND", 400, body, &cid(), "sk-secret"),
            Err(PinError::Refused {
                service: "4EVERLAND".into(),
                status: 400,
                message: "BAD_REQUEST: token [your API token] is over quota".into(),
            })
        );
        let long = format!(r#"{{"error":{{"reason":"{}"}}}}"#, "x".repeat(500));
        let Err(PinError::Refused { message, .. }) = read_pin_status("S", 500, &long, &cid(), "")
        else {
            panic!("refused")
        };
        assert!(message.chars().count() <= 201 && message.ends_with('…'));
        assert!(matches!(
            read_pin_status("S", 502, "Bad Gateway", &cid(), ""),
            Err(PinError::Refused { status: 502, message, .. }) if message.starts_with("no reason given")
        ));
    }

    #[test]
    fn unauthorized_has_its_own_sentence() {
        let body =
            r#"{"error":{"reason":"UNAUTHORIZED","details":"Access token is missing or invalid"}}"#;
        let error = read_pin_status("Filebase", 401, body, &cid(), "").unwrap_err();
        assert_eq!(
            error,
            PinError::Unauthorized {
                service: "Filebase".into()
            }
        );
        assert!(error
            .to_string()
            .starts_with("Filebase refused the access token (401)."));
    }

    #[test]
    fn urls_are_built_from_segments() {
        assert_eq!(
            pins_url("https://api.pinata.cloud/psa/"),
            "https://api.pinata.cloud/psa/pins"
        );
        assert_eq!(
            pin_url("https://api.4everland.dev", "a/b?c#d"),
            "https://api.4everland.dev/pins/a%2Fb%3Fc%23d"
        );
        let body: serde_json::Value =
            serde_json::from_str(&add_pin_body(&cid(), "Minty #1")).unwrap();
        assert_eq!(body, serde_json::json!({"cid": CID, "name": "Minty #1"}));
    }
}
