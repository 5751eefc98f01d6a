//! Each edit is checked, saved as one write, and reads back as the settings
//! the page then shows.

use std::collections::BTreeMap;

use super::*;
use crate::settings::StorageProviderKind;

const ANVIL_CONTRACT: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const SEPOLIA_CONTRACT: &str = "0x0000000000000000000000000000000000000001";

/// The local stack's presets: chain 31337 with its contract.
fn presets() -> Settings {
    let mut presets = Settings {
        chain_id: Some(31337),
        ..Settings::default()
    };
    presets
        .contracts
        .insert(31337, ANVIL_CONTRACT.parse().unwrap());
    presets
}

/// Applies `edits` one after another the way the app does: write, then
/// read the presets overlaid by everything saved so far.
fn saved_after(edits: &[Edit]) -> (Settings, BTreeMap<&'static str, String>) {
    let presets = presets();
    let mut storage = BTreeMap::new();
    let mut settings = presets.clone();
    for edit in edits {
        let write = settings.write_for(edit, &presets).unwrap();
        match write.value {
            Some(value) => storage.insert(write.key, value),
            None => storage.remove(write.key),
        };
        let (reloaded, problems) = presets
            .clone()
            .overlay_saved(|key| storage.get(key).cloned());
        assert!(problems.is_empty(), "{problems:?}");
        settings = reloaded;
    }
    (settings, storage)
}

fn refused(edit: Edit) -> SettingsError {
    presets().write_for(&edit, &presets()).unwrap_err()
}

#[test]
fn urls_are_saved_normalised() {
    let (settings, storage) = saved_after(&[
        Edit::StorageEndpoint(" http://127.0.0.1:8787/ ".into()),
        Edit::Gateway("https://dweb.link/ipfs".into()),
        Edit::RpcUrl("http://127.0.0.1:8545".into()),
    ]);
    assert_eq!(settings.storage_endpoint, "http://127.0.0.1:8787");
    assert_eq!(settings.gateway, "https://dweb.link/ipfs/");
    assert_eq!(settings.rpc_url.as_deref(), Some("http://127.0.0.1:8545"));
    assert_eq!(storage[keys::GATEWAY], "https://dweb.link/ipfs/");
}

#[test]
fn a_gateway_keeps_exactly_one_trailing_slash() {
    let (settings, _) = saved_after(&[Edit::Gateway("https://w3s.link/ipfs//".into())]);
    assert_eq!(settings.gateway, "https://w3s.link/ipfs/");
}

#[test]
fn refused_urls_name_the_field_and_keep_the_text() {
    assert_eq!(
        refused(Edit::StorageEndpoint("api.nft.storage".into())),
        SettingsError::InvalidUrl {
            key: "The storage endpoint",
            value: "api.nft.storage".into()
        }
    );
    assert!(matches!(
        refused(Edit::Gateway("ipfs://bafy".into())),
        SettingsError::InvalidUrl {
            key: "The gateway",
            ..
        }
    ));
    assert!(matches!(
        refused(Edit::RpcUrl("ws://127.0.0.1:8545".into())),
        SettingsError::InvalidUrl {
            key: "The RPC URL",
            ..
        }
    ));
    assert_eq!(
        refused(Edit::Gateway("   ".into())),
        SettingsError::Empty { key: "The gateway" }
    );
    let message = refused(Edit::Gateway("nftstorage.link/ipfs/".into())).to_string();
    assert!(
        message.starts_with("The gateway is not an http(s) URL"),
        "{message}"
    );
    assert!(message.contains("https://"), "{message}");
}

#[test]
fn the_expected_chain_is_saved_in_decimal() {
    let (settings, storage) = saved_after(&[Edit::ChainId("0xaa36a7".into())]);
    assert_eq!(settings.chain_id, Some(11155111));
    assert_eq!(storage[keys::CHAIN_ID], "11155111");
    assert!(matches!(
        refused(Edit::ChainId("sepolia".into())),
        SettingsError::InvalidChainId {
            key: "The chain id",
            ..
        }
    ));
}

#[test]
fn a_contract_is_added_for_its_chain_and_the_presets_stay() {
    let (settings, storage) = saved_after(&[Edit::Contract {
        chain_id: "11155111".into(),
        address: SEPOLIA_CONTRACT.into(),
    }]);
    assert_eq!(
        settings.contract_on(11155111),
        Some(SEPOLIA_CONTRACT.parse().unwrap())
    );
    assert_eq!(
        settings.contract_on(31337),
        Some(ANVIL_CONTRACT.parse().unwrap())
    );
    // Only the change is saved, so the preset keeps coming from the build.
    assert_eq!(
        storage[keys::CONTRACTS],
        format!(r#"{{"11155111":"{SEPOLIA_CONTRACT}"}}"#)
    );
}

#[test]
fn contract_addresses_are_checked_like_presets() {
    let wrong_case = ANVIL_CONTRACT.replace("5Fb", "5fB");
    assert!(matches!(
        refused(Edit::Contract {
            chain_id: "31337".into(),
            address: wrong_case
        }),
        SettingsError::BadChecksum {
            key: "The contract address",
            ..
        }
    ));
    assert!(matches!(
        refused(Edit::Contract {
            chain_id: "31337".into(),
            address: "0x1234".into()
        }),
        SettingsError::InvalidAddress { .. }
    ));
    assert!(matches!(
        refused(Edit::Contract {
            chain_id: "0".into(),
            address: ANVIL_CONTRACT.into()
        }),
        SettingsError::InvalidChainId { .. }
    ));
    assert_eq!(
        refused(Edit::Contract {
            chain_id: "31337".into(),
            address: "".into()
        }),
        SettingsError::Empty {
            key: "The contract address"
        }
    );
}

#[test]
fn removing_a_preset_contract_sticks_and_reset_brings_it_back() {
    let (settings, storage) = saved_after(&[Edit::RemoveContract(31337)]);
    assert_eq!(settings.contract_on(31337), None);
    assert_eq!(storage[keys::CONTRACTS], r#"{"31337":null}"#);

    let (settings, storage) =
        saved_after(&[Edit::RemoveContract(31337), Edit::Reset(Setting::Contracts)]);
    assert_eq!(settings, presets());
    assert!(storage.is_empty());
}

#[test]
fn removing_an_added_contract_leaves_nothing_saved() {
    let (settings, storage) = saved_after(&[
        Edit::Contract {
            chain_id: "1".into(),
            address: SEPOLIA_CONTRACT.into(),
        },
        Edit::RemoveContract(1),
    ]);
    assert_eq!(settings, presets());
    assert!(storage.is_empty(), "{storage:?}");
}

#[test]
fn reset_forgets_the_saved_value() {
    let (settings, storage) = saved_after(&[
        Edit::Gateway("https://dweb.link/ipfs/".into()),
        Edit::StorageEndpoint("http://127.0.0.1:8787".into()),
        Edit::Reset(Setting::Gateway),
    ]);
    assert_eq!(settings.gateway, presets().gateway);
    assert_eq!(settings.storage_endpoint, "http://127.0.0.1:8787");
    assert_eq!(
        storage.keys().copied().collect::<Vec<_>>(),
        [keys::STORAGE_ENDPOINT]
    );
}

#[test]
fn fallback_gateways_are_saved_as_one_normalised_list_or_none() {
    let (settings, storage) = saved_after(&[Edit::GatewayFallbacks(
        " http://127.0.0.1:8787/ipfs,https://dweb.link/ipfs// ".into(),
    )]);
    assert_eq!(
        settings.gateway_fallbacks,
        ["http://127.0.0.1:8787/ipfs/", "https://dweb.link/ipfs/"]
    );
    assert_eq!(
        storage[keys::GATEWAY_FALLBACKS],
        "http://127.0.0.1:8787/ipfs/ https://dweb.link/ipfs/"
    );
    let (settings, _) = saved_after(&[Edit::GatewayFallbacks("None".into())]);
    assert!(settings.gateway_fallbacks.is_empty());
    let (settings, storage) = saved_after(&[
        Edit::GatewayFallbacks("none".into()),
        Edit::Reset(Setting::GatewayFallbacks),
    ]);
    assert_eq!(settings.gateway_fallbacks, presets().gateway_fallbacks);
    assert!(!storage.contains_key(keys::GATEWAY_FALLBACKS));
}

#[test]
fn the_storage_provider_and_the_kubo_endpoint_are_chosen_and_saved() {
    let defaults = presets();
    assert_eq!(defaults.storage_provider, StorageProviderKind::NftStorage);
    assert_eq!(defaults.kubo_endpoint, "http://127.0.0.1:5001");
    assert_eq!(defaults.upload_endpoint(), defaults.storage_endpoint);

    let (settings, storage) = saved_after(&[
        Edit::StorageProvider("kubo".into()),
        Edit::KuboEndpoint(" http://127.0.0.1:5001/ ".into()),
    ]);
    assert_eq!(settings.storage_provider, StorageProviderKind::KuboRpc);
    assert_eq!(storage[keys::STORAGE_PROVIDER], "kubo");
    assert_eq!(settings.kubo_endpoint, "http://127.0.0.1:5001");
    assert_eq!(settings.upload_endpoint(), "http://127.0.0.1:5001");

    assert_eq!(
        refused(Edit::StorageProvider("filecoin".into())),
        SettingsError::InvalidProvider {
            key: "The storage provider",
            value: "filecoin".into()
        }
    );
    assert!(matches!(
        refused(Edit::KuboEndpoint("127.0.0.1:5001".into())),
        SettingsError::InvalidUrl {
            key: "The Kubo RPC endpoint",
            ..
        }
    ));
}

#[test]
fn pinata_is_chosen_with_its_two_endpoints_defaulting_to_the_real_ones() {
    let defaults = presets();
    assert_eq!(defaults.pinata_api_endpoint, "https://api.pinata.cloud");
    assert_eq!(
        defaults.pinata_uploads_endpoint,
        "https://uploads.pinata.cloud"
    );
    let (settings, storage) = saved_after(&[
        Edit::StorageProvider("pinata".into()),
        Edit::PinataApiEndpoint("http://127.0.0.1:8787/".into()),
        Edit::PinataUploadsEndpoint(" http://localhost:8787 ".into()),
    ]);
    assert_eq!(settings.storage_provider, StorageProviderKind::Pinata);
    assert_eq!(storage[keys::STORAGE_PROVIDER], "pinata");
    assert_eq!(settings.upload_endpoint(), "http://127.0.0.1:8787");
    let endpoints = settings.endpoints_of(StorageProviderKind::Pinata);
    assert_eq!(
        endpoints.all().collect::<Vec<_>>(),
        ["http://127.0.0.1:8787", "http://localhost:8787"]
    );
    assert_eq!(
        settings.endpoints_of(StorageProviderKind::KuboRpc).uploads,
        None,
        "only Pinata has a second origin"
    );
    let (settings, _) = saved_after(&[
        Edit::PinataUploadsEndpoint("http://localhost:8787".into()),
        Edit::Reset(Setting::PinataUploadsEndpoint),
    ]);
    assert_eq!(
        settings.pinata_uploads_endpoint,
        "https://uploads.pinata.cloud"
    );
    assert!(matches!(
        refused(Edit::PinataUploadsEndpoint("uploads.pinata.cloud".into())),
        SettingsError::InvalidUrl {
            key: "The Pinata uploads endpoint",
            ..
        }
    ));
}
