//! Reading Kubo's RPC answers (https://docs.ipfs.tech/reference/kubo/rpc/):
//! `dag/import`'s ndjson and `pin/ls`'s JSON, and the error object every
//! call answers with when it fails, `{"Message", "Code", "Type": "error"}`.

use std::collections::BTreeMap;

use cid::Cid;
use serde::Deserialize;

use super::upload_answer::shown;
use super::StorageError;

/// One ndjson line of `dag/import`: a `Root` for each root of the CAR, and
/// with `stats=true` a `Stats` line, which is not read.
#[derive(Deserialize)]
struct ImportLine {
    #[serde(rename = "Root")]
    root: Option<ImportRoot>,
    #[serde(rename = "Message")]
    message: Option<String>,
    #[serde(rename = "Type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct ImportRoot {
    #[serde(rename = "Cid")]
    cid: CidLink,
    /// Empty when the root was pinned.
    #[serde(rename = "PinErrorMsg", default)]
    pin_error: String,
}

/// DAG-JSON's link: `{"/": "<cid>"}`.
#[derive(Deserialize)]
struct CidLink {
    #[serde(rename = "/")]
    cid: String,
}

/// Kubo's error answer.
#[derive(Deserialize)]
struct KuboError {
    #[serde(rename = "Message")]
    message: String,
    #[serde(rename = "Type")]
    kind: String,
}

/// Maps the answer to `POST /api/v0/dag/import?pin-roots=true` to success or
/// a typed error. The expected root must be reported (CIDs compared parsed)
/// and pinned; a root reported with a `PinErrorMsg` was stored but not
/// pinned, so the node may drop it. Messages are shown capped, with `secret`
/// scrubbed out.
pub fn read_dag_import_answer(
    endpoint: &str,
    status: u16,
    body: &str,
    expected_root: &Cid,
    secret: &str,
) -> Result<(), StorageError> {
    let endpoint = endpoint.to_owned();
    if matches!(status, 401 | 403) {
        return Err(StorageError::Unauthorized { endpoint });
    }
    if !(200..300).contains(&status) {
        return Err(StorageError::Refused {
            endpoint,
            status,
            message: error_message(body, secret),
        });
    }
    let lines: Vec<ImportLine> = match body
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(serde_json::from_str)
        .collect()
    {
        Ok(lines) => lines,
        Err(_) => {
            return Err(StorageError::BadAnswer {
                endpoint,
                detail: "its answer is not the ndjson of Kubo's dag/import".into(),
            })
        }
    };
    // An error after the answer began streams in as a line of its own.
    if let Some(message) = lines
        .iter()
        .find(|line| line.kind.as_deref() == Some("error"))
        .and_then(|line| line.message.as_deref())
    {
        return Err(StorageError::Refused {
            endpoint,
            status,
            message: shown(message, secret),
        });
    }
    let roots: Vec<&ImportRoot> = lines.iter().filter_map(|line| line.root.as_ref()).collect();
    let Some(root) = roots
        .iter()
        .find(|root| root.cid.cid.parse::<Cid>().ok().as_ref() == Some(expected_root))
    else {
        return match roots.first() {
            Some(other) => Err(StorageError::CidMismatch {
                service: endpoint.clone(),
                ours: expected_root.to_string(),
                theirs: shown(&other.cid.cid, secret),
            }),
            None => Err(StorageError::BadAnswer {
                endpoint,
                detail: "it reported no imported root".into(),
            }),
        };
    };
    if root.pin_error.is_empty() {
        Ok(())
    } else {
        Err(StorageError::NotPinned {
            endpoint,
            message: shown(&root.pin_error, secret),
        })
    }
}

/// `pin/ls`'s answer: `{"Keys": {"<cid>": {"Type": "recursive"}}}`.
#[derive(Deserialize)]
struct PinList {
    #[serde(rename = "Keys")]
    keys: BTreeMap<String, serde_json::Value>,
}

/// Maps the answer to `POST /api/v0/pin/ls?arg=<cid>` to whether the node
/// keeps `root` pinned. Kubo answers an unpinned CID with an error, 500
/// `{"Message": "path '<cid>' is not pinned", …}`.
pub fn read_pin_ls_answer(
    endpoint: &str,
    status: u16,
    body: &str,
    root: &Cid,
    secret: &str,
) -> Result<bool, StorageError> {
    let endpoint = endpoint.to_owned();
    if matches!(status, 401 | 403) {
        return Err(StorageError::Unauthorized { endpoint });
    }
    if (200..300).contains(&status) {
        return match serde_json::from_str::<PinList>(body) {
            Ok(list) => Ok(list
                .keys
                .keys()
                .any(|key| key.parse::<Cid>().ok().as_ref() == Some(root))),
            Err(_) => Err(StorageError::BadAnswer {
                endpoint,
                detail: "its answer is not the JSON of Kubo's pin/ls".into(),
            }),
        };
    }
    match serde_json::from_str::<KuboError>(body) {
        Ok(error) if error.kind == "error" && error.message.ends_with("is not pinned") => Ok(false),
        _ => Err(StorageError::Refused {
            endpoint,
            status,
            message: error_message(body, secret),
        }),
    }
}

/// The `Message` of Kubo's error object, fit to show.
fn error_message(body: &str, secret: &str) -> String {
    match serde_json::from_str::<KuboError>(body) {
        Ok(error) => shown(&error.message, secret),
        Err(_) => "no reason given (the answer was not Kubo's error JSON)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "bafybeiaoz5wvk3vt6qa5u4hz7zx6b2u4j3ieajpmrrwdpreq3u5iygqzdy";
    const OTHER: &str = "bafkreifidl2jnal7ycittjrnbki6jasdxwwvpf7fj733vnyhidtusxby4y";

    fn root() -> Cid {
        ROOT.parse().unwrap()
    }

    fn import(status: u16, body: &str) -> Result<(), StorageError> {
        read_dag_import_answer("http://127.0.0.1:5001", status, body, &root(), "s3cret")
    }

    #[test]
    fn a_pinned_root_among_other_lines_is_success() {
        let body = format!(
            "{{\"Root\":{{\"Cid\":{{\"/\":\"{ROOT}\"}},\"PinErrorMsg\":\"\"}}}}\n\
             {{\"Stats\":{{\"BlockCount\":3,\"BlockBytesCount\":1234}}}}\n"
        );
        assert_eq!(import(200, &body), Ok(()));
    }

    #[test]
    fn the_root_in_another_multibase_is_ours() {
        let base58 = root()
            .to_string_of_base(cid::multibase::Base::Base58Btc)
            .unwrap();
        let body = format!("{{\"Root\":{{\"Cid\":{{\"/\":\"{base58}\"}},\"PinErrorMsg\":\"\"}}}}");
        assert_eq!(import(200, &body), Ok(()));
    }

    #[test]
    fn another_root_is_a_mismatch_and_no_root_is_a_bad_answer() {
        let body = format!("{{\"Root\":{{\"Cid\":{{\"/\":\"{OTHER}\"}},\"PinErrorMsg\":\"\"}}}}");
        assert!(matches!(
            import(200, &body),
            Err(StorageError::CidMismatch { theirs, .. }) if theirs == OTHER
        ));
        assert!(matches!(
            import(200, "{\"Stats\":{\"BlockCount\":0}}"),
            Err(StorageError::BadAnswer { .. })
        ));
        assert!(matches!(
            import(200, "<html>ok</html>"),
            Err(StorageError::BadAnswer { .. })
        ));
    }

    #[test]
    fn a_pin_error_names_the_nodes_message_capped_and_scrubbed() {
        let long = "x".repeat(500);
        let body = format!(
            "{{\"Root\":{{\"Cid\":{{\"/\":\"{ROOT}\"}},\"PinErrorMsg\":\"pin failed for s3cret {long}\"}}}}"
        );
        let error = import(200, &body).unwrap_err();
        let StorageError::NotPinned { message, .. } = &error else {
            panic!("{error:?}")
        };
        assert!(
            message.starts_with("pin failed for [your API token]"),
            "{message}"
        );
        assert!(message.chars().count() <= 201);
        assert!(error.to_string().contains("did not pin it"), "{error}");
    }

    #[test]
    fn kubos_error_object_is_a_refusal_with_its_message() {
        let body = r#"{"Message":"invalid car header: s3cret","Code":0,"Type":"error"}"#;
        assert_eq!(
            import(500, body),
            Err(StorageError::Refused {
                endpoint: "http://127.0.0.1:5001".into(),
                status: 500,
                message: "invalid car header: [your API token]".into(),
            })
        );
        let streamed = format!(
            "{{\"Root\":{{\"Cid\":{{\"/\":\"{ROOT}\"}},\"PinErrorMsg\":\"\"}}}}\n\
             {{\"Message\":\"context canceled\",\"Code\":0,\"Type\":\"error\"}}"
        );
        assert!(matches!(
            import(200, &streamed),
            Err(StorageError::Refused { .. })
        ));
        assert!(matches!(
            import(403, "Forbidden"),
            Err(StorageError::Unauthorized { .. })
        ));
        assert!(matches!(
            import(502, "<html>bad gateway</html>"),
            Err(StorageError::Refused { status: 502, .. })
        ));
    }

    fn pinned(status: u16, body: &str) -> Result<bool, StorageError> {
        read_pin_ls_answer("http://127.0.0.1:5001", status, body, &root(), "")
    }

    #[test]
    fn pin_ls_says_whether_the_root_is_pinned() {
        let body = format!(r#"{{"Keys":{{"{ROOT}":{{"Type":"recursive","Name":""}}}}}}"#);
        assert_eq!(pinned(200, &body), Ok(true));
        let body = format!(r#"{{"Keys":{{"{OTHER}":{{"Type":"recursive"}}}}}}"#);
        assert_eq!(pinned(200, &body), Ok(false));
        let body =
            format!(r#"{{"Message":"path '{ROOT}' is not pinned","Code":0,"Type":"error"}}"#);
        assert_eq!(pinned(500, &body), Ok(false));
        assert!(matches!(
            pinned(
                500,
                r#"{"Message":"merkledag: not found","Code":0,"Type":"error"}"#
            ),
            Err(StorageError::Refused { .. })
        ));
    }
}
