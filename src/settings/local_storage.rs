//! The settings shell: reads and writes saved values in `window.localStorage`.

use web_sys::Storage;

use super::{edit::Edit, Presets, Settings, SettingsError};

/// Why a value could not be saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocalStorageError {
    #[error("This browser does not let the page use localStorage (private mode or blocked site data), so settings cannot be saved.")]
    Unavailable,
    #[error("The browser refused to save the setting; its storage for this site may be full.")]
    Refused,
}

/// Why a change on the settings page was not saved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SaveError {
    #[error(transparent)]
    Invalid(#[from] SettingsError),
    #[error(transparent)]
    Storage(#[from] LocalStorageError),
}

fn storage() -> Result<Storage, LocalStorageError> {
    // `localStorage` itself throws when site data is blocked, hence `.ok()`.
    web_sys::window()
        .and_then(|window| window.local_storage().ok().flatten())
        .ok_or(LocalStorageError::Unavailable)
}

/// The saved value of `key`, if there is one and storage is readable.
pub fn get(key: &str) -> Option<String> {
    storage().ok()?.get_item(key).ok().flatten()
}

pub fn set(key: &str, value: &str) -> Result<(), LocalStorageError> {
    storage()?
        .set_item(key, value)
        .map_err(|_| LocalStorageError::Refused)
}

pub fn remove(key: &str) -> Result<(), LocalStorageError> {
    storage()?
        .remove_item(key)
        .map_err(|_| LocalStorageError::Refused)
}

/// The settings in effect: build presets overlaid by saved values, and
/// every value that could not be used.
pub fn load() -> (Settings, Vec<SettingsError>) {
    let (settings, mut problems) = Settings::from_presets(&Presets::BUILD);
    let (settings, saved_problems) = settings.overlay_saved(get);
    problems.extend(saved_problems);
    (settings, problems)
}

/// The settings this build starts from, before any saved value; `load`
/// reports the presets that could not be used.
pub fn presets() -> Settings {
    Settings::from_presets(&Presets::BUILD).0
}

/// Saves `edit` to `current` settings, then reads everything back as a
/// reload would: the new settings and the problems that remain.
pub fn save(current: &Settings, edit: &Edit) -> Result<(Settings, Vec<SettingsError>), SaveError> {
    let write = current.write_for(edit, &presets())?;
    match write.value {
        Some(value) => set(write.key, &value)?,
        None => remove(write.key)?,
    }
    Ok(load())
}
