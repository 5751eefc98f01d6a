//! The parts of a TUS 1.0.0 resumable upload (https://tus.io/protocols/resumable-upload)
//! that need no browser, as Pinata's v3 uploads use it
//! (https://docs.pinata.cloud/files/uploading-files#resumable-uploads):
//! which files go that way, the `Upload-Metadata` header, the chunks, and
//! reading `Upload-Offset` and `Location`.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

/// The protocol version every request and answer carries in `Tus-Resumable`.
pub const TUS_VERSION: &str = "1.0.0";

/// Files larger than this go through the resumable upload: Pinata's
/// `pinFileToIPFS` is meant for files up to 100 MB.
pub const RESUMABLE_ABOVE_BYTES: u64 = 100_000_000;

/// Bytes per `PATCH`: Pinata takes chunks under 50 MB. 40 MiB leaves room,
/// and a failed chunk costs at most that much to send again.
pub const CHUNK_BYTES: u64 = 40 * 1024 * 1024;
const _: () = assert!(CHUNK_BYTES < 50_000_000, "Pinata takes chunks under 50 MB");

/// Pinata keeps uploads private unless told otherwise; a private file is
/// not on IPFS, and no gateway would serve the minted asset.
pub const NETWORK: &str = "public";

/// Whether a file of `bytes` goes through the resumable upload.
pub fn is_resumable(bytes: u64) -> bool {
    bytes > RESUMABLE_ABOVE_BYTES
}

/// `Upload-Metadata`: comma-separated `key base64(value)` pairs (TUS
/// 1.0.0, "Upload-Metadata"). Pinata reads `filename`, `filetype` and
/// `network`; an empty type is left out rather than sent empty.
pub fn upload_metadata(file_name: &str, media_type: &str) -> String {
    let mut pairs = vec![format!("filename {}", BASE64.encode(file_name))];
    if !media_type.is_empty() {
        pairs.push(format!("filetype {}", BASE64.encode(media_type)));
    }
    pairs.push(format!("network {}", BASE64.encode(NETWORK)));
    pairs.join(",")
}

/// The byte range of the next `PATCH` from `offset`: `[start, end)`, at
/// most [`CHUNK_BYTES`] long, never past `total`.
pub fn next_chunk(offset: u64, total: u64) -> (u64, u64) {
    let start = offset.min(total);
    (start, (start + CHUNK_BYTES).min(total))
}

/// `Upload-Offset`: a non-negative decimal integer (TUS 1.0.0), within the
/// upload's length; anything else is not an offset to resume from.
pub fn parse_offset(value: Option<&str>, total: u64) -> Option<u64> {
    value?
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|offset| *offset <= total)
}

/// The upload URL a creation answer's `Location` names, resolved against
/// the URL the creation was sent to (it may be relative), as the browser's
/// own URL parser resolves it.
pub fn resolve_location(created_at: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if location.is_empty() {
        return None;
    }
    resolve(created_at, location)
}

#[cfg(target_arch = "wasm32")]
fn resolve(base: &str, relative: &str) -> Option<String> {
    web_sys::Url::new_with_base(relative, base)
        .ok()
        .map(|url| url.href())
}

#[cfg(not(target_arch = "wasm32"))]
fn resolve(base: &str, relative: &str) -> Option<String> {
    Some(url::Url::parse(base).ok()?.join(relative).ok()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_files_over_100_mb_are_resumable() {
        assert!(!is_resumable(100_000_000));
        assert!(is_resumable(100_000_001));
        assert!(is_resumable(120 * 1024 * 1024));
    }

    #[test]
    fn metadata_names_the_file_its_type_and_the_public_network() {
        assert_eq!(
            upload_metadata("big video.mp4", "video/mp4"),
            "filename YmlnIHZpZGVvLm1wNA==,filetype dmlkZW8vbXA0,network cHVibGlj"
        );
        assert_eq!(
            upload_metadata("a", ""),
            "filename YQ==,network cHVibGlj",
            "no empty type"
        );
    }

    #[test]
    fn chunks_cover_the_file_once_and_resume_where_the_service_says() {
        let total = 120 * 1024 * 1024;
        let mut offset = 0;
        let mut sizes = Vec::new();
        while offset < total {
            let (start, end) = next_chunk(offset, total);
            assert_eq!(start, offset);
            sizes.push(end - start);
            offset = end;
        }
        assert_eq!(sizes, [CHUNK_BYTES, CHUNK_BYTES, CHUNK_BYTES]);
        // After a failed PATCH the service may hold part of a chunk.
        assert_eq!(
            next_chunk(CHUNK_BYTES + 7, total),
            (CHUNK_BYTES + 7, 2 * CHUNK_BYTES + 7)
        );
        assert_eq!(next_chunk(total + 1, total), (total, total));
    }

    #[test]
    fn an_offset_is_a_decimal_within_the_upload() {
        assert_eq!(parse_offset(Some(" 41943040 "), 1 << 30), Some(41_943_040));
        assert_eq!(parse_offset(Some("-1"), 10), None);
        assert_eq!(parse_offset(Some("11"), 10), None);
        assert_eq!(parse_offset(Some("0x10"), 100), None);
        assert_eq!(parse_offset(None, 10), None);
    }

    #[test]
    fn a_location_is_resolved_against_where_the_upload_was_created() {
        let created = "https://uploads.pinata.cloud/v3/files";
        assert_eq!(
            resolve_location(created, "/v3/files/abc").as_deref(),
            Some("https://uploads.pinata.cloud/v3/files/abc")
        );
        assert_eq!(
            resolve_location(created, "https://uploads.pinata.cloud/v3/files/abc").as_deref(),
            Some("https://uploads.pinata.cloud/v3/files/abc")
        );
        // A Location elsewhere resolves there; the shell refuses to send the
        // JWT to it, since it is not an origin the token was saved for.
        assert_eq!(
            resolve_location(created, "//evil.example/x").as_deref(),
            Some("https://evil.example/x")
        );
        assert_eq!(resolve_location(created, " "), None);
    }
}
