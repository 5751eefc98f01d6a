//! The user's storage API token. It lives only in this browser's
//! localStorage, is shown masked, and is sent only to the storage endpoint
//! it was saved for (see `storage::nft_storage`); it is never put in a URL,
//! a log line or an error message.

#[cfg(target_arch = "wasm32")]
use super::local_storage::{self, StorageError};

#[cfg(target_arch = "wasm32")]
const KEY: &str = "minty.api_token";

/// A secret whose Debug and Display never reveal it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiToken(String);

impl ApiToken {
    /// The token as it must be sent in `Authorization: Bearer …`.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn new(token: &str) -> Option<Self> {
        let token = token.trim();
        (!token.is_empty()).then(|| Self(token.to_owned()))
    }

    /// "eyJh…•••…x9Q": enough to recognise it, too little to use it.
    pub fn masked(&self) -> String {
        let characters: Vec<char> = self.0.chars().collect();
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

#[cfg(target_arch = "wasm32")]
pub fn load_api_token() -> Option<ApiToken> {
    local_storage::get(KEY).and_then(|token| ApiToken::new(&token))
}

/// Saves a non-blank token; `Ok(None)` when it was blank and nothing was saved.
#[cfg(target_arch = "wasm32")]
pub fn save_api_token(token: &str) -> Result<Option<ApiToken>, StorageError> {
    let Some(token) = ApiToken::new(token) else {
        return Ok(None);
    };
    local_storage::set(KEY, token.expose())?;
    Ok(Some(token))
}

#[cfg(target_arch = "wasm32")]
pub fn forget_api_token() -> Result<(), StorageError> {
    local_storage::remove(KEY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_shows_in_full() {
        let token = ApiToken::new("  eyJhbGciOiJIUzI1NiJ9.secret.part.x9Q ").unwrap();
        assert_eq!(token.expose(), "eyJhbGciOiJIUzI1NiJ9.secret.part.x9Q");
        assert_eq!(token.masked(), "eyJh••••••••x9Q");
        assert_eq!(format!("{token:?}"), "ApiToken(…)");
        assert_eq!(ApiToken::new("short").unwrap().masked(), "••••••••");
        assert!(ApiToken::new("   ").is_none());
    }
}
