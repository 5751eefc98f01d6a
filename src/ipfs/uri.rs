//! `ipfs://` URIs and the links found in untrusted metadata: which ones may
//! be followed, and how an IPFS address becomes a gateway URL.

use cid::Cid;
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
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
    #[error("the path segment \"{segment}\" is refused: it is {problem}")]
    InvalidSegment {
        /// As written (still percent-encoded when it came from a URI).
        segment: String,
        problem: SegmentError,
    },
}

/// Why a path segment cannot name an entry below a CID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SegmentError {
    #[error("empty (\"//\"), which names no entry")]
    Empty,
    // RFC 3986 §5.2.4: gateways and browsers remove dot segments, so
    // `<cid>/../../x` would leave `/ipfs/<cid>/` for another path.
    #[error("a dot segment (\".\" or \"..\"), which would lead away from the file")]
    Dot,
    #[error("a name holding a slash (%2F), which would split it in two")]
    Slash,
    #[error("a name holding a NUL character, which no file name holds")]
    Nul,
    #[error("not UTF-8 once its percent-escapes are decoded")]
    NotUtf8,
}

/// The media type of a gateway's raw block answer (IPIP-402): the block's
/// bytes exactly, which a client can check against the CID.
pub const RAW_BLOCK_MEDIA_TYPE: &str = "application/vnd.ipld.raw";

/// What a path segment keeps as is: RFC 3986's unreserved characters and
/// the sub-delims and ":" "@" that `pchar` allows (§3.3), except "'", "("
/// and ")", which end unquoted CSS `url()`s and quoted attributes where
/// marketplaces paste image URLs, and ";", which some servers read as the
/// start of path parameters. Everything else, "#", "?", "%", space, "/" and
/// every non-ASCII byte above all, is percent-encoded.
pub(crate) const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

/// An address inside IPFS: a CID and the names of the entries below it,
/// decoded and checked, so each is a real file name and none leads away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpfsPath {
    pub cid: Cid,
    segments: Vec<String>,
}

impl IpfsPath {
    /// The CID itself.
    pub fn root(cid: Cid) -> Self {
        Self {
            cid,
            segments: Vec::new(),
        }
    }

    /// The entry named by `segments` (decoded names, one per directory
    /// level) below `cid`; refuses a name that could not be one.
    pub fn new(
        cid: Cid,
        segments: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<Self, UriError> {
        let segments = segments
            .into_iter()
            .map(|segment| {
                let segment = segment.into();
                check_segment(&segment).map_err(|problem| UriError::InvalidSegment {
                    segment: segment.clone(),
                    problem,
                })?;
                Ok(segment)
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { cid, segments })
    }

    /// The entry `name` inside this address.
    pub fn join(&self, name: &str) -> Result<Self, UriError> {
        Self::new(
            self.cid,
            self.segments.iter().map(String::as_str).chain([name]),
        )
    }

    /// The decoded names below the CID, outermost first.
    pub fn segments(&self) -> &[String] {
        &self.segments
    }

    /// The last name, which carries the file's extension.
    pub fn file_name(&self) -> Option<&str> {
        self.segments.last().map(String::as_str)
    }

    /// What follows `ipfs://`: the CID, then each segment percent-encoded.
    /// Minty's contract stores this and prefixes the scheme itself.
    pub fn cid_and_path(&self) -> String {
        let mut text = self.cid.to_string();
        for segment in &self.segments {
            text.push('/');
            text.extend(utf8_percent_encode(segment, PATH_SEGMENT));
        }
        text
    }

    /// `ipfs://<cid>/<segment>/…`, every segment percent-encoded.
    pub fn to_uri(&self) -> String {
        format!("ipfs://{}", self.cid_and_path())
    }

    /// The URL of this address under a path gateway such as
    /// `https://nftstorage.link/ipfs/`.
    pub fn gateway_url(&self, gateway: &str) -> String {
        format!("{}/{}", gateway_base(gateway), self.cid_and_path())
    }
}

/// The URL of block `cid` as a raw block under a trustless gateway
/// (IPIP-402); no path, since blocks are fetched one CID at a time.
pub fn raw_block_url(gateway: &str, cid: &Cid) -> String {
    format!("{}/{cid}?format=raw", gateway_base(gateway))
}

fn gateway_base(gateway: &str) -> &str {
    gateway.trim_end_matches('/')
}

/// Parses `ipfs://<cid>[/path]`. The legacy `ipfs://ipfs/<cid>` form that
/// some minters wrote is accepted too. Each segment is percent-decoded, and
/// one that is empty, a dot segment or hides a slash is refused.
pub fn parse_ipfs_uri(uri: &str) -> Result<IpfsPath, UriError> {
    let rest = uri
        .strip_prefix("ipfs://")
        .ok_or_else(|| UriError::NotIpfs(uri.to_owned()))?;
    let rest = rest.strip_prefix("ipfs/").unwrap_or(rest);
    // RFC 3986 §3.3: "?" or "#" ends the path, for every gateway and
    // marketplace; reading past them would show a token nobody else can.
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let (cid_text, path) = rest.split_once('/').unwrap_or((rest, ""));
    let cid = cid_text
        .parse()
        .map_err(|_| UriError::InvalidCid(uri.to_owned()))?;
    Ok(IpfsPath {
        cid,
        segments: parse_path(path)?,
    })
}

/// Decodes a percent-encoded path below a CID (`a/b%20c.png`) into its
/// names, checking each. Trailing slashes (a directory) are dropped.
pub fn parse_path(path: &str) -> Result<Vec<String>, UriError> {
    let path = path.trim_end_matches('/');
    if path.is_empty() {
        return Ok(Vec::new());
    }
    path.split('/')
        .map(|raw| {
            let invalid = |problem| UriError::InvalidSegment {
                segment: raw.to_owned(),
                problem,
            };
            let decoded = percent_decode_str(raw)
                .decode_utf8()
                .map_err(|_| invalid(SegmentError::NotUtf8))?;
            check_segment(&decoded).map_err(invalid)?;
            Ok(decoded.into_owned())
        })
        .collect()
}

/// A decoded name that can be one entry of a UnixFS directory.
fn check_segment(name: &str) -> Result<(), SegmentError> {
    match name {
        "" => Err(SegmentError::Empty),
        "." | ".." => Err(SegmentError::Dot),
        _ if name.contains('/') => Err(SegmentError::Slash),
        _ if name.contains('\0') => Err(SegmentError::Nul),
        _ => Ok(()),
    }
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

    fn in_dir(name: &str) -> IpfsPath {
        IpfsPath::new(DIR.parse().unwrap(), [name]).unwrap()
    }

    #[test]
    fn ipfs_uri_splits_into_cid_and_path() {
        let address = parse_ipfs_uri(&format!("ipfs://{DIR}/cat0.gif")).unwrap();
        assert_eq!(address.cid.to_string(), DIR);
        assert_eq!(address.segments(), ["cat0.gif"]);
        assert_eq!(address.to_uri(), format!("ipfs://{DIR}/cat0.gif"));
        assert_eq!(
            address.gateway_url("https://nftstorage.link/ipfs/"),
            format!("https://nftstorage.link/ipfs/{DIR}/cat0.gif")
        );
    }

    #[test]
    fn a_file_name_with_a_hash_and_a_space_is_percent_encoded_in_every_url() {
        let address = in_dir("Artwork #1.png");
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
        let address = in_dir("100% a?b;c d+e(1)'~_-.png");
        let uri = address.to_uri();
        assert_eq!(
            uri,
            format!("ipfs://{DIR}/100%25%20a%3Fb%3Bc%20d+e%281%29%27~_-.png")
        );
        assert_eq!(parse_ipfs_uri(&uri).unwrap(), address);
    }

    #[test]
    fn unicode_names_round_trip() {
        let address = in_dir("ünïcødé 猫.png");
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
                matches!(
                    parse_ipfs_uri(&format!("ipfs://{DIR}/{hostile}")),
                    Err(UriError::InvalidSegment { .. })
                ),
                "{hostile:?} must be refused"
            );
        }
        let cid = DIR.parse().unwrap();
        for (name, problem) in [
            ("..", SegmentError::Dot),
            ("a/b", SegmentError::Slash),
            ("", SegmentError::Empty),
        ] {
            assert_eq!(
                IpfsPath::new(cid, [name]),
                Err(UriError::InvalidSegment {
                    segment: name.into(),
                    problem
                })
            );
        }
        // The same names are fine once they are the whole of a segment.
        assert_eq!(
            parse_ipfs_uri(&format!("ipfs://{DIR}/..a/b.."))
                .unwrap()
                .segments(),
            ["..a", "b.."]
        );
    }

    #[test]
    fn the_error_says_which_segment_and_why() {
        let error = parse_ipfs_uri(&format!("ipfs://{DIR}/../../x")).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the path segment \"..\" is refused: it is a dot segment (\".\" or \"..\"), which would lead away from the file"
        );
    }

    #[test]
    fn a_fragment_or_query_is_not_part_of_the_path() {
        // What every gateway and marketplace reads, so the app reads it too.
        let address = parse_ipfs_uri(&format!("ipfs://{DIR}/Artwork #1.png")).unwrap();
        assert_eq!(address.segments(), ["Artwork "]);
        let address = parse_ipfs_uri(&format!("ipfs://{DIR}/a.png?filename=b.png")).unwrap();
        assert_eq!(address.segments(), ["a.png"]);
    }

    #[test]
    fn raw_block_urls_name_the_cid_alone() {
        let address = parse_ipfs_uri(&format!("ipfs://{DIR}/cat0.gif")).unwrap();
        assert_eq!(
            raw_block_url("http://127.0.0.1:8787/ipfs/", &address.cid),
            format!("http://127.0.0.1:8787/ipfs/{DIR}?format=raw")
        );
    }

    #[test]
    fn legacy_ipfs_ipfs_form_is_accepted() {
        let address = parse_ipfs_uri(&format!("ipfs://ipfs/{DIR}")).unwrap();
        assert!(address.segments().is_empty());
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
        // A tokenURI that climbs out of its CID is not a link at all.
        assert!(matches!(
            classify_untrusted_link(&format!("ipfs://{DIR}/../../ipfs/{DIR}/x")),
            Err(UriError::InvalidSegment { .. })
        ));
        assert!(classify_untrusted_link("https:evil").is_err());
        assert!(classify_untrusted_link("no scheme").is_err());
    }
}
