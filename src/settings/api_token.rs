//! The user's storage API token. It lives only in this browser's
//! localStorage, is shown masked, and is bound to the origin of the storage
//! endpoint it was saved for: if the endpoint changes, the token is not sent
//! until the user saves it again for the new one. It is never put in a URL,
//! a log line or an error message.

#[cfg(target_arch = "wasm32")]
use super::local_storage::{self, StorageError};

#[cfg(target_arch = "wasm32")]
const KEY: &str = "minty.api_token";

/// A secret whose Debug and Display never reveal it, and the origin of the
/// storage endpoint it belongs to.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApiToken {
    token: String,
    /// `scheme://host[:port]` of the endpoint it was saved for.
    endpoint: String,
}

impl ApiToken {
    /// The token as it must be sent in `Authorization: Bearer …`.
    pub fn expose(&self) -> &str {
        &self.token
    }

    /// A token for `endpoint`; `None` when blank or the endpoint has no origin.
    pub fn new(token: &str, endpoint: &str) -> Option<Self> {
        let token = token.trim();
        let endpoint = origin_of(endpoint)?;
        (!token.is_empty()).then(|| Self {
            token: token.to_owned(),
            endpoint,
        })
    }

    /// The origin it may be sent to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Whether it may be sent to `endpoint`: only to the origin it was saved for.
    pub fn belongs_to(&self, endpoint: &str) -> bool {
        origin_of(endpoint).as_deref() == Some(self.endpoint.as_str())
    }

    /// "eyJh…•••…x9Q": enough to recognise it, too little to use it.
    pub fn masked(&self) -> String {
        let characters: Vec<char> = self.token.chars().collect();
        if characters.len() <= 12 {
            return "•".repeat(characters.len().max(8));
        }
        let head: String = characters[..4].iter().collect();
        let tail: String = characters[characters.len() - 3..].iter().collect();
        format!("{head}••••••••{tail}")
    }
}

impl std::fmt::Debug for ApiToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiToken(…)")
    }
}

/// `scheme://host[:port]`, lower-cased, of an http(s) URL.
pub fn origin_of(url: &str) -> Option<String> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next()?;
    // Credentials in a URL ("user@host") are not part of the origin.
    let host = authority.rsplit('@').next()?.to_ascii_lowercase();
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// The saved token, whichever endpoint it belongs to.
#[cfg(target_arch = "wasm32")]
pub fn load_api_token() -> Option<ApiToken> {
    local_storage::get(KEY).and_then(|json| serde_json::from_str(&json).ok())
}

/// Saves a non-blank token for `endpoint`; `Ok(None)` when it was blank and
/// nothing was saved.
#[cfg(target_arch = "wasm32")]
pub fn save_api_token(token: &str, endpoint: &str) -> Result<Option<ApiToken>, StorageError> {
    let Some(token) = ApiToken::new(token, endpoint) else {
        return Ok(None);
    };
    let json = serde_json::to_string(&token).expect("a token serializes");
    local_storage::set(KEY, &json)?;
    Ok(Some(token))
}

#[cfg(target_arch = "wasm32")]
pub fn forget_api_token() -> Result<(), StorageError> {
    local_storage::remove(KEY)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENDPOINT: &str = "https://api.nft.storage";

    #[test]
    fn the_token_never_shows_in_full() {
        let token = ApiToken::new("  eyJhbGciOiJIUzI1NiJ9.secret.part.x9Q ", ENDPOINT).unwrap();
        assert_eq!(token.expose(), "eyJhbGciOiJIUzI1NiJ9.secret.part.x9Q");
        assert_eq!(token.masked(), "eyJh••••••••x9Q");
        assert_eq!(format!("{token:?}"), "ApiToken(…)");
        assert_eq!(
            ApiToken::new("short", ENDPOINT).unwrap().masked(),
            "••••••••"
        );
        assert!(ApiToken::new("   ", ENDPOINT).is_none());
    }

    #[test]
    fn the_token_belongs_to_the_origin_it_was_saved_for() {
        let token = ApiToken::new("secret", "https://api.nft.storage/").unwrap();
        assert!(token.belongs_to("https://API.nft.storage"));
        assert!(token.belongs_to("https://api.nft.storage/some/path"));
        assert!(!token.belongs_to("https://api.nft.storage.evil.example"));
        assert!(!token.belongs_to("http://api.nft.storage"));
        assert!(!token.belongs_to("https://api.nft.storage:8443"));
        assert!(!token.belongs_to("https://evil.example/?https://api.nft.storage"));
        assert!(!token.belongs_to("https://api.nft.storage@evil.example"));
        assert_eq!(
            origin_of("http://127.0.0.1:8787"),
            Some("http://127.0.0.1:8787".into())
        );
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert!(ApiToken::new("secret", "not a url").is_none());
    }
}
