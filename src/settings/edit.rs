//! Changes made on the settings page. Each is checked here and becomes one
//! localStorage write; reading the saved values back (`Settings::overlay_saved`)
//! then gives the new settings, so what the page shows is what a reload shows.

use std::collections::BTreeMap;

use ethers_core::{types::Address, utils::to_checksum};

use super::{
    address_in, chain_id_in, gateway_in, gateway_list_in, keys, provider_in, storage_endpoint_in,
    url_in, Settings, SettingsError,
};

/// How refused edits name their field, in the settings page's words.
mod labels {
    pub const CHAIN_ID: &str = "The chain id";
    pub const RPC_URL: &str = "The RPC URL";
    pub const STORAGE_ENDPOINT: &str = "The storage endpoint";
    pub const STORAGE_PROVIDER: &str = "The storage provider";
    pub const KUBO_ENDPOINT: &str = "The Kubo RPC endpoint";
    pub const PINATA_API_ENDPOINT: &str = "The Pinata API endpoint";
    pub const PINATA_UPLOADS_ENDPOINT: &str = "The Pinata uploads endpoint";
    pub const GATEWAY: &str = "The gateway";
    pub const GATEWAY_FALLBACKS: &str = "The fallback gateways";
    pub const CONTRACT: &str = "The contract address";
}

/// One change, with its values exactly as the user typed them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    ChainId(String),
    RpcUrl(String),
    StorageEndpoint(String),
    /// A [`super::StorageProviderKind::id`].
    StorageProvider(String),
    KuboEndpoint(String),
    PinataApiEndpoint(String),
    PinataUploadsEndpoint(String),
    Gateway(String),
    /// Space- or comma-separated gateway URLs, or `none`.
    GatewayFallbacks(String),
    Contract {
        chain_id: String,
        address: String,
    },
    RemoveContract(u64),
    /// Forgets the saved value, so the build's preset (or the default) applies again.
    Reset(Setting),
}

/// A setting the user can save over its preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    ChainId,
    RpcUrl,
    StorageEndpoint,
    StorageProvider,
    KuboEndpoint,
    PinataApiEndpoint,
    PinataUploadsEndpoint,
    Gateway,
    GatewayFallbacks,
    Contracts,
}

impl Setting {
    /// The localStorage key the setting is saved under.
    pub fn key(self) -> &'static str {
        match self {
            Setting::ChainId => keys::CHAIN_ID,
            Setting::RpcUrl => keys::RPC_URL,
            Setting::StorageEndpoint => keys::STORAGE_ENDPOINT,
            Setting::StorageProvider => keys::STORAGE_PROVIDER,
            Setting::KuboEndpoint => keys::KUBO_ENDPOINT,
            Setting::PinataApiEndpoint => keys::PINATA_API_ENDPOINT,
            Setting::PinataUploadsEndpoint => keys::PINATA_UPLOADS_ENDPOINT,
            Setting::Gateway => keys::GATEWAY,
            Setting::GatewayFallbacks => keys::GATEWAY_FALLBACKS,
            Setting::Contracts => keys::CONTRACTS,
        }
    }
}

/// Store `value` under `key`, or remove the key when `value` is `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Write {
    pub key: &'static str,
    pub value: Option<String>,
}

impl Settings {
    /// The write that makes `edit` to these settings stick. `presets` are
    /// the settings before any saved value: contracts are saved as the
    /// changes to them, so a preset that is later fixed still comes through.
    pub fn write_for(&self, edit: &Edit, presets: &Settings) -> Result<Write, SettingsError> {
        let saved = |setting: Setting, value: String| Write {
            key: setting.key(),
            value: Some(value),
        };
        Ok(match edit {
            Edit::ChainId(text) => saved(
                Setting::ChainId,
                chain_id_in(labels::CHAIN_ID, filled(labels::CHAIN_ID, text)?)?.to_string(),
            ),
            Edit::RpcUrl(text) => saved(
                Setting::RpcUrl,
                url_in(labels::RPC_URL, filled(labels::RPC_URL, text)?)?,
            ),
            Edit::StorageEndpoint(text) => saved(
                Setting::StorageEndpoint,
                storage_endpoint_in(
                    labels::STORAGE_ENDPOINT,
                    filled(labels::STORAGE_ENDPOINT, text)?,
                )?,
            ),
            Edit::StorageProvider(text) => saved(
                Setting::StorageProvider,
                provider_in(
                    labels::STORAGE_PROVIDER,
                    filled(labels::STORAGE_PROVIDER, text)?,
                )?
                .id()
                .to_owned(),
            ),
            Edit::KuboEndpoint(text) => saved(
                Setting::KuboEndpoint,
                storage_endpoint_in(labels::KUBO_ENDPOINT, filled(labels::KUBO_ENDPOINT, text)?)?,
            ),
            Edit::PinataApiEndpoint(text) => saved(
                Setting::PinataApiEndpoint,
                storage_endpoint_in(
                    labels::PINATA_API_ENDPOINT,
                    filled(labels::PINATA_API_ENDPOINT, text)?,
                )?,
            ),
            Edit::PinataUploadsEndpoint(text) => saved(
                Setting::PinataUploadsEndpoint,
                storage_endpoint_in(
                    labels::PINATA_UPLOADS_ENDPOINT,
                    filled(labels::PINATA_UPLOADS_ENDPOINT, text)?,
                )?,
            ),
            Edit::Gateway(text) => saved(
                Setting::Gateway,
                gateway_in(labels::GATEWAY, filled(labels::GATEWAY, text)?)?,
            ),
            Edit::GatewayFallbacks(text) => {
                let text = filled(labels::GATEWAY_FALLBACKS, text)?;
                let fallbacks = gateway_list_in(labels::GATEWAY_FALLBACKS, text)?;
                saved(
                    Setting::GatewayFallbacks,
                    if fallbacks.is_empty() {
                        super::NO_FALLBACKS.to_owned()
                    } else {
                        fallbacks.join(" ")
                    },
                )
            }
            Edit::Contract { chain_id, address } => {
                let chain_id = chain_id_in(labels::CHAIN_ID, filled(labels::CHAIN_ID, chain_id)?)?;
                let address = address_in(labels::CONTRACT, filled(labels::CONTRACT, address)?)?;
                let mut contracts = self.contracts.clone();
                contracts.insert(chain_id, address);
                contracts_write(&contracts, &presets.contracts)
            }
            Edit::RemoveContract(chain_id) => {
                let mut contracts = self.contracts.clone();
                contracts.remove(chain_id);
                contracts_write(&contracts, &presets.contracts)
            }
            Edit::Reset(setting) => Write {
                key: setting.key(),
                value: None,
            },
        })
    }
}

/// The trimmed text, refused when there is none.
fn filled<'a>(key: &'static str, text: &'a str) -> Result<&'a str, SettingsError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SettingsError::Empty { key });
    }
    Ok(text)
}

/// `contracts` saved as changes to `presets`: `{"chain id": "0xAddress"}`
/// for each one set or replaced, `{"chain id": null}` for each preset removed.
fn contracts_write(contracts: &BTreeMap<u64, Address>, presets: &BTreeMap<u64, Address>) -> Write {
    let mut changes: BTreeMap<String, Option<String>> = contracts
        .iter()
        .filter(|(chain_id, address)| presets.get(chain_id) != Some(address))
        .map(|(chain_id, address)| (chain_id.to_string(), Some(to_checksum(address, None))))
        .collect();
    for chain_id in presets.keys().filter(|id| !contracts.contains_key(id)) {
        changes.insert(chain_id.to_string(), None);
    }
    Write {
        key: Setting::Contracts.key(),
        // A map of strings always serializes; nothing left to save means "use the presets".
        value: (!changes.is_empty()).then(|| serde_json::json!(changes).to_string()),
    }
}

#[cfg(test)]
mod tests;
