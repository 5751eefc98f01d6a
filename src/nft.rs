//! NFT metadata (EIP-721's metadata JSON, with OpenSea's `animation_url`).

pub mod metadata;
