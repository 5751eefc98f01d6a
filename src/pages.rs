//! One module per screen the router can show.

pub mod home;
pub mod not_found;
pub mod token;

pub use home::Home;
pub use not_found::NotFound;
pub use token::TokenPage;
