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

/// nft.storage's `error` object, in every answer that fails.
#[derive(Deserialize)]
pub(super) struct ErrorValue {
    message: Option<String>,
}

/// The service's own message about a failure, fit to show.
pub(super) fn refusal_message(error: Option<ErrorValue>, secret: &str) -> String {
    error
        .and_then(|error| error.message)
        .map(|message| shown(&message, secret))
        .unwrap_or_else(|| "no reason given".into())
}

/// The longest service message shown to the user.
const MESSAGE_CAP: usize = 200;

/// Maps an HTTP answer to success or a typed error; a stored root other
/// than `expected_root` is an error, since the app cites the root it computed.
/// CIDs are compared parsed, so the same CID in another multibase passes.
/// Only the service's parsed message is ever shown, capped, and with
/// `secret` (the API token) scrubbed out: some services echo the request.
pub fn read_upload_answer(
    endpoint: &str,
    status: u16,
    body: &str,
    expected_root: &Cid,
    secret: &str,
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
        }) if success => match cid.parse::<Cid>() {
            Ok(theirs) if theirs == *expected_root => Ok(()),
            _ => Err(StorageError::CidMismatch {
                service: endpoint.clone(),
                ours: expected_root.to_string(),
                theirs: shown(&cid, secret),
            }),
        },
        Ok(Answer { error, .. }) if !success => Err(StorageError::Refused {
            endpoint,
            status,
            message: refusal_message(error, secret),
        }),
        Err(_) if !success => Err(StorageError::Refused {
            endpoint,
            status,
            message: "no reason given (the answer was not JSON)".into(),
        }),
        _ => Err(StorageError::BadAnswer {
            endpoint,
            detail: "its answer is not the JSON of nft.storage's API".into(),
        }),
    }
}

/// Text from a service, fit to show: the secret scrubbed out, then capped.
pub(crate) fn shown(text: &str, secret: &str) -> String {
    let scrubbed = if secret.is_empty() {
        text.to_owned()
    } else {
        text.replace(secret, "[your API token]")
    };
    match scrubbed.char_indices().nth(MESSAGE_CAP) {
        Some((cut, _)) => format!("{}…", &scrubbed[..cut]),
        None => scrubbed,
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
        assert_eq!(
            read_upload_answer("http://s", 200, &body, &root(), ""),
            Ok(())
        );
    }

    #[test]
    fn another_root_is_refused_naming_both() {
        let body = r#"{"ok":true,"value":{"cid":"bafkreifidl2jnal7ycittjrnbki6jasdxwwvpf7fj733vnyhidtusxby4y"}}"#;
        let error = read_upload_answer("http://s", 200, body, &root(), "").unwrap_err();
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
        let error = read_upload_answer("http://s", 401, body, &root(), "").unwrap_err();
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
            read_upload_answer("http://s", 400, body, &root(), ""),
            Err(StorageError::Refused {
                endpoint: "http://s".into(),
                status: 400,
                message: "Invalid CAR".into()
            })
        );
        assert!(matches!(
            read_upload_answer("http://s", 502, "<html>bad gateway</html>", &root(), ""),
            Err(StorageError::Refused { status: 502, .. })
        ));
        assert!(matches!(
            read_upload_answer("http://s", 200, "not json", &root(), ""),
            Err(StorageError::BadAnswer { .. })
        ));
    }

    #[test]
    fn the_same_cid_in_another_multibase_is_the_same_root() {
        let base58 = root()
            .to_string_of_base(cid::multibase::Base::Base58Btc)
            .unwrap();
        let body = format!(r#"{{"ok":true,"value":{{"cid":"{base58}"}}}}"#);
        assert_eq!(
            read_upload_answer("http://s", 200, &body, &root(), ""),
            Ok(())
        );
    }

    #[test]
    fn a_message_that_echoes_the_token_is_shown_without_it_and_capped() {
        let secret = "eyJhbGciOiJIUzI1NiJ9.secret";
        let long = "x".repeat(500);
        let body = format!(r#"{{"ok":false,"error":{{"message":"bad token {secret} {long}"}}}}"#);
        let Err(StorageError::Refused { message, .. }) =
            read_upload_answer("http://s", 403, &body, &root(), secret)
        else {
            panic!("a 403 is a refusal");
        };
        assert!(!message.contains(secret), "{message}");
        assert!(message.starts_with("bad token [your API token]"));
        assert_eq!(
            message.chars().count(),
            MESSAGE_CAP + 1,
            "capped, with an ellipsis"
        );
        let html = format!("<html>{secret}</html>");
        let error = read_upload_answer("http://s", 502, &html, &root(), secret).unwrap_err();
        assert!(!error.to_string().contains(secret));
        assert!(!error.to_string().contains("<html>"));
    }
}
