//! One module per screen the router can show.

pub mod gallery;
pub mod home;
pub(crate) mod lazy;
pub mod mint;
pub mod not_found;
pub mod settings;
pub mod token;
pub mod uploads;

pub use gallery::{AllTokens, OwnerTokens};
pub use home::Home;
pub use mint::Mint;
pub use not_found::NotFound;
pub use settings::SettingsPage;
pub use token::TokenPage;
pub use uploads::Uploads;
