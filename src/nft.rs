//! NFT metadata (EIP-721's metadata JSON, with OpenSea's `animation_url`),
//! the media a token shows, and token ids.

pub mod archive;
pub mod gallery_page;
pub mod media;
pub mod metadata;
pub mod mint_details;
pub mod mint_journal;
pub mod token_history;
pub mod token_id;
pub mod token_roots;
pub mod untrusted_text;
