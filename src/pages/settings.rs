//! The settings page: the storage token, endpoint and gateway, and the
//! chain, RPC URL and contracts, each saved in this browser over the presets.

mod api_token;
mod contracts;
mod pinning_services;
mod storage_provider;

use leptos::prelude::*;

use crate::app::SettingsContext;
use crate::components::{SettingField, SettingsProblems};
use crate::settings::{
    edit::{Edit, Setting},
    local_storage, Settings, StorageProviderKind,
};
use api_token::ApiTokenSetting;
use contracts::ContractsSetting;
use pinning_services::PinningServicesSetting;
use storage_provider::StorageProviderSetting;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let context = expect_context::<SettingsContext>();
    let presets = StoredValue::new(local_storage::presets());
    let save = move |edit: fn(String) -> Edit| {
        Callback::new(move |text: String| context.save(&edit(text)))
    };
    let reset =
        move |setting: Setting| Callback::new(move |()| context.save(&Edit::Reset(setting)));
    let current =
        move |read: fn(&Settings) -> String| Signal::derive(move || context.settings.with(read));
    let customised = move |read: fn(&Settings) -> String| {
        Signal::derive(move || context.settings.with(read) != presets.with_value(read))
    };
    let storage_endpoint = |settings: &Settings| settings.storage_endpoint.clone();
    let kubo_endpoint = |settings: &Settings| settings.kubo_endpoint.clone();
    let pinata_api = |settings: &Settings| settings.pinata_api_endpoint.clone();
    let pinata_uploads = |settings: &Settings| settings.pinata_uploads_endpoint.clone();
    let gateway = |settings: &Settings| settings.gateway.clone();
    let gateway_fallbacks = |settings: &Settings| settings.gateway_fallbacks_text();
    let rpc_url = |settings: &Settings| settings.rpc_url.clone().unwrap_or_default();
    let chain_id = |settings: &Settings| {
        settings
            .chain_id
            .map(|id| id.to_string())
            .unwrap_or_default()
    };
    view! {
        <div class="page-title">
            <h1>"Settings"</h1>
            <p class="lede">
                "Saved in this browser only. They take the place of the presets this build of Minty came with."
            </p>
        </div>
        <SettingsProblems />
        <section class="card settings" aria-labelledby="storage-heading">
            <h2 id="storage-heading">"Storage"</h2>
            <StorageProviderSetting />
            <h3>"nft.storage API"</h3>
            <ApiTokenSetting
                provider=StorageProviderKind::NftStorage
                label="nft.storage API token"
                test_id="api-token"
            >
                "The API key your nft.storage-compatible service gave you (on nft.storage, under API Keys)."
            </ApiTokenSetting>
            <SettingField
                label="Storage endpoint"
                id="storage-endpoint"
                input_type="url"
                placeholder="https://api.nft.storage"
                saved=current(storage_endpoint)
                customised=customised(storage_endpoint)
                on_save=save(Edit::StorageEndpoint)
                on_reset=reset(Setting::StorageEndpoint)
                input_test_id="storage-endpoint-input"
                save_test_id="save-storage-endpoint"
            >
                "The nft.storage-compatible HTTP API your files are uploaded to."
                <p class="notice" data-testid="classic-notice">
                    "nft.storage Classic stopped taking uploads on 2024-06-30. Compatible endpoints, such as the local storage service ("
                    <code>"npm run dev"</code>
                    "), work with the same API."
                </p>
            </SettingField>
            <h3>"Kubo RPC"</h3>
            <SettingField
                label="Kubo RPC endpoint"
                id="kubo-endpoint"
                input_type="url"
                placeholder="http://127.0.0.1:5001"
                saved=current(kubo_endpoint)
                customised=customised(kubo_endpoint)
                on_save=save(Edit::KuboEndpoint)
                on_reset=reset(Setting::KuboEndpoint)
                input_test_id="kubo-endpoint-input"
                save_test_id="save-kubo-endpoint"
            >
                "The RPC API of an IPFS node (IPFS Desktop, "
                <code>"ipfs daemon"</code>
                ") or of a hosted Kubo-compatible service. Files are imported with "
                <code>"dag/import"</code>
                " and pinned. A node must allow this page's origin first: see the README."
            </SettingField>
            <ApiTokenSetting
                provider=StorageProviderKind::KuboRpc
                label="Kubo RPC token (optional)"
                test_id="kubo-token"
            >
                "Only for a hosted endpoint that asks for a Bearer token; a node on this computer needs none."
            </ApiTokenSetting>
            <h3>"Pinata"</h3>
            <ApiTokenSetting
                provider=StorageProviderKind::Pinata
                label="Pinata JWT"
                test_id="pinata-token"
            >
                "On pinata.cloud, under API Keys: a new key with the pinFileToIPFS and v3 files write scopes; paste its JWT."
            </ApiTokenSetting>
            <SettingField
                label="Pinata API endpoint"
                id="pinata-api-endpoint"
                input_type="url"
                placeholder="https://api.pinata.cloud"
                saved=current(pinata_api)
                customised=customised(pinata_api)
                on_save=save(Edit::PinataApiEndpoint)
                on_reset=reset(Setting::PinataApiEndpoint)
                input_test_id="pinata-api-endpoint-input"
                save_test_id="save-pinata-api-endpoint"
            >
                "Where files up to 100 MB are pinned (pinFileToIPFS). Change it only for a stand-in, such as the local stack's."
            </SettingField>
            <SettingField
                label="Pinata uploads endpoint"
                id="pinata-uploads-endpoint"
                input_type="url"
                placeholder="https://uploads.pinata.cloud"
                saved=current(pinata_uploads)
                customised=customised(pinata_uploads)
                on_save=save(Edit::PinataUploadsEndpoint)
                on_reset=reset(Setting::PinataUploadsEndpoint)
                input_test_id="pinata-uploads-endpoint-input"
                save_test_id="save-pinata-uploads-endpoint"
            >
                "Where larger files go, in chunks that can resume. The JWT is saved for both endpoints: save it again after changing either."
            </SettingField>
            <SettingField
                label="IPFS gateway"
                id="gateway"
                input_type="url"
                placeholder="https://nftstorage.link/ipfs/"
                saved=current(gateway)
                customised=customised(gateway)
                on_save=save(Edit::Gateway)
                on_reset=reset(Setting::Gateway)
                input_test_id="gateway-input"
                save_test_id="save-gateway"
            >
                "A path gateway: Minty appends a CID and path to it to show images and metadata."
            </SettingField>
            <SettingField
                label="Fallback gateways"
                id="gateway-fallbacks"
                placeholder="https://trustless-gateway.link/ipfs/ https://dweb.link/ipfs/"
                saved=current(gateway_fallbacks)
                customised=customised(gateway_fallbacks)
                on_save=save(Edit::GatewayFallbacks)
                on_reset=reset(Setting::GatewayFallbacks)
                input_test_id="gateway-fallbacks-input"
                save_test_id="save-gateway-fallbacks"
            >
                "Path gateways asked in turn, separated by spaces, when the gateway above fails, alters what it serves or cannot serve checkable raw blocks; "
                <code>"none"</code>
                " for none."
            </SettingField>
        </section>
        <PinningServicesSetting />
        <section class="card settings" aria-labelledby="network-heading">
            <h2 id="network-heading">"Network"</h2>
            <SettingField
                label="Expected chain id"
                id="chain-id"
                placeholder="31337"
                saved=current(chain_id)
                customised=customised(chain_id)
                on_save=save(Edit::ChainId)
                on_reset=reset(Setting::ChainId)
                input_test_id="chain-id-input"
                save_test_id="save-chain-id"
            >
                "The chain Minty asks your wallet to switch to, in decimal (e.g. 11155111 for Sepolia)."
            </SettingField>
            <SettingField
                label="RPC URL"
                id="rpc-url"
                input_type="url"
                placeholder="http://127.0.0.1:8545"
                saved=current(rpc_url)
                customised=customised(rpc_url)
                on_save=save(Edit::RpcUrl)
                on_reset=reset(Setting::RpcUrl)
                input_test_id="rpc-url-input"
                save_test_id="save-rpc-url"
            >
                "A JSON-RPC endpoint of the expected chain, for reading tokens without a wallet. It is also offered to your wallet when it does not know the chain yet."
            </SettingField>
            <ContractsSetting />
        </section>
    }
}
