//! Small views shared by pages and the app shell.

pub mod attribute_rows;
pub mod copy_button;
pub mod deploy_panel;
pub mod file_picker;
pub mod lazy_part;
pub mod mint_progress;
pub mod minted_token;
pub mod network_guard;
pub mod pin_panel;
pub mod setting_field;
pub mod settings_problems;
pub mod transaction_notices;
pub mod transaction_status;
pub mod untrusted_link;
pub mod untrusted_text;
pub mod wallet_status;

pub use attribute_rows::AttributeRows;
pub use copy_button::CopyButton;
pub use deploy_panel::DeployPanel;
pub use file_picker::FilePicker;
pub use lazy_part::LazyPart;
pub use mint_progress::MintProgress;
pub use minted_token::MintedTokenView;
pub use network_guard::NetworkGuard;
pub use pin_panel::PinPanel;
pub use setting_field::{FieldOutcome, SettingField};
pub use settings_problems::SettingsProblems;
pub use transaction_notices::{Notices, TransactionNotices};
pub use transaction_status::TransactionStatus;
pub use untrusted_link::UntrustedLink;
pub use untrusted_text::{UntrustedSnippet, UntrustedText};
pub use wallet_status::WalletStatus;
