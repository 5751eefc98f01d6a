//! The settings shell: reads and writes saved values in `window.localStorage`.

use web_sys::Storage;

use super::{Presets, Settings, SettingsError};

/// Why a value could not be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    #[error("This browser does not let the page use localStorage (private mode or blocked site data), so settings cannot be saved.")]
    Unavailable,
    #[error("The browser refused to save the setting; its storage for this site may be full.")]
    Refused,
}

fn storage() -> Result<Storage, StorageError> {
    // `localStorage` itself throws when site data is blocked, hence `.ok()`.
    web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .ok_or(StorageError::Unavailable)
}

/// The saved value of `key`, if there is one and storage is readable.
pub fn get(key: &str) -> Option<String> {
    storage().ok()?.get_item(key).ok().flatten()
}

pub fn set(key: &str, value: &str) -> Result<(), StorageError> {
    storage()?
        .set_item(key, value)
        .map_err(|_| StorageError::Refused)
}

pub fn remove(key: &str) -> Result<(), StorageError> {
    storage()?
        .remove_item(key)
        .map_err(|_| StorageError::Refused)
}

/// The settings in effect: build presets overlaid by saved values, and
/// every value that could not be used.
pub fn load() -> (Settings, Vec<SettingsError>) {
    let (settings, mut problems) = Settings::from_presets(&Presets::BUILD);
    let (settings, saved_problems) = settings.overlay_saved(get);
    problems.extend(saved_problems);
    (settings, problems)
}

/// Remembers the Minty contract for a chain, in memory and in localStorage,
/// alongside the other saved contract addresses.
pub fn remember_contract(
    settings: &mut Settings,
    chain_id: u64,
    address: ethers_core::types::Address,
) -> Result<(), StorageError> {
    let mut saved: std::collections::BTreeMap<String, String> = get(super::keys::CONTRACTS)
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    saved.insert(
        chain_id.to_string(),
        ethers_core::utils::to_checksum(&address, None),
    );
    let json = serde_json::to_string(&saved).expect("a map of strings serializes");
    set(super::keys::CONTRACTS, &json)?;
    settings.contracts.insert(chain_id, address);
    Ok(())
}
