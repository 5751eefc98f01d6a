//! The IPFS roots a token's data hangs from: the CIDs of its metadata's and
//! its asset's `ipfs://` URIs. Minty's `pin` takes these, and a token's
//! archive holds their DAGs.

use cid::Cid;

use crate::ipfs::uri::parse_ipfs_uri;

/// What a root holds, as the page names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootRole {
    Metadata,
    Asset,
}

impl RootRole {
    pub fn label(self) -> &'static str {
        match self {
            RootRole::Metadata => "Metadata",
            RootRole::Asset => "Asset",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenRoot {
    pub role: RootRole,
    pub cid: Cid,
}

/// The metadata's root, then the asset's, each once: an address that is
/// not on IPFS has no root, and an asset in the metadata's own directory
/// adds none.
pub fn token_roots(metadata_uri: &str, asset_uri: Option<&str>) -> Vec<TokenRoot> {
    let mut roots: Vec<TokenRoot> = Vec::new();
    for (role, uri) in [
        (RootRole::Metadata, Some(metadata_uri)),
        (RootRole::Asset, asset_uri),
    ] {
        let Some(cid) = uri
            .and_then(|uri| parse_ipfs_uri(uri).ok())
            .map(|path| path.cid)
        else {
            continue;
        };
        if roots.iter().all(|root| root.cid != cid) {
            roots.push(TokenRoot { role, cid });
        }
    }
    roots
}

#[cfg(test)]
mod tests {
    use super::*;

    const METADATA: &str = "bafybeigvgzoolc3drupxhlevdp2ugqcrbcsqfmcek2zxiw5wctk3xjpjwy";
    const ASSET: &str = "bafkreifidl2jnal7ycittjrnbki6jasdxwwvpf7fj733vnyhidtusxby4y";

    fn cids(roots: &[TokenRoot]) -> Vec<(RootRole, String)> {
        roots
            .iter()
            .map(|root| (root.role, root.cid.to_string()))
            .collect()
    }

    #[test]
    fn the_metadata_root_comes_first_then_the_asset_root() {
        let roots = token_roots(
            &format!("ipfs://{METADATA}/metadata.json"),
            Some(&format!("ipfs://{ASSET}")),
        );
        assert_eq!(
            cids(&roots),
            [
                (RootRole::Metadata, METADATA.to_owned()),
                (RootRole::Asset, ASSET.to_owned())
            ]
        );
    }

    #[test]
    fn an_asset_beside_its_metadata_adds_no_root() {
        let roots = token_roots(
            &format!("ipfs://{METADATA}/metadata.json"),
            Some(&format!("ipfs://{METADATA}/cat.png")),
        );
        assert_eq!(cids(&roots), [(RootRole::Metadata, METADATA.to_owned())]);
    }

    #[test]
    fn addresses_off_ipfs_have_no_root() {
        let roots = token_roots(
            "https://example.com/1.json",
            Some(&format!("ipfs://{ASSET}")),
        );
        assert_eq!(cids(&roots), [(RootRole::Asset, ASSET.to_owned())]);
        assert!(token_roots("https://example.com/1.json", Some("data:,x")).is_empty());
    }
}
