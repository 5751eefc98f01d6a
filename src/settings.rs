//! The app's configuration: presets baked in at build time from the
//! `MINTY_PRESET_*` env vars, overlaid by values the user saved in the
//! browser. Parsing and validation are pure; `local_storage` is the shell.

pub mod api_token;
pub mod chains;
#[cfg(target_arch = "wasm32")]
pub mod deploy_blocks;
pub mod edit;
#[cfg(target_arch = "wasm32")]
pub mod local_storage;

use std::collections::BTreeMap;

use ethers_core::types::Address;

use chains::parse_chain_id;

use crate::eth::address::{parse_address, AddressError};

/// nft.storage's HTTP API, the storage service Minty uploads to by default.
pub const DEFAULT_STORAGE_ENDPOINT: &str = "https://api.nft.storage";

/// Whether `endpoint` is nft.storage Classic, which stopped accepting
/// uploads on 2024-06-30: the app says so before anyone tries.
pub fn is_nft_storage_classic(endpoint: &str) -> bool {
    api_token::origin_of(endpoint).as_deref() == Some(DEFAULT_STORAGE_ENDPOINT)
}
/// Kubo's RPC API on this machine, where IPFS Desktop and `ipfs daemon` listen.
pub const DEFAULT_KUBO_ENDPOINT: &str = "http://127.0.0.1:5001";
/// Pinata's API, where `pinning/pinFileToIPFS` is
/// (https://docs.pinata.cloud/api-reference/endpoint/ipfs/pin-file-to-ipfs).
pub const DEFAULT_PINATA_API_ENDPOINT: &str = "https://api.pinata.cloud";
/// Pinata's upload origin, where v3's resumable (TUS) uploads go
/// (https://docs.pinata.cloud/files/uploading-files#resumable-uploads).
pub const DEFAULT_PINATA_UPLOADS_ENDPOINT: &str = "https://uploads.pinata.cloud";

/// The service uploads go to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum StorageProviderKind {
    /// nft.storage's HTTP API (`POST /upload`), and services that speak it.
    #[default]
    NftStorage,
    /// Kubo's RPC API (`POST /api/v0/dag/import`): IPFS Desktop, a user's
    /// own node, hosted Kubo-compatible RPC.
    KuboRpc,
    /// Pinata: `pinFileToIPFS` for files, v3's resumable uploads for large ones.
    Pinata,
}

impl StorageProviderKind {
    pub const ALL: [StorageProviderKind; 3] = [
        StorageProviderKind::NftStorage,
        StorageProviderKind::KuboRpc,
        StorageProviderKind::Pinata,
    ];

    /// How it is saved, and the value of its option on the settings page.
    pub fn id(self) -> &'static str {
        match self {
            StorageProviderKind::NftStorage => "nft-storage",
            StorageProviderKind::KuboRpc => "kubo",
            StorageProviderKind::Pinata => "pinata",
        }
    }

    /// Its name in the user's words.
    pub fn label(self) -> &'static str {
        match self {
            StorageProviderKind::NftStorage => "nft.storage API",
            StorageProviderKind::KuboRpc => "Kubo RPC",
            StorageProviderKind::Pinata => "Pinata",
        }
    }

    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.id() == id.trim())
    }

    /// Whether uploads need a token: a local Kubo node takes none.
    pub fn needs_token(self) -> bool {
        self != StorageProviderKind::KuboRpc
    }

    /// What its token is called, in the words of the provider's own docs.
    pub fn token_name(self) -> &'static str {
        match self {
            StorageProviderKind::NftStorage => "nft.storage API token",
            StorageProviderKind::KuboRpc => "Kubo RPC token",
            StorageProviderKind::Pinata => "Pinata JWT",
        }
    }
}

/// nft.storage's path gateway; a CID and path are appended to it.
pub const DEFAULT_GATEWAY: &str = "https://nftstorage.link/ipfs/";
/// Gateways asked in turn when the configured one fails, alters the
/// content or serves no raw blocks: trustless gateways (IPIP-402) first.
pub const DEFAULT_GATEWAY_FALLBACKS: &[&str] = &[
    "https://trustless-gateway.link/ipfs/",
    "https://dweb.link/ipfs/",
];
/// How a saved or preset list of fallbacks says "none".
pub const NO_FALLBACKS: &str = "none";

/// Names of the build-time env vars, as the user must spell them.
pub mod env {
    pub const CHAIN_ID: &str = "MINTY_PRESET_CHAIN_ID";
    pub const CONTRACT: &str = "MINTY_PRESET_CONTRACT";
    pub const RPC_URL: &str = "MINTY_PRESET_RPC_URL";
    pub const STORAGE_ENDPOINT: &str = "MINTY_PRESET_STORAGE_ENDPOINT";
    pub const GATEWAY: &str = "MINTY_PRESET_GATEWAY";
    /// Space- or comma-separated gateway URLs, or `none`.
    pub const GATEWAY_FALLBACKS: &str = "MINTY_PRESET_GATEWAY_FALLBACKS";
}

/// localStorage keys of the values a user can save over the presets.
pub mod keys {
    pub const CHAIN_ID: &str = "minty.chain_id";
    /// A JSON object from decimal chain id to contract address.
    pub const CONTRACTS: &str = "minty.contracts";
    pub const RPC_URL: &str = "minty.rpc_url";
    pub const STORAGE_ENDPOINT: &str = "minty.storage_endpoint";
    /// `nft-storage`, `kubo` or `pinata` (see [`super::StorageProviderKind::id`]).
    pub const STORAGE_PROVIDER: &str = "minty.storage_provider";
    pub const KUBO_ENDPOINT: &str = "minty.kubo_endpoint";
    pub const PINATA_API_ENDPOINT: &str = "minty.pinata_api_endpoint";
    pub const PINATA_UPLOADS_ENDPOINT: &str = "minty.pinata_uploads_endpoint";
    pub const GATEWAY: &str = "minty.gateway";
    /// Space-separated gateway URLs, or `none`.
    pub const GATEWAY_FALLBACKS: &str = "minty.gateway_fallbacks";
}

/// Build-time presets exactly as given; `Settings::from_presets` checks them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Presets {
    pub chain_id: Option<&'static str>,
    pub contract: Option<&'static str>,
    pub rpc_url: Option<&'static str>,
    pub storage_endpoint: Option<&'static str>,
    pub gateway: Option<&'static str>,
    pub gateway_fallbacks: Option<&'static str>,
}

impl Presets {
    /// The presets this binary was compiled with (cargo rebuilds when they change).
    pub const BUILD: Presets = Presets {
        chain_id: option_env!("MINTY_PRESET_CHAIN_ID"),
        contract: option_env!("MINTY_PRESET_CONTRACT"),
        rpc_url: option_env!("MINTY_PRESET_RPC_URL"),
        storage_endpoint: option_env!("MINTY_PRESET_STORAGE_ENDPOINT"),
        gateway: option_env!("MINTY_PRESET_GATEWAY"),
        gateway_fallbacks: option_env!("MINTY_PRESET_GATEWAY_FALLBACKS"),
    };
}

/// A setting that could not be used; the app keeps the previous value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("{key} is not a chain id: {value:?}. Write it in decimal, e.g. 31337.")]
    InvalidChainId { key: &'static str, value: String },
    #[error("{key} is not an Ethereum address: {value:?}. Write 0x followed by 40 hex digits.")]
    InvalidAddress { key: &'static str, value: String },
    #[error("{key} has a mixed-case address with a wrong EIP-55 checksum: {value:?}. Copy the address again.")]
    BadChecksum { key: &'static str, value: String },
    #[error("{key} is not an http(s) URL: {value:?}. Write it in full, starting with https:// (or http:// for a service on this computer).")]
    InvalidUrl { key: &'static str, value: String },
    #[error("{key} is not a JSON object from chain id to contract address.")]
    InvalidContracts { key: &'static str },
    #[error("MINTY_PRESET_CONTRACT is set but MINTY_PRESET_CHAIN_ID is not: set the chain the contract is deployed on.")]
    ContractWithoutChain,
    #[error("{key} is not a storage provider this app knows: {value:?}. Choose nft.storage API, Kubo RPC or Pinata.")]
    InvalidProvider { key: &'static str, value: String },
    #[error("{key} is empty: type it in first.")]
    Empty { key: &'static str },
    #[error("The API token is empty: paste the token your storage service gave you.")]
    EmptyApiToken,
    #[error("The API token was not saved for {endpoint}: a token is only sent over https, or over http to this computer (localhost), where the network cannot read it. Set the storage endpoint's https:// address first.")]
    TokenNeedsHttps { endpoint: String },
}

/// The configuration in effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The chain this deployment expects the wallet to be on, if any.
    pub chain_id: Option<u64>,
    /// The Minty contract's address on each chain it is known on.
    pub contracts: BTreeMap<u64, Address>,
    /// A JSON-RPC endpoint for reading the chain without the wallet.
    pub rpc_url: Option<String>,
    /// Base URL of the storage service's HTTP API, without a trailing `/`.
    pub storage_endpoint: String,
    /// Which service uploads go to.
    pub storage_provider: StorageProviderKind,
    /// Base URL of a Kubo node's RPC API, without a trailing `/`.
    pub kubo_endpoint: String,
    /// Base URL of Pinata's API, without a trailing `/`.
    pub pinata_api_endpoint: String,
    /// Base URL of Pinata's resumable uploads, without a trailing `/`.
    pub pinata_uploads_endpoint: String,
    /// Path-gateway prefix ending in `/`, to which `CID/path` is appended.
    pub gateway: String,
    /// Path gateways asked in turn after `gateway`, each ending in `/`.
    pub gateway_fallbacks: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            chain_id: None,
            contracts: BTreeMap::new(),
            rpc_url: None,
            storage_endpoint: DEFAULT_STORAGE_ENDPOINT.to_owned(),
            storage_provider: StorageProviderKind::default(),
            kubo_endpoint: DEFAULT_KUBO_ENDPOINT.to_owned(),
            pinata_api_endpoint: DEFAULT_PINATA_API_ENDPOINT.to_owned(),
            pinata_uploads_endpoint: DEFAULT_PINATA_UPLOADS_ENDPOINT.to_owned(),
            gateway: DEFAULT_GATEWAY.to_owned(),
            gateway_fallbacks: DEFAULT_GATEWAY_FALLBACKS
                .iter()
                .map(|gateway| (*gateway).to_owned())
                .collect(),
        }
    }
}

impl Settings {
    /// Defaults overridden by every valid preset; invalid presets are reported.
    pub fn from_presets(presets: &Presets) -> (Settings, Vec<SettingsError>) {
        let mut settings = Settings::default();
        let mut problems = Vec::new();
        settings.overlay_fields(&mut problems, |field| {
            let value = match field {
                Field::ChainId => presets.chain_id,
                Field::RpcUrl => presets.rpc_url,
                Field::StorageEndpoint => presets.storage_endpoint,
                Field::Gateway => presets.gateway,
                Field::GatewayFallbacks => presets.gateway_fallbacks,
            };
            (field.env_var(), value.map(str::to_owned))
        });
        if let Some(contract) = check(&mut problems, presets.contract, |v| {
            address_in(env::CONTRACT, v)
        }) {
            match settings.chain_id {
                Some(chain_id) => {
                    settings.contracts.insert(chain_id, contract);
                }
                None if unset(presets.chain_id) => {
                    problems.push(SettingsError::ContractWithoutChain)
                }
                // The unusable chain id was reported already.
                None => {}
            }
        }
        (settings, problems)
    }

    /// These settings overridden by every valid saved value; `saved` reads a
    /// key (see [`keys`]). Invalid saved values are reported and skipped.
    pub fn overlay_saved(
        mut self,
        saved: impl Fn(&str) -> Option<String>,
    ) -> (Settings, Vec<SettingsError>) {
        let mut problems = Vec::new();
        self.overlay_fields(&mut problems, |field| {
            (field.saved_key(), saved(field.saved_key()))
        });
        // Chosen on the settings page only; a build presets neither.
        if let Some(kind) = check(
            &mut problems,
            saved(keys::STORAGE_PROVIDER).as_deref(),
            |v| provider_in(keys::STORAGE_PROVIDER, v),
        ) {
            self.storage_provider = kind;
        }
        for (key, field) in [
            (keys::KUBO_ENDPOINT, &mut self.kubo_endpoint),
            (keys::PINATA_API_ENDPOINT, &mut self.pinata_api_endpoint),
            (
                keys::PINATA_UPLOADS_ENDPOINT,
                &mut self.pinata_uploads_endpoint,
            ),
        ] {
            if let Some(url) = check(&mut problems, saved(key).as_deref(), |v| {
                storage_endpoint_in(key, v)
            }) {
                *field = url;
            }
        }
        if let Some(json) = saved(keys::CONTRACTS).filter(|json| !json.trim().is_empty()) {
            self.overlay_contracts(&mut problems, &json);
        }
        (self, problems)
    }

    /// The endpoint of the chosen provider, where uploads go.
    pub fn upload_endpoint(&self) -> &str {
        self.endpoint_of(self.storage_provider)
    }

    /// The API endpoint of `provider`, chosen or not: the one the mint
    /// journal names, and the first its token is bound to.
    pub fn endpoint_of(&self, provider: StorageProviderKind) -> &str {
        match provider {
            StorageProviderKind::NftStorage => &self.storage_endpoint,
            StorageProviderKind::KuboRpc => &self.kubo_endpoint,
            StorageProviderKind::Pinata => &self.pinata_api_endpoint,
        }
    }

    /// Every endpoint `provider`'s requests go to, the API's first: Pinata
    /// takes resumable uploads on an origin of their own, so its token is
    /// bound to both.
    pub fn endpoints_of(&self, provider: StorageProviderKind) -> ProviderEndpoints {
        ProviderEndpoints {
            api: self.endpoint_of(provider).to_owned(),
            uploads: (provider == StorageProviderKind::Pinata)
                .then(|| self.pinata_uploads_endpoint.clone()),
        }
    }

    /// Every gateway to ask, in order: the configured one, then the fallbacks.
    pub fn gateways(&self) -> Vec<String> {
        std::iter::once(&self.gateway)
            .chain(&self.gateway_fallbacks)
            .cloned()
            .collect()
    }

    /// The fallbacks as the settings page shows and saves them.
    pub fn gateway_fallbacks_text(&self) -> String {
        if self.gateway_fallbacks.is_empty() {
            NO_FALLBACKS.to_owned()
        } else {
            self.gateway_fallbacks.join(" ")
        }
    }

    /// The Minty contract on the chain this deployment expects.
    pub fn contract(&self) -> Option<Address> {
        self.contract_on(self.chain_id?)
    }

    /// The Minty contract on `chain_id`, if one is configured there.
    pub fn contract_on(&self, chain_id: u64) -> Option<Address> {
        self.contracts.get(&chain_id).copied()
    }

    /// The chain the wallet should switch to: the expected one, when it has a
    /// Minty contract and the wallet's chain has none. `None` when Minty can
    /// work on the wallet's chain, or there is nowhere better to go.
    pub fn chain_to_switch_to(&self, wallet_chain_id: u64) -> Option<u64> {
        let expected = self.chain_id?;
        (self.contract_on(wallet_chain_id).is_none() && self.contract_on(expected).is_some())
            .then_some(expected)
    }

    /// Overrides each plain field that `read` (giving its key and text) sets validly.
    fn overlay_fields(
        &mut self,
        problems: &mut Vec<SettingsError>,
        read: impl Fn(Field) -> (&'static str, Option<String>),
    ) {
        let (key, value) = read(Field::ChainId);
        if let Some(chain_id) = check(problems, value.as_deref(), |v| chain_id_in(key, v)) {
            self.chain_id = Some(chain_id);
        }
        let (key, value) = read(Field::RpcUrl);
        if let Some(url) = check(problems, value.as_deref(), |v| url_in(key, v)) {
            self.rpc_url = Some(url);
        }
        let (key, value) = read(Field::StorageEndpoint);
        if let Some(url) = check(problems, value.as_deref(), |v| storage_endpoint_in(key, v)) {
            self.storage_endpoint = url;
        }
        let (key, value) = read(Field::Gateway);
        if let Some(url) = check(problems, value.as_deref(), |v| gateway_in(key, v)) {
            self.gateway = url;
        }
        let (key, value) = read(Field::GatewayFallbacks);
        if let Some(urls) = check(problems, value.as_deref(), |v| gateway_list_in(key, v)) {
            self.gateway_fallbacks = urls;
        }
    }

    /// Applies saved contracts: an address sets a chain's contract, and
    /// `null` removes one the presets set (see [`edit`]).
    fn overlay_contracts(&mut self, problems: &mut Vec<SettingsError>, json: &str) {
        let Ok(entries) = serde_json::from_str::<BTreeMap<String, Option<String>>>(json) else {
            problems.push(SettingsError::InvalidContracts {
                key: keys::CONTRACTS,
            });
            return;
        };
        for (chain_id, address) in entries {
            let chain_id = match chain_id_in(keys::CONTRACTS, &chain_id) {
                Ok(chain_id) => chain_id,
                Err(problem) => {
                    problems.push(problem);
                    continue;
                }
            };
            match address.map(|address| address_in(keys::CONTRACTS, &address)) {
                Some(Ok(address)) => {
                    self.contracts.insert(chain_id, address);
                }
                Some(Err(problem)) => problems.push(problem),
                None => {
                    self.contracts.remove(&chain_id);
                }
            }
        }
    }
}

/// Where one provider's requests go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderEndpoints {
    /// The API base URL, without a trailing `/`.
    pub api: String,
    /// A separate base URL for uploads, when the provider has one (Pinata).
    pub uploads: Option<String>,
}

impl ProviderEndpoints {
    /// The API's, then the uploads'.
    pub fn all(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.api.as_str()).chain(self.uploads.as_deref())
    }
}

/// The settings both layers (presets and saved values) can set as plain text.
#[derive(Debug, Clone, Copy)]
enum Field {
    ChainId,
    RpcUrl,
    StorageEndpoint,
    Gateway,
    GatewayFallbacks,
}

impl Field {
    fn env_var(self) -> &'static str {
        match self {
            Field::ChainId => env::CHAIN_ID,
            Field::RpcUrl => env::RPC_URL,
            Field::StorageEndpoint => env::STORAGE_ENDPOINT,
            Field::Gateway => env::GATEWAY,
            Field::GatewayFallbacks => env::GATEWAY_FALLBACKS,
        }
    }

    fn saved_key(self) -> &'static str {
        match self {
            Field::ChainId => keys::CHAIN_ID,
            Field::RpcUrl => keys::RPC_URL,
            Field::StorageEndpoint => keys::STORAGE_ENDPOINT,
            Field::Gateway => keys::GATEWAY,
            Field::GatewayFallbacks => keys::GATEWAY_FALLBACKS,
        }
    }
}

/// An env var set to "" or a blank saved value means "not set".
fn unset(value: Option<&str>) -> bool {
    value.is_none_or(|value| value.trim().is_empty())
}

/// Parses a value that is set, recording the problem if it is invalid.
fn check<T>(
    problems: &mut Vec<SettingsError>,
    value: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, SettingsError>,
) -> Option<T> {
    let value = value.map(str::trim).filter(|value| !value.is_empty())?;
    parse(value).map_err(|problem| problems.push(problem)).ok()
}

fn chain_id_in(key: &'static str, value: &str) -> Result<u64, SettingsError> {
    parse_chain_id(value).ok_or_else(|| SettingsError::InvalidChainId {
        key,
        value: value.to_owned(),
    })
}

fn address_in(key: &'static str, value: &str) -> Result<Address, SettingsError> {
    parse_address(value).map_err(|error| match error {
        AddressError::NotAnAddress(_) => SettingsError::InvalidAddress {
            key,
            value: value.to_owned(),
        },
        AddressError::BadChecksum(_) => SettingsError::BadChecksum {
            key,
            value: value.to_owned(),
        },
    })
}

/// An http(s) URL with a host, as the browser's URL parser reads it (see
/// [`api_token::origin_of`]); kept as typed.
fn url_in(key: &'static str, value: &str) -> Result<String, SettingsError> {
    if api_token::origin_of(value).is_some() && !value.chars().any(char::is_whitespace) {
        Ok(value.to_owned())
    } else {
        Err(SettingsError::InvalidUrl {
            key,
            value: value.to_owned(),
        })
    }
}

fn provider_in(key: &'static str, value: &str) -> Result<StorageProviderKind, SettingsError> {
    StorageProviderKind::from_id(value).ok_or_else(|| SettingsError::InvalidProvider {
        key,
        value: value.to_owned(),
    })
}

/// A storage API base URL, kept without a trailing `/` so paths append cleanly.
pub(crate) fn storage_endpoint_in(key: &'static str, value: &str) -> Result<String, SettingsError> {
    Ok(url_in(key, value)?.trim_end_matches('/').to_owned())
}

/// A path gateway is a prefix: `…/ipfs` and `…/ipfs/` mean the same, so it
/// is kept ending in exactly one `/`.
fn gateway_in(key: &'static str, value: &str) -> Result<String, SettingsError> {
    Ok(format!("{}/", url_in(key, value)?.trim_end_matches('/')))
}

/// Path gateways separated by spaces or commas, each kept as
/// [`gateway_in`] keeps it; `none` is the empty list.
fn gateway_list_in(key: &'static str, value: &str) -> Result<Vec<String>, SettingsError> {
    if value.trim().eq_ignore_ascii_case(NO_FALLBACKS) {
        return Ok(Vec::new());
    }
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|url| !url.is_empty())
        .map(|url| gateway_in(key, url))
        .collect()
}

#[cfg(test)]
mod tests;
