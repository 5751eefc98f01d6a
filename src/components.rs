//! Small views shared by pages and the app shell.

pub mod copy_button;
pub mod network_guard;
pub mod setting_field;
pub mod settings_problems;
pub mod wallet_status;

pub use copy_button::CopyButton;
pub use network_guard::NetworkGuard;
pub use setting_field::{FieldOutcome, SettingField};
pub use settings_problems::SettingsProblems;
pub use wallet_status::WalletStatus;
