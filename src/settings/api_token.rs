//! Each storage provider's API token. It lives only in this browser's
//! localStorage, one key per provider, is shown masked, and is bound to the
//! origin of that provider's endpoint it was saved for: if the endpoint
//! changes, the token is not sent until the user saves it again for the new
//! one. It is never put in a URL, a log line or an error message.

use super::StorageProviderKind;
#[cfg(target_arch = "wasm32")]
use super::{
    local_storage::{self, LocalStorageError, SaveError},
    ProviderEndpoints, SettingsError,
};

/// Where the nft.storage token was saved before each provider had its own;
/// read once, moved to [`token_key`], then removed.
pub const LEGACY_KEY: &str = "minty.api_token";

/// The localStorage key of `provider`'s token.
pub fn token_key(provider: StorageProviderKind) -> &'static str {
    match provider {
        StorageProviderKind::NftStorage => "minty.token.nft-storage",
        StorageProviderKind::KuboRpc => "minty.token.kubo",
        StorageProviderKind::Pinata => "minty.token.pinata",
    }
}

/// The token saved for `provider`, as `get` reads localStorage, and whether
/// it was found under [`LEGACY_KEY`] (so it is to be moved).
pub fn read_saved_token(
    provider: StorageProviderKind,
    get: impl Fn(&str) -> Option<String>,
) -> Option<(ApiToken, bool)> {
    let parse = |json: String| serde_json::from_str::<ApiToken>(&json).ok();
    if let Some(token) = get(token_key(provider)).and_then(parse) {
        return Some((token, false));
    }
    (provider == StorageProviderKind::NftStorage)
        .then(|| get(LEGACY_KEY).and_then(parse))
        .flatten()
        .map(|token| (token, true))
}

/// A secret whose Debug and Display never reveal it, and the origins of the
/// storage endpoints it belongs to.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApiToken {
    token: String,
    /// `scheme://host[:port]` of the endpoint it was saved for.
    endpoint: String,
    /// Further origins of the same provider it was saved for: Pinata takes
    /// resumable uploads on an origin apart from its API.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    also: Vec<String>,
}

impl ApiToken {
    /// The token as it must be sent in `Authorization: Bearer …`.
    pub fn expose(&self) -> &str {
        &self.token
    }

    /// A token for `endpoint`; `None` when blank, or when the endpoint is no
    /// origin a token may go to (see [`token_origin`]).
    pub fn new(token: &str, endpoint: &str) -> Option<Self> {
        Self::for_endpoints(token, [endpoint])
    }

    /// A token for all of `endpoints` (the first is the API); `None` when
    /// blank, when there is no endpoint, or when any of them is no origin a
    /// token may go to.
    pub fn for_endpoints<'a>(
        token: &str,
        endpoints: impl IntoIterator<Item = &'a str>,
    ) -> Option<Self> {
        let token = token.trim();
        let mut origins = Vec::new();
        for endpoint in endpoints {
            let origin = token_origin(endpoint)?;
            if !origins.contains(&origin) {
                origins.push(origin);
            }
        }
        if token.is_empty() || origins.is_empty() {
            return None;
        }
        let endpoint = origins.remove(0);
        Some(Self {
            token: token.to_owned(),
            endpoint,
            also: origins,
        })
    }

    /// The origin it may be sent to (the API's, for a provider with two).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Every origin it may be sent to, as the page names them.
    pub fn origins_text(&self) -> String {
        std::iter::once(&self.endpoint)
            .chain(&self.also)
            .cloned()
            .collect::<Vec<_>>()
            .join(" and ")
    }

    /// Whether it may be sent to `endpoint`: only to an origin it was saved for.
    pub fn belongs_to(&self, endpoint: &str) -> bool {
        token_origin(endpoint)
            .is_some_and(|origin| origin == self.endpoint || self.also.contains(&origin))
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

/// The origin (`scheme://host[:port]`) of an http(s) URL, as the browser
/// itself reads it. Parsing by hand once let `https://evil.example\@api.nft.storage`
/// pass as api.nft.storage, while the browser sends it to evil.example
/// (WHATWG URL reads `\` as `/` in http(s) URLs). So the browser's own
/// parser decides in the app, and the `url` crate, which implements the same
/// WHATWG standard, in native builds and tests.
pub fn origin_of(url: &str) -> Option<String> {
    let origin = whatwg_origin(url.trim())?;
    (origin.starts_with("https://") || origin.starts_with("http://")).then_some(origin)
}

#[cfg(target_arch = "wasm32")]
fn whatwg_origin(url: &str) -> Option<String> {
    web_sys::Url::new(url).ok().map(|url| url.origin())
}

#[cfg(not(target_arch = "wasm32"))]
fn whatwg_origin(url: &str) -> Option<String> {
    let origin = url::Url::parse(url).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// The origin a token saved for `endpoint` may be sent to: any https
/// origin, and plain http only to this machine (loopback), where nothing
/// on the network can read it.
pub fn token_origin(endpoint: &str) -> Option<String> {
    let origin = origin_of(endpoint)?;
    match origin.strip_prefix("http://") {
        Some(authority) if !is_loopback(authority) => None,
        _ => Some(origin),
    }
}

/// `host[:port]` of a parsed origin: localhost, 127.0.0.0/8 or [::1].
fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(v6) => return v6.split(']').next() == Some("::1"),
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host),
    };
    host == "localhost"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// `provider`'s saved token, whichever endpoint it belongs to. The
/// nft.storage token saved under [`LEGACY_KEY`] is moved to its own key.
#[cfg(target_arch = "wasm32")]
pub fn load_api_token(provider: StorageProviderKind) -> Option<ApiToken> {
    let (token, legacy) = read_saved_token(provider, local_storage::get)?;
    if legacy {
        let json = serde_json::to_string(&token).expect("a token serializes");
        if local_storage::set(token_key(provider), &json).is_ok() {
            let _ = local_storage::remove(LEGACY_KEY);
        }
    }
    Some(token)
}

/// Saves a non-blank token for `provider` at its `endpoints`, if a token
/// may go to each of them.
#[cfg(target_arch = "wasm32")]
pub fn save_api_token(
    provider: StorageProviderKind,
    token: &str,
    endpoints: &ProviderEndpoints,
) -> Result<ApiToken, SaveError> {
    if token.trim().is_empty() {
        return Err(SettingsError::EmptyApiToken.into());
    }
    let token = ApiToken::for_endpoints(token, endpoints.all()).ok_or_else(|| {
        SettingsError::TokenNeedsHttps {
            endpoint: endpoints
                .all()
                .find(|endpoint| token_origin(endpoint).is_none())
                .unwrap_or(&endpoints.api)
                .to_owned(),
        }
    })?;
    let json = serde_json::to_string(&token).expect("a token serializes");
    local_storage::set(token_key(provider), &json)?;
    Ok(token)
}

#[cfg(target_arch = "wasm32")]
pub fn forget_api_token(provider: StorageProviderKind) -> Result<(), LocalStorageError> {
    if provider == StorageProviderKind::NftStorage {
        local_storage::remove(LEGACY_KEY)?;
    }
    local_storage::remove(token_key(provider))
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

    #[test]
    fn a_backslash_before_the_at_sign_is_a_path_as_browsers_parse_it() {
        // WHATWG URL: in http(s) URLs "\" is "/", so the host is evil.example
        // and "@api.nft.storage" is only a path; the browser sends it there.
        let disguised = "https://evil.example\\@api.nft.storage";
        assert_eq!(origin_of(disguised), Some("https://evil.example".into()));
        let token = ApiToken::new("secret", ENDPOINT).unwrap();
        assert!(!token.belongs_to(disguised));
        assert!(!token.belongs_to("https://evil.example\\.api.nft.storage"));
    }

    #[test]
    fn plain_http_is_only_for_this_machine() {
        for loopback in [
            "http://127.0.0.1:8787",
            "http://localhost:8787",
            "http://[::1]:8787",
            "http://127.1.2.3",
        ] {
            assert!(
                ApiToken::new("secret", loopback).is_some(),
                "{loopback} is this machine"
            );
        }
        for remote in [
            "http://api.nft.storage",
            "http://192.168.1.10:5001",
            "http://localhost.evil.example",
        ] {
            assert!(
                ApiToken::new("secret", remote).is_none(),
                "{remote} would carry the token in clear text"
            );
        }
    }

    #[test]
    fn each_provider_has_its_own_token_and_the_old_one_is_nft_storages() {
        let saved = |pairs: Vec<(&'static str, String)>| {
            move |key: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.clone())
            }
        };
        let json = |token: &str, endpoint: &str| {
            serde_json::to_string(&ApiToken::new(token, endpoint).unwrap()).unwrap()
        };
        let legacy = saved(vec![(LEGACY_KEY, json("old", ENDPOINT))]);
        let (token, from_legacy) =
            read_saved_token(StorageProviderKind::NftStorage, &legacy).unwrap();
        assert_eq!(
            (token.expose(), token.endpoint(), from_legacy),
            ("old", ENDPOINT, true)
        );
        assert!(
            read_saved_token(StorageProviderKind::KuboRpc, &legacy).is_none(),
            "the nft.storage token never goes to a Kubo node"
        );

        let both = saved(vec![
            (LEGACY_KEY, json("old", ENDPOINT)),
            ("minty.token.nft-storage", json("new", ENDPOINT)),
            ("minty.token.kubo", json("kubo", "https://rpc.example")),
        ]);
        let (token, from_legacy) =
            read_saved_token(StorageProviderKind::NftStorage, &both).unwrap();
        assert_eq!((token.expose(), from_legacy), ("new", false));
        let (token, _) = read_saved_token(StorageProviderKind::KuboRpc, &both).unwrap();
        assert_eq!(
            (token.expose(), token.endpoint()),
            ("kubo", "https://rpc.example")
        );
        assert_ne!(
            token_key(StorageProviderKind::NftStorage),
            token_key(StorageProviderKind::KuboRpc)
        );
    }

    #[test]
    fn a_pinata_jwt_belongs_to_its_api_and_uploads_origins_and_nowhere_else() {
        let token = ApiToken::for_endpoints(
            "jwt",
            ["https://api.pinata.cloud", "https://uploads.pinata.cloud/"],
        )
        .unwrap();
        assert!(token.belongs_to("https://api.pinata.cloud/pinning/pinFileToIPFS"));
        assert!(token.belongs_to("https://uploads.pinata.cloud/v3/files/abc"));
        assert!(!token.belongs_to("https://evil.example\\@uploads.pinata.cloud"));
        assert!(!token.belongs_to("https://pinata.cloud"));
        assert_eq!(
            token.origins_text(),
            "https://api.pinata.cloud and https://uploads.pinata.cloud"
        );
        // Saved and read back, both origins survive; an older token has one.
        let json = serde_json::to_string(&token).unwrap();
        assert_eq!(serde_json::from_str::<ApiToken>(&json).unwrap(), token);
        let one = serde_json::to_string(&ApiToken::new("t", ENDPOINT).unwrap()).unwrap();
        assert!(!one.contains("also"), "{one}");
        // One origin a token may not go to refuses the token for all.
        assert!(
            ApiToken::for_endpoints("jwt", ["https://api.pinata.cloud", "http://10.0.0.2:80"])
                .is_none()
        );
        assert!(ApiToken::for_endpoints("jwt", []).is_none());
        assert_ne!(
            token_key(StorageProviderKind::Pinata),
            token_key(StorageProviderKind::NftStorage)
        );
    }

    #[test]
    fn origins_are_normalised_as_browsers_do() {
        assert_eq!(
            origin_of("HTTPS://API.NFT.STORAGE:443/upload"),
            Some("https://api.nft.storage".into())
        );
        assert_eq!(
            origin_of("https://user:pass@api.nft.storage/"),
            Some("https://api.nft.storage".into())
        );
    }
}
