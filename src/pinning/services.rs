//! The pinning services the user replicates to: each with its own access
//! token, bound to the origin of that service's endpoint and sent nowhere
//! else. Saved as one JSON list in this browser's localStorage.

use serde::{Deserialize, Serialize};

use super::PinError;
use crate::settings::api_token::ApiToken;
use crate::settings::{storage_endpoint_in, SettingsError};

/// The localStorage key of the list.
pub const SERVICES_KEY: &str = "minty.pinning_services";

/// A Pinning Services API endpoint the settings page offers by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    pub endpoint: &'static str,
    /// Where the user gets the access token, in the service's own words.
    pub token_from: &'static str,
}

/// Services known to speak the Pinning Services API, with the endpoints
/// they document; the user brings the token.
pub const PRESETS: [Preset; 3] = [
    Preset {
        name: "Pinata",
        endpoint: "https://api.pinata.cloud/psa",
        token_from: "the JWT Pinata shows once when you create an API key (API Keys page), with the Pinning Services API permissions",
    },
    Preset {
        name: "4EVERLAND",
        endpoint: "https://api.4everland.dev",
        token_from: "the access token under Bucket → Pinning Service in the 4EVERLAND dashboard",
    },
    Preset {
        name: "Filebase",
        endpoint: "https://api.filebase.io/v1/ipfs",
        token_from: "a bucket's access token from Filebase's Access Keys page (\"Choose Bucket to Generate Token\")",
    },
];

/// The label of the endpoint field when a service is added.
const ENDPOINT_LABEL: &str = "The pinning service's endpoint";
const NAME_LABEL: &str = "The pinning service's name";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinningService {
    /// The name the user knows it by; shown in every status and error.
    pub name: String,
    /// The API's base URL, without a trailing `/`; `/pins` is appended.
    pub endpoint: String,
    pub token: ApiToken,
    /// Only enabled services are asked to pin.
    pub enabled: bool,
}

impl PinningService {
    /// A service from the settings form, checked: a name, an http(s)
    /// endpoint, and a token that may go to that endpoint's origin.
    pub fn new(name: &str, endpoint: &str, token: &str) -> Result<Self, SettingsError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(SettingsError::Empty { key: NAME_LABEL });
        }
        if endpoint.trim().is_empty() {
            return Err(SettingsError::Empty {
                key: ENDPOINT_LABEL,
            });
        }
        let endpoint = storage_endpoint_in(ENDPOINT_LABEL, endpoint.trim())?;
        if token.trim().is_empty() {
            return Err(SettingsError::EmptyApiToken);
        }
        let token =
            ApiToken::new(token, &endpoint).ok_or_else(|| SettingsError::TokenNeedsHttps {
                endpoint: endpoint.clone(),
            })?;
        Ok(Self {
            name: name.to_owned(),
            endpoint,
            token,
            enabled: true,
        })
    }

    /// The token, if it may go to this service's endpoint: a list edited by
    /// hand in localStorage must not move a token to another origin.
    pub fn token_for_requests(&self) -> Result<&ApiToken, PinError> {
        if self.token.belongs_to(&self.endpoint) {
            Ok(&self.token)
        } else {
            Err(PinError::TokenForAnotherEndpoint {
                service: self.name.clone(),
                saved_for: self.token.endpoint().to_owned(),
                endpoint: self.endpoint.clone(),
            })
        }
    }
}

/// The saved list; an unreadable one reads as empty.
pub fn read_services(json: Option<&str>) -> Vec<PinningService> {
    json.and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default()
}

pub fn services_json(services: &[PinningService]) -> String {
    serde_json::to_string(services).expect("a list of services serializes")
}

/// The list with `service` added, or in place of the one at its endpoint.
pub fn with_service(
    mut services: Vec<PinningService>,
    service: PinningService,
) -> Vec<PinningService> {
    match services.iter_mut().find(|s| s.endpoint == service.endpoint) {
        Some(existing) => *existing = service,
        None => services.push(service),
    }
    services
}

pub fn without_service(services: Vec<PinningService>, endpoint: &str) -> Vec<PinningService> {
    services
        .into_iter()
        .filter(|s| s.endpoint != endpoint)
        .collect()
}

pub fn with_enabled(
    mut services: Vec<PinningService>,
    endpoint: &str,
    enabled: bool,
) -> Vec<PinningService> {
    for service in services.iter_mut().filter(|s| s.endpoint == endpoint) {
        service.enabled = enabled;
    }
    services
}

#[cfg(target_arch = "wasm32")]
pub fn load_services() -> Vec<PinningService> {
    read_services(crate::settings::local_storage::get(SERVICES_KEY).as_deref())
}

#[cfg(target_arch = "wasm32")]
pub fn save_services(
    services: &[PinningService],
) -> Result<(), crate::settings::local_storage::LocalStorageError> {
    crate::settings::local_storage::set(SERVICES_KEY, &services_json(services))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_name_each_services_documented_endpoint() {
        for preset in PRESETS {
            let service = PinningService::new(preset.name, preset.endpoint, "token").unwrap();
            assert_eq!(service.endpoint, preset.endpoint);
            assert!(service.token_for_requests().is_ok());
        }
    }

    #[test]
    fn a_service_is_checked_before_it_is_saved() {
        assert_eq!(
            PinningService::new(" ", "https://psa.example", "t"),
            Err(SettingsError::Empty { key: NAME_LABEL })
        );
        assert!(matches!(
            PinningService::new("A", "psa.example", "t"),
            Err(SettingsError::InvalidUrl { .. })
        ));
        assert_eq!(
            PinningService::new("A", "https://psa.example", "  "),
            Err(SettingsError::EmptyApiToken)
        );
        assert!(matches!(
            PinningService::new("A", "http://psa.example", "t"),
            Err(SettingsError::TokenNeedsHttps { .. })
        ));
        let local = PinningService::new("Local", "http://127.0.0.1:8787/psa/a/", "t").unwrap();
        assert_eq!(local.endpoint, "http://127.0.0.1:8787/psa/a");
        assert_eq!(local.token.endpoint(), "http://127.0.0.1:8787");
    }

    #[test]
    fn each_token_stays_with_its_own_service() {
        let a = PinningService::new("A", "http://127.0.0.1:8787/psa/a", "token-a").unwrap();
        let b = PinningService::new("B", "http://localhost:8787/psa/b", "token-b").unwrap();
        assert_ne!(a.token.endpoint(), b.token.endpoint());
        // A list edited by hand that points A's token at B's origin.
        let moved = PinningService {
            endpoint: b.endpoint.clone(),
            ..a.clone()
        };
        assert!(matches!(
            moved.token_for_requests(),
            Err(PinError::TokenForAnotherEndpoint { .. })
        ));
        let services = with_service(with_service(Vec::new(), a.clone()), b.clone());
        let read = read_services(Some(&services_json(&services)));
        assert_eq!(read, services);
        assert_eq!(read[0].token.expose(), "token-a");
    }

    #[test]
    fn the_list_is_edited_by_endpoint() {
        let a = PinningService::new("A", "https://a.example", "1").unwrap();
        let a2 = PinningService::new("A again", "https://a.example/", "2").unwrap();
        let b = PinningService::new("B", "https://b.example", "3").unwrap();
        let list = with_service(with_service(vec![a], b.clone()), a2.clone());
        assert_eq!(list, vec![a2.clone(), b.clone()]);
        let list = with_enabled(list, "https://b.example", false);
        assert!(!list[1].enabled && list[0].enabled);
        assert_eq!(without_service(list, "https://a.example").len(), 1);
        assert!(read_services(Some("not json")).is_empty());
        assert!(read_services(None).is_empty());
    }
}
