//! Reading Pinata's answers: `pinFileToIPFS`'s JSON
//! (https://docs.pinata.cloud/api-reference/endpoint/ipfs/pin-file-to-ipfs),
//! the `upload-cid` header a v3 resumable upload ends with
//! (https://docs.pinata.cloud/files/uploading-files#resumable-uploads), and
//! Pinata's error answer, `{"error": {"reason", "details"}}` (the v3 API also
//! answers `{"error": "…"}`).

use cid::Cid;
use serde::Deserialize;

use super::upload_answer::shown;
use super::StorageError;

/// `pinFileToIPFS`'s answer; `PinSize`, `Timestamp` and `isDuplicate` are
/// not needed to trust it, so they are not read.
#[derive(Deserialize)]
struct PinAnswer {
    #[serde(rename = "IpfsHash")]
    ipfs_hash: String,
}

#[derive(Deserialize)]
struct ErrorAnswer {
    error: ErrorValue,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorValue {
    Detailed {
        reason: Option<String>,
        details: Option<String>,
    },
    Plain(String),
}

/// v3's file list (https://docs.pinata.cloud/api-reference/endpoint/list-files):
/// `{"data": {"files": [{"cid", …}], "next_page_token"}}`.
#[derive(Deserialize)]
struct FileList {
    data: FileListData,
}

#[derive(Deserialize)]
struct FileListData {
    files: Vec<ListedFile>,
}

#[derive(Deserialize)]
struct ListedFile {
    cid: String,
}

/// Whether the answer to `GET /v3/files/public?cid=<cid>` lists `cid`:
/// Pinata holds it, public, so an earlier upload can be reused.
pub fn read_file_list_answer(
    endpoint: &str,
    status: u16,
    body: &str,
    cid: &Cid,
    secret: &str,
) -> Result<bool, StorageError> {
    if !(200..300).contains(&status) {
        return Err(refusal(endpoint, status, body, secret));
    }
    let list = serde_json::from_str::<FileList>(body).map_err(|_| StorageError::BadAnswer {
        endpoint: endpoint.to_owned(),
        detail: "its answer is not v3's file list".into(),
    })?;
    Ok(list
        .data
        .files
        .iter()
        .any(|file| file.cid.parse::<Cid>().ok().as_ref() == Some(cid)))
}

/// The provider as a sentence names it, with the endpoint the user set.
pub fn service(endpoint: &str) -> String {
    format!("Pinata ({endpoint})")
}

/// Maps the answer to `POST /pinning/pinFileToIPFS` (a file wrapped in a
/// directory) to success or a typed error: the `IpfsHash` must be the
/// directory root the app computed, compared parsed.
pub fn read_pin_file_answer(
    endpoint: &str,
    status: u16,
    body: &str,
    expected_root: &Cid,
    secret: &str,
) -> Result<(), StorageError> {
    if !(200..300).contains(&status) {
        return Err(refusal(endpoint, status, body, secret));
    }
    match serde_json::from_str::<PinAnswer>(body) {
        Ok(answer) => same_cid(endpoint, &answer.ipfs_hash, expected_root, secret),
        Err(_) => Err(StorageError::BadAnswer {
            endpoint: endpoint.to_owned(),
            detail: "its answer is not pinFileToIPFS's JSON (no IpfsHash)".into(),
        }),
    }
}

/// Maps the `upload-cid` header of a finished resumable upload to success
/// or a typed error: it must be the file's own CID, as the app computed it.
pub fn read_upload_cid(
    endpoint: &str,
    upload_cid: Option<&str>,
    expected_file: &Cid,
    secret: &str,
) -> Result<(), StorageError> {
    match upload_cid.map(str::trim).filter(|cid| !cid.is_empty()) {
        Some(cid) => same_cid(endpoint, cid, expected_file, secret),
        None => Err(StorageError::BadAnswer {
            endpoint: endpoint.to_owned(),
            detail: "the upload ended without an upload-cid header (is it exposed to the page?)"
                .into(),
        }),
    }
}

fn same_cid(endpoint: &str, theirs: &str, ours: &Cid, secret: &str) -> Result<(), StorageError> {
    match theirs.parse::<Cid>() {
        Ok(parsed) if parsed == *ours => Ok(()),
        _ => Err(StorageError::CidMismatch {
            service: service(endpoint),
            ours: ours.to_string(),
            theirs: shown(theirs, secret),
        }),
    }
}

/// A refusal (any status but 2xx) as a typed error: 401 and 403 are about
/// the JWT; anything else carries Pinata's message, capped and scrubbed.
pub fn refusal(endpoint: &str, status: u16, body: &str, secret: &str) -> StorageError {
    let endpoint = endpoint.to_owned();
    if matches!(status, 401 | 403) {
        return StorageError::Unauthorized { endpoint };
    }
    let message = match serde_json::from_str::<ErrorAnswer>(body).map(|answer| answer.error) {
        Ok(ErrorValue::Detailed { reason, details }) => match (reason, details) {
            (Some(reason), Some(details)) => format!("{reason}: {details}"),
            (Some(text), None) | (None, Some(text)) => text,
            (None, None) => "no reason given".into(),
        },
        Ok(ErrorValue::Plain(text)) => text,
        Err(_) => "no reason given (the answer was not Pinata's error JSON)".into(),
    };
    StorageError::Refused {
        endpoint,
        status,
        message: shown(&message, secret),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "bafybeiaoz5wvk3vt6qa5u4hz7zx6b2u4j3ieajpmrrwdpreq3u5iygqzdy";
    const OTHER: &str = "bafkreifidl2jnal7ycittjrnbki6jasdxwwvpf7fj733vnyhidtusxby4y";
    const API: &str = "https://api.pinata.cloud";

    fn root() -> Cid {
        ROOT.parse().unwrap()
    }

    #[test]
    fn the_documented_answer_with_the_computed_root_is_success() {
        let body = format!(
            r#"{{"IpfsHash":"{ROOT}","PinSize":1234,"Timestamp":"2026-11-23T14:25:11.000Z","isDuplicate":false}}"#
        );
        assert_eq!(read_pin_file_answer(API, 200, &body, &root(), ""), Ok(()));
        // The same CID in base58 is the same CID.
        let base58 = root()
            .to_string_of_base(cid::multibase::Base::Base58Btc)
            .unwrap();
        let body = format!(r#"{{"IpfsHash":"{base58}","isDuplicate":true}}"#);
        assert_eq!(read_pin_file_answer(API, 200, &body, &root(), ""), Ok(()));
    }

    #[test]
    fn another_cid_is_refused_naming_pinata_and_both_cids() {
        let body = format!(r#"{{"IpfsHash":"{OTHER}","PinSize":3}}"#);
        let error = read_pin_file_answer(API, 200, &body, &root(), "").unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("Pinata (https://api.pinata.cloud) stored"),
            "{message}"
        );
        assert!(
            message.contains(ROOT) && message.contains(OTHER),
            "{message}"
        );
        assert!(message.contains("No transaction was sent"), "{message}");
        let error = read_upload_cid(API, Some(OTHER), &root(), "").unwrap_err();
        assert!(matches!(error, StorageError::CidMismatch { .. }));
        assert!(matches!(
            read_upload_cid(API, Some("not a cid"), &root(), ""),
            Err(StorageError::CidMismatch { .. })
        ));
    }

    #[test]
    fn a_finished_resumable_upload_names_the_file_cid_in_a_header() {
        assert_eq!(read_upload_cid(API, Some(ROOT), &root(), ""), Ok(()));
        assert!(matches!(
            read_upload_cid(API, None, &root(), ""),
            Err(StorageError::BadAnswer { .. })
        ));
    }

    #[test]
    fn a_cid_is_held_when_the_file_list_names_it() {
        let listed = format!(
            r#"{{"data":{{"files":[{{"id":"f1","name":"a.png","cid":"{ROOT}","size":3}}],"next_page_token":""}}}}"#
        );
        assert_eq!(
            read_file_list_answer(API, 200, &listed, &root(), ""),
            Ok(true)
        );
        let other = format!(r#"{{"data":{{"files":[{{"cid":"{OTHER}"}}]}}}}"#);
        assert_eq!(
            read_file_list_answer(API, 200, &other, &root(), ""),
            Ok(false)
        );
        let none = r#"{"data":{"files":[],"next_page_token":""}}"#;
        assert_eq!(
            read_file_list_answer(API, 200, none, &root(), ""),
            Ok(false)
        );
        assert!(matches!(
            read_file_list_answer(API, 401, "{}", &root(), ""),
            Err(StorageError::Unauthorized { .. })
        ));
    }

    #[test]
    fn a_refused_jwt_is_about_the_token() {
        let body = r#"{"error":{"reason":"INVALID_CREDENTIALS","details":"Invalid/expired credentials provided"}}"#;
        for status in [401, 403] {
            assert_eq!(
                read_pin_file_answer(API, status, body, &root(), ""),
                Err(StorageError::Unauthorized {
                    endpoint: API.into()
                })
            );
        }
    }

    #[test]
    fn other_refusals_carry_pinatas_reason_scrubbed_and_capped() {
        let body = r#"{"error":{"reason":"PAYLOAD_TOO_LARGE","details":"File too big"}}"#;
        assert_eq!(
            refusal(API, 413, body, ""),
            StorageError::Refused {
                endpoint: API.into(),
                status: 413,
                message: "PAYLOAD_TOO_LARGE: File too big".into()
            }
        );
        let secret = "eyJhbGciOiJIUzI1NiJ9.jwt";
        let body = format!(r#"{{"error":"bad token {secret} {}"}}"#, "x".repeat(400));
        let StorageError::Refused { message, .. } = refusal(API, 400, &body, secret) else {
            panic!("a 400 is a refusal");
        };
        assert!(
            message.starts_with("bad token [your API token]"),
            "{message}"
        );
        assert!(message.chars().count() <= 201, "capped");
        let StorageError::Refused { message, .. } =
            refusal(API, 502, &format!("<html>{secret}</html>"), secret)
        else {
            panic!("a 502 is a refusal");
        };
        assert!(!message.contains(secret) && !message.contains("<html>"));
        assert!(matches!(
            read_pin_file_answer(API, 200, "{}", &root(), ""),
            Err(StorageError::BadAnswer { .. })
        ));
    }
}
