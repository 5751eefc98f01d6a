//! Presets and saved values: what wins, and what is refused with which reason.

use std::collections::BTreeMap;

use super::*;

/// Anvil's first deployment address (from its default mnemonic), EIP-55 form.
const ANVIL_CONTRACT: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

fn saved(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let map: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |key| map.get(key).cloned()
}

#[test]
fn without_presets_the_defaults_apply() {
    let (settings, problems) = Settings::from_presets(&Presets::default());
    assert!(problems.is_empty());
    assert_eq!(settings, Settings::default());
    assert_eq!(settings.storage_endpoint, "https://api.nft.storage");
    assert_eq!(settings.gateway, "https://nftstorage.link/ipfs/");
    assert_eq!(settings.rpc_url, None);
    assert_eq!(settings.contract(), None);
}

#[test]
fn presets_override_the_defaults() {
    let presets = Presets {
        chain_id: Some("31337"),
        contract: Some(ANVIL_CONTRACT),
        rpc_url: Some("http://127.0.0.1:8545"),
        storage_endpoint: Some("http://127.0.0.1:5050/"),
        gateway: Some("http://127.0.0.1:5050/ipfs"),
        gateway_fallbacks: None,
    };
    let (settings, problems) = Settings::from_presets(&presets);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(settings.chain_id, Some(31337));
    assert_eq!(settings.contract(), Some(ANVIL_CONTRACT.parse().unwrap()));
    assert_eq!(settings.rpc_url.as_deref(), Some("http://127.0.0.1:8545"));
    assert_eq!(settings.storage_endpoint, "http://127.0.0.1:5050");
    assert_eq!(settings.gateway, "http://127.0.0.1:5050/ipfs/");
}

#[test]
fn empty_presets_count_as_unset() {
    let presets = Presets {
        chain_id: Some(""),
        contract: Some("  "),
        gateway: Some(""),
        ..Presets::default()
    };
    let (settings, problems) = Settings::from_presets(&presets);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(settings, Settings::default());
}

#[test]
fn invalid_presets_are_reported_by_env_var_and_skipped() {
    let presets = Presets {
        chain_id: Some("anvil"),
        rpc_url: Some("ws://127.0.0.1:8545"),
        gateway: Some("nftstorage.link/ipfs/"),
        ..Presets::default()
    };
    let (settings, problems) = Settings::from_presets(&presets);
    assert_eq!(settings, Settings::default());
    assert_eq!(
        problems,
        [
            SettingsError::InvalidChainId {
                key: "MINTY_PRESET_CHAIN_ID",
                value: "anvil".into()
            },
            SettingsError::InvalidUrl {
                key: "MINTY_PRESET_RPC_URL",
                value: "ws://127.0.0.1:8545".into()
            },
            SettingsError::InvalidUrl {
                key: "MINTY_PRESET_GATEWAY",
                value: "nftstorage.link/ipfs/".into()
            },
        ]
    );
    assert!(problems[0].to_string().contains("MINTY_PRESET_CHAIN_ID"));
}

#[test]
fn a_contract_needs_its_chain() {
    let presets = Presets {
        contract: Some(ANVIL_CONTRACT),
        ..Presets::default()
    };
    let (settings, problems) = Settings::from_presets(&presets);
    assert_eq!(problems, [SettingsError::ContractWithoutChain]);
    assert!(settings.contracts.is_empty());

    // With an invalid chain id only that is reported, not a second problem.
    let presets = Presets {
        chain_id: Some("x"),
        ..presets
    };
    let (_, problems) = Settings::from_presets(&presets);
    assert_eq!(problems.len(), 1);
}

#[test]
fn addresses_must_be_whole_and_checksummed_if_mixed_case() {
    let lower = ANVIL_CONTRACT.to_lowercase();
    let upper = format!("0x{}", ANVIL_CONTRACT[2..].to_uppercase());
    for good in [ANVIL_CONTRACT, &lower, &upper] {
        assert!(address_in(env::CONTRACT, good).is_ok(), "{good}");
    }
    for bad in [&ANVIL_CONTRACT[2..], &ANVIL_CONTRACT[..41], "0x", "0xzz"] {
        assert!(
            matches!(
                address_in(env::CONTRACT, bad),
                Err(SettingsError::InvalidAddress { .. })
            ),
            "{bad}"
        );
    }
    let wrong_case = ANVIL_CONTRACT.replace("5Fb", "5fB");
    assert!(matches!(
        address_in(env::CONTRACT, &wrong_case),
        Err(SettingsError::BadChecksum { .. })
    ));
}

#[test]
fn saved_values_win_over_presets() {
    let presets = Presets {
        chain_id: Some("31337"),
        contract: Some(ANVIL_CONTRACT),
        ..Presets::default()
    };
    let (settings, _) = Settings::from_presets(&presets);
    let other = "0x0000000000000000000000000000000000000001";
    let (settings, problems) = settings.overlay_saved(saved(&[
        (keys::CHAIN_ID, "11155111"),
        (keys::GATEWAY, "https://dweb.link/ipfs"),
        (keys::CONTRACTS, &format!(r#"{{"11155111": "{other}"}}"#)),
    ]));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(settings.chain_id, Some(11155111));
    assert_eq!(settings.gateway, "https://dweb.link/ipfs/");
    assert_eq!(settings.contract(), Some(other.parse().unwrap()));
    // The preset chain keeps its contract.
    assert_eq!(
        settings.contract_on(31337),
        Some(ANVIL_CONTRACT.parse().unwrap())
    );
}

#[test]
fn invalid_saved_values_are_reported_by_key_and_skipped() {
    let (settings, problems) = Settings::default().overlay_saved(saved(&[
        (keys::STORAGE_ENDPOINT, "api.nft.storage"),
        (
            keys::CONTRACTS,
            r#"{"1": "0x12", "x": "0x0000000000000000000000000000000000000001"}"#,
        ),
    ]));
    assert_eq!(settings, Settings::default());
    assert_eq!(
        problems,
        [
            SettingsError::InvalidUrl {
                key: "minty.storage_endpoint",
                value: "api.nft.storage".into()
            },
            SettingsError::InvalidAddress {
                key: "minty.contracts",
                value: "0x12".into()
            },
            SettingsError::InvalidChainId {
                key: "minty.contracts",
                value: "x".into()
            },
        ]
    );

    let (_, problems) = Settings::default().overlay_saved(saved(&[(keys::CONTRACTS, "[1]")]));
    assert_eq!(
        problems,
        [SettingsError::InvalidContracts {
            key: "minty.contracts"
        }]
    );
}

#[test]
fn saved_null_removes_a_preset_contract() {
    let presets = Presets {
        chain_id: Some("31337"),
        contract: Some(ANVIL_CONTRACT),
        ..Presets::default()
    };
    let (settings, _) = Settings::from_presets(&presets);
    let (settings, problems) =
        settings.overlay_saved(saved(&[(keys::CONTRACTS, r#"{"31337": null}"#)]));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(settings.contract(), None);
}

/// Settings expecting chain 31337, where Minty is deployed.
fn expecting_anvil() -> Settings {
    let mut settings = Settings {
        chain_id: Some(31337),
        ..Settings::default()
    };
    settings
        .contracts
        .insert(31337, ANVIL_CONTRACT.parse().unwrap());
    settings
}

#[test]
fn a_wallet_on_a_chain_without_minty_is_sent_to_the_expected_chain() {
    assert_eq!(expecting_anvil().chain_to_switch_to(1337), Some(31337));
    assert_eq!(expecting_anvil().chain_to_switch_to(11155111), Some(31337));
}

#[test]
fn a_wallet_where_minty_works_is_left_alone() {
    assert_eq!(expecting_anvil().chain_to_switch_to(31337), None);
    // Minty is deployed on the wallet's chain too, even if another is expected.
    let mut settings = expecting_anvil();
    settings.contracts.insert(
        1,
        "0x0000000000000000000000000000000000000001"
            .parse()
            .unwrap(),
    );
    assert_eq!(settings.chain_to_switch_to(1), None);
}

#[test]
fn without_a_deployed_expected_chain_there_is_nowhere_to_switch_to() {
    let mut no_contract = expecting_anvil();
    no_contract.contracts.clear();
    assert_eq!(no_contract.chain_to_switch_to(1337), None);
    let no_chain = Settings {
        chain_id: None,
        ..expecting_anvil()
    };
    assert_eq!(no_chain.chain_to_switch_to(1337), None);
}

#[test]
fn nft_storage_classic_is_recognised_by_origin() {
    use super::is_nft_storage_classic;
    assert!(is_nft_storage_classic("https://api.nft.storage"));
    assert!(is_nft_storage_classic("https://API.nft.storage/"));
    assert!(!is_nft_storage_classic("http://127.0.0.1:8787"));
    assert!(!is_nft_storage_classic("https://api.nft.storage.example"));
}

#[test]
fn gateways_are_the_configured_one_then_the_fallbacks() {
    let settings = Settings::default();
    assert_eq!(
        settings.gateways(),
        [
            "https://nftstorage.link/ipfs/",
            "https://trustless-gateway.link/ipfs/",
            "https://dweb.link/ipfs/"
        ]
    );
}

#[test]
fn fallback_gateways_come_from_a_preset_and_a_saved_list() {
    let presets = Presets {
        gateway: Some("http://127.0.0.1:8787/ipfs/"),
        gateway_fallbacks: Some("http://127.0.0.1:8787/ipfs"),
        ..Presets::default()
    };
    let (settings, problems) = Settings::from_presets(&presets);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(settings.gateway_fallbacks, ["http://127.0.0.1:8787/ipfs/"]);

    let (saved_list, problems) = settings.clone().overlay_saved(saved(&[(
        keys::GATEWAY_FALLBACKS,
        "http://127.0.0.1:1/ipfs, http://127.0.0.1:2/ipfs/",
    )]));
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        saved_list.gateway_fallbacks,
        ["http://127.0.0.1:1/ipfs/", "http://127.0.0.1:2/ipfs/"]
    );

    let (none, _) = settings.overlay_saved(saved(&[(keys::GATEWAY_FALLBACKS, "none")]));
    assert!(none.gateway_fallbacks.is_empty());
    assert_eq!(none.gateway_fallbacks_text(), "none");
}

#[test]
fn a_fallback_list_with_one_bad_url_is_refused_whole() {
    let (settings, problems) = Settings::default().overlay_saved(saved(&[(
        keys::GATEWAY_FALLBACKS,
        "https://dweb.link/ipfs/ dweb.link",
    )]));
    assert_eq!(
        settings.gateway_fallbacks,
        Settings::default().gateway_fallbacks
    );
    assert!(matches!(
        problems[..],
        [SettingsError::InvalidUrl {
            key: keys::GATEWAY_FALLBACKS,
            ..
        }]
    ));
}

#[test]
fn a_saved_provider_that_is_unknown_is_reported_and_the_default_kept() {
    let (settings, problems) = Settings::default().overlay_saved(saved(&[
        ("minty.storage_provider", "ftp"),
        ("minty.kubo_endpoint", "https://ipfs.example/rpc/"),
    ]));
    assert_eq!(settings.storage_provider, StorageProviderKind::NftStorage);
    assert_eq!(settings.kubo_endpoint, "https://ipfs.example/rpc");
    assert_eq!(
        problems,
        [SettingsError::InvalidProvider {
            key: "minty.storage_provider",
            value: "ftp".into()
        }]
    );
}
