//! Small views shared by pages and the app shell.

pub mod copy_button;
pub mod untrusted_link;
pub mod wallet_status;

pub use copy_button::CopyButton;
pub use untrusted_link::UntrustedLink;
pub use wallet_status::WalletStatus;
