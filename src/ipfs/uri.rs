//! `ipfs://` URIs and the links found in untrusted metadata: which ones may
//! be followed, and how an IPFS address becomes a gateway URL.

use cid::Cid;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum UriError {
    #[error("\"{0}\" is not an ipfs:// URI")]
    NotIpfs(String),
    #[error("\"{0}\" does not start with a valid CID")]
    InvalidCid(String),
    #[error("links with the scheme \"{scheme}\" are not followed; only ipfs://, https:// and http:// are")]
    UnsafeScheme { scheme: String },
    #[error("\"{0}\" is not a URL")]
    NotAUrl(String),
}

/// The media type of a gateway's raw block answer (IPIP-402): the block's
/// bytes exactly, which a client can check against the CID.
pub const RAW_BLOCK_MEDIA_TYPE: &str = "application/vnd.ipld.raw";

/// An address inside IPFS: a CID and a path below it ("" for the root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpfsPath {
    pub cid: Cid,
    pub path: String,
}

impl IpfsPath {
    pub fn to_uri(&self) -> String {
        if self.path.is_empty() {
            format!("ipfs://{}", self.cid)
        } else {
            format!("ipfs://{}/{}", self.cid, self.path)
        }
    }

    /// The URL of this CID's raw block under a trustless gateway; the path
    /// is not part of it, since blocks are fetched one CID at a time.
    pub fn raw_block_url(&self, gateway: &str) -> String {
        format!("{}/{}?format=raw", gateway.trim_end_matches('/'), self.cid)
    }

    /// The URL of this address under a path gateway such as
    /// `https://nftstorage.link/ipfs/`.
    pub fn gateway_url(&self, gateway: &str) -> String {
        let base = gateway.trim_end_matches('/');
        if self.path.is_empty() {
            format!("{base}/{}", self.cid)
        } else {
            format!("{base}/{}/{}", self.cid, self.path)
        }
    }
}

/// Parses `ipfs://<cid>[/path]`. The legacy `ipfs://ipfs/<cid>` form that
/// some minters wrote is accepted too.
pub fn parse_ipfs_uri(uri: &str) -> Result<IpfsPath, UriError> {
    let rest = uri
        .strip_prefix("ipfs://")
        .ok_or_else(|| UriError::NotIpfs(uri.to_owned()))?;
    let rest = rest.strip_prefix("ipfs/").unwrap_or(rest);
    let (cid_text, path) = rest.split_once('/').unwrap_or((rest, ""));
    let cid = cid_text
        .parse()
        .map_err(|_| UriError::InvalidCid(uri.to_owned()))?;
    Ok(IpfsPath {
        cid,
        path: path.trim_end_matches('/').to_owned(),
    })
}

/// A link from untrusted metadata that may be shown or fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SafeLink {
    Ipfs(IpfsPath),
    /// An `https://` or `http://` URL, as written.
    Web(String),
}

impl SafeLink {
    /// Where a browser should fetch it: IPFS through the gateway.
    pub fn fetch_url(&self, gateway: &str) -> String {
        match self {
            SafeLink::Ipfs(address) => address.gateway_url(gateway),
            SafeLink::Web(url) => url.clone(),
        }
    }
}

/// Accepts only `ipfs://`, `https://` and `http://` links; refuses every
/// other scheme (`javascript:`, `data:`, `file:`, …), matched without
/// regard to case or surrounding white space, as browsers match them.
pub fn classify_untrusted_link(link: &str) -> Result<SafeLink, UriError> {
    let trimmed = link.trim();
    let scheme_end = trimmed
        .find(':')
        .ok_or_else(|| UriError::NotAUrl(trimmed.to_owned()))?;
    // Browsers drop tabs and newlines inside a scheme ("java\tscript:").
    let scheme: String = trimmed[..scheme_end]
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match scheme.as_str() {
        "ipfs" => {
            parse_ipfs_uri(&format!("ipfs:{}", &trimmed[scheme_end + 1..])).map(SafeLink::Ipfs)
        }
        "https" | "http"
            if trimmed[scheme_end + 1..].starts_with("//") && trimmed.len() > scheme_end + 3 =>
        {
            Ok(SafeLink::Web(format!(
                "{scheme}:{}",
                &trimmed[scheme_end + 1..]
            )))
        }
        "https" | "http" => Err(UriError::NotAUrl(trimmed.to_owned())),
        _ => Err(UriError::UnsafeScheme { scheme }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = "bafybeiaoz5wvk3vt6qa5u4hz7zx6b2u4j3ieajpmrrwdpreq3u5iygqzdy";

    #[test]
    fn ipfs_uri_splits_into_cid_and_path() {
        let address = parse_ipfs_uri(&format!("ipfs://{DIR}/cat0.gif")).unwrap();
        assert_eq!(address.cid.to_string(), DIR);
        assert_eq!(address.path, "cat0.gif");
        assert_eq!(address.to_uri(), format!("ipfs://{DIR}/cat0.gif"));
        assert_eq!(
            address.gateway_url("https://nftstorage.link/ipfs/"),
            format!("https://nftstorage.link/ipfs/{DIR}/cat0.gif")
        );
    }

    #[test]
    fn a_file_name_with_a_hash_and_a_space_is_percent_encoded_in_every_url() {
        let address = IpfsPath {
            cid: DIR.parse().unwrap(),
            path: "Artwork #1.png".into(),
        };
        assert_eq!(address.to_uri(), format!("ipfs://{DIR}/Artwork%20%231.png"));
        assert_eq!(
            address.gateway_url("https://nftstorage.link/ipfs/"),
            format!("https://nftstorage.link/ipfs/{DIR}/Artwork%20%231.png")
        );
        let parsed = parse_ipfs_uri(&address.to_uri()).unwrap();
        assert_eq!(parsed, address);
    }

    #[test]
    fn characters_that_end_a_path_are_encoded_and_safe_ones_kept() {
        let address = IpfsPath {
            cid: DIR.parse().unwrap(),
            path: "100% a?b;c d+e(1)~_-.png".into(),
        };
        let uri = address.to_uri();
        assert_eq!(
            uri,
            format!("ipfs://{DIR}/100%25%20a%3Fb%3Bc%20d+e(1)~_-.png")
        );
        assert_eq!(parse_ipfs_uri(&uri).unwrap(), address);
    }

    #[test]
    fn unicode_names_round_trip() {
        let address = IpfsPath {
            cid: DIR.parse().unwrap(),
            path: "ünïcødé 猫.png".into(),
        };
        let uri = address.to_uri();
        assert!(uri.is_ascii(), "{uri}");
        assert_eq!(parse_ipfs_uri(&uri).unwrap(), address);
    }

    #[test]
    fn dot_segments_and_encoded_slashes_are_refused() {
        for hostile in [
            "../../x",
            "a/../../x",
            "./x",
            "%2e%2E/x",
            "a%2Fb",
            "a%2fb",
            "a//b",
            "%00",
        ] {
            assert!(
                parse_ipfs_uri(&format!("ipfs://{DIR}/{hostile}")).is_err(),
                "{hostile:?} must be refused"
            );
        }
    }

    #[test]
    fn a_fragment_or_query_is_not_part_of_the_path() {
        // What every gateway and marketplace reads, so the app reads it too.
        let address = parse_ipfs_uri(&format!("ipfs://{DIR}/Artwork #1.png")).unwrap();
        assert_eq!(address.path, "Artwork ");
        let address = parse_ipfs_uri(&format!("ipfs://{DIR}/a.png?filename=b.png")).unwrap();
        assert_eq!(address.path, "a.png");
    }

    #[test]
    fn raw_block_urls_name_the_cid_alone() {
        let address = parse_ipfs_uri(&format!("ipfs://{DIR}/cat0.gif")).unwrap();
        assert_eq!(
            address.raw_block_url("http://127.0.0.1:8787/ipfs/"),
            format!("http://127.0.0.1:8787/ipfs/{DIR}?format=raw")
        );
    }

    #[test]
    fn legacy_ipfs_ipfs_form_is_accepted() {
        let address = parse_ipfs_uri(&format!("ipfs://ipfs/{DIR}")).unwrap();
        assert_eq!(address.path, "");
    }

    #[test]
    fn a_bad_cid_is_refused() {
        assert!(matches!(
            parse_ipfs_uri("ipfs://not-a-cid/x"),
            Err(UriError::InvalidCid(_))
        ));
        assert!(matches!(
            parse_ipfs_uri("https://x"),
            Err(UriError::NotIpfs(_))
        ));
    }

    #[test]
    fn only_ipfs_and_web_links_are_followed() {
        assert!(matches!(
            classify_untrusted_link(&format!("ipfs://{DIR}")),
            Ok(SafeLink::Ipfs(_))
        ));
        assert_eq!(
            classify_untrusted_link("https://example.com/a.png"),
            Ok(SafeLink::Web("https://example.com/a.png".into()))
        );
        for hostile in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "file:///etc/passwd",
            "vbscript:x",
        ] {
            assert!(
                matches!(
                    classify_untrusted_link(hostile),
                    Err(UriError::UnsafeScheme { .. })
                ),
                "{hostile:?} must be refused"
            );
        }
        assert!(classify_untrusted_link("https:evil").is_err());
        assert!(classify_untrusted_link("no scheme").is_err());
    }
}
