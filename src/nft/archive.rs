//! A token's archive (seed 003, "Making archival copies of your NFT
//! data"): one CARv1 holding every block of the token's metadata DAG and of
//! its asset DAG, so the data can be kept, re-provided (`ipfs dag import`
//! pins each root) or unpacked without any gateway.
//!
//! The header names both roots, the metadata's first. `ipfs-car unpack`
//! refuses a CAR of several roots unless it is told which (`--root`); a
//! CAR of one synthetic root above both would unpack in one go but would
//! name a CID the token never does.

use cid::Cid;
use ethers_core::types::Address;
use thiserror::Error;

use crate::byte_size::human_bytes;
use crate::ipfs::car::car_header;
use crate::ipfs::dag_export::DeclaredSize;
use crate::ipfs::file_reader::ReadBudget;
use crate::ipfs::uri::parse_ipfs_uri;
use crate::nft::token_id::TokenId;
use crate::nft::token_roots::{token_roots, RootRole, TokenRoot};

/// The most an archive holds: the largest file the app is measured with
/// (`npm run bench` mints 1 GiB). A DAG that declares more is refused
/// before anything below its root is fetched.
pub const MAX_ARCHIVE_BYTES: u64 = 1 << 30;

/// The media type of a CAR (IANA: application/vnd.ipld.car).
pub const CAR_MEDIA_TYPE: &str = "application/vnd.ipld.car";

/// The walk's budget: [`MAX_ARCHIVE_BYTES`], `file_reader`'s depth cap,
/// and a link per 4 KiB of it, as for reading a file.
pub fn archive_budget() -> ReadBudget {
    ReadBudget::new(MAX_ARCHIVE_BYTES)
}

/// `token-<contract>-<id>.car`, the contract in lowercase hex: file systems
/// that ignore case would make EIP-55's mixed case noise, and one spelling
/// keeps one file per token.
pub fn archive_file_name(contract: &Address, id: &TokenId) -> String {
    format!("token-{contract:#x}-{id}.car")
}

/// What a token's archive holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveContents {
    /// The CAR's roots, metadata first.
    pub roots: Vec<TokenRoot>,
    /// Why the asset is not in it, when the metadata names one it leaves out.
    pub asset_left_out: Option<&'static str>,
}

/// Why a token has no archive to offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum NothingToArchive {
    #[error("Nothing to archive here: the token's metadata is not on IPFS.")]
    MetadataNotOnIpfs,
    #[error("No archive: it starts from the token's metadata, which could not be read.")]
    MetadataUnread,
}

impl ArchiveContents {
    /// The archive of a token whose tokenURI is `metadata_uri`; `asset_uri`
    /// is what its metadata names, when the metadata was read
    /// (`metadata_read`), since only the metadata says where the asset is.
    pub fn of(
        metadata_uri: &str,
        metadata_read: bool,
        asset_uri: Option<&str>,
    ) -> Result<Self, NothingToArchive> {
        let roots = token_roots(metadata_uri, asset_uri);
        if !roots.iter().any(|root| root.role == RootRole::Metadata) {
            return Err(NothingToArchive::MetadataNotOnIpfs);
        }
        if !metadata_read {
            return Err(NothingToArchive::MetadataUnread);
        }
        let asset_on_ipfs = asset_uri.is_some_and(|uri| parse_ipfs_uri(uri).is_ok());
        let asset_left_out = match asset_uri {
            None => Some("The metadata names no asset, so the archive holds the metadata alone."),
            Some(_) if !asset_on_ipfs => {
                Some("The asset is not on IPFS, so the archive holds the metadata alone.")
            }
            // On IPFS: its own root, or a part of the metadata's DAG.
            Some(_) => None,
        };
        Ok(Self {
            roots,
            asset_left_out,
        })
    }

    pub fn root_cids(&self) -> Vec<Cid> {
        self.roots.iter().map(|root| root.cid).collect()
    }
}

/// How large an archive will be, from what its roots declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveSize {
    /// The header and every block's bytes; each block's length prefix and
    /// CID, some 40 bytes, come on top.
    pub bytes: u64,
    /// False when the DAG left a size undeclared: `bytes` is a floor.
    pub complete: bool,
}

impl ArchiveSize {
    pub fn of(roots: &[Cid], declared: DeclaredSize) -> Self {
        Self {
            bytes: declared
                .bytes
                .saturating_add(car_header(roots).len() as u64),
            complete: declared.complete,
        }
    }

    /// "about 42.0 MB", or "at least …" when a size was not declared:
    /// either way the sizes are the DAG's word, not yet checked.
    pub fn describe(&self) -> String {
        let qualifier = if self.complete { "about" } else { "at least" };
        format!("{qualifier} {}", human_bytes(self.bytes))
    }

    /// Progress while building: "12.5 MB of about 42.0 MB (29%)". The
    /// percent stops at 99 until the build is done, since the declared
    /// size may be short.
    pub fn progress(&self, written: u64) -> String {
        let percent = self.percent(written);
        format!(
            "{} of {} ({percent}%)",
            human_bytes(written),
            self.describe()
        )
    }

    /// Whole percent of the build done, 99 at most.
    pub fn percent(&self, written: u64) -> u64 {
        let total = u128::from(self.bytes.max(1));
        (u128::from(written) * 100 / total).min(99) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipfs::car::Car;

    const METADATA: &str = "bafybeigvgzoolc3drupxhlevdp2ugqcrbcsqfmcek2zxiw5wctk3xjpjwy";
    const ASSET: &str = "bafkreifidl2jnal7ycittjrnbki6jasdxwwvpf7fj733vnyhidtusxby4y";

    fn roots() -> [Cid; 2] {
        [METADATA.parse().unwrap(), ASSET.parse().unwrap()]
    }

    #[test]
    fn the_file_is_named_by_lowercase_contract_and_decimal_id() {
        let contract: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
            .parse()
            .unwrap();
        let id: TokenId = "42".parse().unwrap();
        assert_eq!(
            archive_file_name(&contract, &id),
            "token-0x5fbdb2315678afecb367f032d93f642f64180aa3-42.car"
        );
        let huge: TokenId =
            "115792089237316195423570985008687907853269984665640564039457584007913129639935"
                .parse()
                .unwrap();
        assert!(archive_file_name(&contract, &huge).ends_with("639935.car"));
    }

    #[test]
    fn the_header_names_both_roots_metadata_first() {
        let header = car_header(&roots());
        // a2 65 "roots" 82: a map whose roots are a list of two.
        assert_eq!(
            &header[1..9],
            &[0xa2, 0x65, b'r', b'o', b'o', b't', b's', 0x82]
        );
        assert_eq!(Car::read(&header).unwrap().roots, roots());
        assert_eq!(&header[header.len() - 9..], b"\x67version\x01");
    }

    #[test]
    fn the_size_is_about_the_declared_bytes_and_the_header() {
        let size = ArchiveSize::of(
            &roots(),
            DeclaredSize {
                bytes: 42_000_000,
                complete: true,
            },
        );
        assert_eq!(size.bytes, 42_000_000 + car_header(&roots()).len() as u64);
        assert_eq!(size.describe(), "about 42.0 MB");
        let floor = ArchiveSize {
            complete: false,
            ..size
        };
        assert_eq!(floor.describe(), "at least 42.0 MB");
    }

    #[test]
    fn progress_says_about_and_never_claims_the_end_early() {
        let size = ArchiveSize {
            bytes: 2_000_000,
            complete: true,
        };
        assert_eq!(size.progress(500_000), "500.0 kB of about 2.0 MB (25%)");
        assert_eq!(size.progress(1_999_999), "2.0 MB of about 2.0 MB (99%)");
        // A DAG that declared too little: past its size, still not done.
        assert_eq!(size.percent(3_000_000), 99);
        let empty = ArchiveSize {
            bytes: 0,
            complete: true,
        };
        assert_eq!(empty.percent(0), 0);
    }

    #[test]
    fn a_token_is_archived_from_its_metadata_and_asset_roots() {
        let metadata_uri = format!("ipfs://{METADATA}/metadata.json");
        let contents =
            ArchiveContents::of(&metadata_uri, true, Some(&format!("ipfs://{ASSET}"))).unwrap();
        assert_eq!(contents.root_cids(), roots());
        assert_eq!(contents.asset_left_out, None);
        // Beside its metadata, the asset is in the metadata's DAG.
        let beside = format!("ipfs://{METADATA}/cat.png");
        let contents = ArchiveContents::of(&metadata_uri, true, Some(&beside)).unwrap();
        assert_eq!(contents.root_cids(), [roots()[0]]);
        assert_eq!(contents.asset_left_out, None);
    }

    #[test]
    fn an_asset_off_ipfs_or_none_leaves_the_metadata_alone_and_says_so() {
        let metadata_uri = format!("ipfs://{METADATA}/metadata.json");
        for asset in [Some("https://example.com/cat.png"), None] {
            let contents = ArchiveContents::of(&metadata_uri, true, asset).unwrap();
            assert_eq!(contents.root_cids(), [roots()[0]]);
            assert!(contents.asset_left_out.unwrap().contains("metadata alone"));
        }
    }

    #[test]
    fn without_metadata_on_ipfs_or_read_there_is_no_archive() {
        assert_eq!(
            ArchiveContents::of("https://example.com/1.json", true, None),
            Err(NothingToArchive::MetadataNotOnIpfs)
        );
        assert_eq!(
            ArchiveContents::of(&format!("ipfs://{METADATA}/metadata.json"), false, None),
            Err(NothingToArchive::MetadataUnread)
        );
    }

    #[test]
    fn the_budget_is_a_gibibyte_with_the_file_readers_depth() {
        let budget = archive_budget();
        assert_eq!(budget.max_bytes, 1 << 30);
        assert_eq!(budget.max_depth, crate::ipfs::file_reader::MAX_DAG_DEPTH);
    }
}
