//! Small views shared by pages and the app shell.

pub mod copy_button;
pub mod wallet_status;

pub use copy_button::CopyButton;
pub use wallet_status::WalletStatus;
