//! Import profiles: the parameters that decide which CID a file gets.
//!
//! Both profiles produce CIDv1 with sha2-256, raw leaves (codec 0x55), dag-pb
//! branches and directories, fixed-size chunks, a balanced layout, a one-chunk
//! file reduced to its raw block, no mtime or mode, and directories of more
//! than 1,000 entries sharded as HAMTs. They differ only in chunk size and
//! tree width. A CID from one profile never equals the other's for a file
//! larger than one chunk, so the profile is part of a CID's meaning.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProfile {
    pub name: &'static str,
    /// Bytes per leaf; the last leaf of a file may be shorter.
    pub chunk_size: usize,
    /// Most links a branch node may hold (the balanced layout's width).
    pub max_links: usize,
    /// Most entries a directory holds as one flat node; a directory with
    /// more is written as a HAMT (`hamt`).
    pub max_flat_directory_entries: usize,
}

/// ipfs-car's `SHARD_THRESHOLD` (unixfs.js): "shard directory after > 1,000
/// items". Both references count entries the same way; 3.1.0 did not move
/// to a size-based rule.
const IPFS_CAR_SHARD_THRESHOLD: usize = 1_000;

/// What the nft.storage JS client computed (via ipfs-car 0.6), what Kubo does
/// with `--cid-version=1`, and what ipfs-car 2.0.0 still produces.
pub const NFT_STORAGE: ImportProfile = ImportProfile {
    name: "nft-storage",
    chunk_size: 262_144,
    max_links: 174,
    max_flat_directory_entries: IPFS_CAR_SHARD_THRESHOLD,
};

/// IPIP-499's `unixfs-v1-2025`, used by ipfs-car 3.x and Storacha tooling.
pub const UNIXFS_V1_2025: ImportProfile = ImportProfile {
    name: "unixfs-v1-2025",
    chunk_size: 1_048_576,
    max_links: 1_024,
    max_flat_directory_entries: IPFS_CAR_SHARD_THRESHOLD,
};

pub const ALL_PROFILES: [ImportProfile; 2] = [NFT_STORAGE, UNIXFS_V1_2025];

impl Default for ImportProfile {
    fn default() -> Self {
        NFT_STORAGE
    }
}

impl fmt::Display for ImportProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown import profile \"{0}\"; use nft-storage or unixfs-v1-2025")]
pub struct UnknownProfile(pub String);

impl FromStr for ImportProfile {
    type Err = UnknownProfile;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ALL_PROFILES
            .into_iter()
            .find(|profile| profile.name == name)
            .ok_or_else(|| UnknownProfile(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_parse_by_name() {
        assert_eq!("nft-storage".parse(), Ok(NFT_STORAGE));
        assert_eq!("unixfs-v1-2025".parse(), Ok(UNIXFS_V1_2025));
        assert!("kubo".parse::<ImportProfile>().is_err());
    }
}
