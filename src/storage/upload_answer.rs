//! Reading nft.storage's answer to `POST /upload`: `{ok: true, value: {cid}}`
//! or `{ok: false, error: {name|code, message}}` with an error status.

use cid::Cid;
use serde::Deserialize;

use super::StorageError;

#[derive(Deserialize)]
struct Answer {
    ok: bool,
    value: Option<UploadValue>,
    error: Option<ErrorValue>,
}

#[derive(Deserialize)]
struct UploadValue {
    cid: String,
}

#[derive(Deserialize)]
struct ErrorValue {
    message: Option<String>,
}

/// Maps an HTTP answer to success or a typed error; a stored root other
/// than `expected_root` is an error, since the app cites the root it computed.
pub fn read_upload_answer(
    endpoint: &str,
    status: u16,
    body: &str,
    expected_root: &Cid,
) -> Result<(), StorageError> {
    let endpoint = endpoint.to_owned();
    let success = (200..300).contains(&status);
    if status == 401 {
        return Err(StorageError::Unauthorized { endpoint });
    }
    match serde_json::from_str::<Answer>(body) {
        Ok(Answer {
            ok: true,
            value: Some(UploadValue { cid }),
            ..
        }) if success => {
            if cid == expected_root.to_string() {
                Ok(())
            } else {
                Err(StorageError::CidMismatch {
                    ours: *expected_root,
                    theirs: cid,
                })
            }
        }
        Ok(Answer { error, .. }) if !success => Err(StorageError::Refused {
            endpoint,
            status,
            message: error
                .and_then(|error| error.message)
                .unwrap_or_else(|| "no reason given".into()),
        }),
        Err(_) if !success => Err(StorageError::Refused {
            endpoint,
            status,
            message: body.chars().take(200).collect(),
        }),
        _ => Err(StorageError::BadAnswer {
            endpoint,
            detail: body.chars().take(200).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: &str = "bafybeiaoz5wvk3vt6qa5u4hz7zx6b2u4j3ieajpmrrwdpreq3u5iygqzdy";

    fn root() -> Cid {
        ROOT.parse().unwrap()
    }

    #[test]
    fn the_expected_root_is_success() {
        let body = format!(r#"{{"ok":true,"value":{{"cid":"{ROOT}","size":2}}}}"#);
        assert_eq!(read_upload_answer("http://s", 200, &body, &root()), Ok(()));
    }

    #[test]
    fn another_root_is_refused_naming_both() {
        let body = r#"{"ok":true,"value":{"cid":"bafkreifidl2jnal7ycittjrnbki6jasdxwwvpf7fj733vnyhidtusxby4y"}}"#;
        let error = read_upload_answer("http://s", 200, body, &root()).unwrap_err();
        assert!(matches!(error, StorageError::CidMismatch { .. }));
        let message = error.to_string();
        assert!(
            message.contains(ROOT) && message.contains("bafkreifidl2"),
            "{message}"
        );
    }

    #[test]
    fn a_401_is_about_the_token() {
        let body = r#"{"ok":false,"error":{"name":"HTTPError","message":"API Key is missing"}}"#;
        let error = read_upload_answer("http://s", 401, body, &root()).unwrap_err();
        assert_eq!(
            error,
            StorageError::Unauthorized {
                endpoint: "http://s".into()
            }
        );
        assert!(error.to_string().contains("API token"));
    }

    #[test]
    fn other_refusals_carry_the_services_message() {
        let body = r#"{"ok":false,"error":{"code":"ERROR_INVALID_CAR","message":"Invalid CAR"}}"#;
        assert_eq!(
            read_upload_answer("http://s", 400, body, &root()),
            Err(StorageError::Refused {
                endpoint: "http://s".into(),
                status: 400,
                message: "Invalid CAR".into()
            })
        );
        assert!(matches!(
            read_upload_answer("http://s", 502, "<html>bad gateway</html>", &root()),
            Err(StorageError::Refused { status: 502, .. })
        ));
        assert!(matches!(
            read_upload_answer("http://s", 200, "not json", &root()),
            Err(StorageError::BadAnswer { .. })
        ));
    }
}
