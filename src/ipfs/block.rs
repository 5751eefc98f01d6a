//! Blocks and their CIDs: hashing bytes into a CIDv1, and checking that bytes
//! really are the block a CID names.

use cid::multihash::Multihash;
use cid::Cid;
use sha2::{Digest, Sha256};
use thiserror::Error;

/// Multicodec of a raw leaf: the bytes are the content itself.
pub const RAW_CODEC: u64 = 0x55;
/// Multicodec of dag-pb, used for UnixFS branch nodes and directories.
pub const DAG_PB_CODEC: u64 = 0x70;
/// Multihash code of sha2-256, the only hash our profiles use.
pub const SHA2_256_CODE: u64 = 0x12;
/// Multihash code of the identity "hash", which inlines small data in a CID.
pub const IDENTITY_CODE: u64 = 0x00;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BlockError {
    #[error("the bytes for block {cid} do not match its CID")]
    HashMismatch { cid: Cid },
    #[error("block {cid} uses hash function 0x{code:x}, which this app cannot verify")]
    UnsupportedHash { cid: Cid, code: u64 },
}

impl BlockError {
    /// The block the error is about.
    pub fn cid(&self) -> &Cid {
        match self {
            BlockError::HashMismatch { cid } | BlockError::UnsupportedHash { cid, .. } => cid,
        }
    }
}

/// A content-addressed block: its CID and the bytes the CID names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub cid: Cid,
    pub bytes: Vec<u8>,
}

impl Block {
    /// Hashes `bytes` with sha2-256 into a CIDv1 of the given codec.
    pub fn new(codec: u64, bytes: Vec<u8>) -> Self {
        let cid = cid_v1_sha256(codec, &bytes);
        Self { cid, bytes }
    }

    /// Accepts `bytes` as the block `cid` names only if they hash to it.
    pub fn verified(cid: Cid, bytes: Vec<u8>) -> Result<Self, BlockError> {
        verify_block(&cid, &bytes)?;
        Ok(Self { cid, bytes })
    }
}

pub fn sha256_multihash(bytes: &[u8]) -> Multihash<64> {
    let digest = Sha256::digest(bytes);
    Multihash::wrap(SHA2_256_CODE, &digest).expect("a sha2-256 digest fits in a multihash")
}

pub fn cid_v1_sha256(codec: u64, bytes: &[u8]) -> Cid {
    Cid::new_v1(codec, sha256_multihash(bytes))
}

/// The CIDv1 for a sha2-256 digest computed elsewhere (the browser's
/// WebCrypto); `None` unless it is 32 bytes.
pub fn cid_v1_from_sha256_digest(codec: u64, digest: &[u8]) -> Option<Cid> {
    (digest.len() == 32).then(|| {
        Cid::new_v1(
            codec,
            Multihash::wrap(SHA2_256_CODE, digest).expect("32 bytes fit in a multihash"),
        )
    })
}

/// Checks that `bytes` hash to the digest inside `cid`.
pub fn verify_block(cid: &Cid, bytes: &[u8]) -> Result<(), BlockError> {
    let hash = cid.hash();
    let matches = match hash.code() {
        SHA2_256_CODE => Sha256::digest(bytes)[..] == *hash.digest(),
        IDENTITY_CODE => hash.digest() == bytes,
        code => return Err(BlockError::UnsupportedHash { cid: *cid, code }),
    };
    if matches {
        Ok(())
    } else {
        Err(BlockError::HashMismatch { cid: *cid })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_block_matches_the_reference_vector() {
        let block = Block::new(RAW_CODEC, vec![21, 31]);
        assert_eq!(
            block.cid.to_string(),
            "bafkreifidl2jnal7ycittjrnbki6jasdxwwvpf7fj733vnyhidtusxby4y"
        );
    }

    #[test]
    fn verification_accepts_the_right_bytes_and_refuses_others() {
        let block = Block::new(RAW_CODEC, b"hello".to_vec());
        assert!(Block::verified(block.cid, b"hello".to_vec()).is_ok());
        assert_eq!(
            Block::verified(block.cid, b"hellO".to_vec()),
            Err(BlockError::HashMismatch { cid: block.cid })
        );
    }

    #[test]
    fn error_names_the_cid_that_failed() {
        let block = Block::new(RAW_CODEC, b"x".to_vec());
        let message = verify_block(&block.cid, b"y").unwrap_err().to_string();
        assert!(message.contains(&block.cid.to_string()), "{message}");
    }
}
