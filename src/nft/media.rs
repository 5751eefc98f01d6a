//! Which media a token shows, and how: the asset chosen from the metadata
//! (OpenSea's metadata standard), and the kind of preview its media type
//! calls for.

use super::metadata::NftMetadata;

/// Text assets are previewed from their first bytes only.
pub const TEXT_PREVIEW_BYTES: usize = 8 * 1024;

/// How an asset is previewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// Shown with `<img>`, SVG included: scripts in an SVG do not run there.
    Image,
    Video,
    Audio,
    /// Plain text or JSON, shown as text.
    Text,
    /// Anything else (HTML, PDF, 3D models, …): offered as a download.
    Other,
}

/// The token's media, as links still to be checked: OpenSea's standard puts
/// non-image media in `animation_url`, with `image` as its still preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenMedia {
    /// The asset itself: `animation_url` if set, else `image`.
    pub asset: Option<String>,
    /// `image`, when it is only the preview of an `animation_url` asset.
    pub cover_image: Option<String>,
}

impl TokenMedia {
    pub fn of(metadata: &NftMetadata) -> Self {
        let present = |link: &Option<String>| {
            link.as_deref()
                .map(str::trim)
                .filter(|link| !link.is_empty())
                .map(str::to_owned)
        };
        let image = present(&metadata.image);
        match present(&metadata.animation_url) {
            Some(animation) => Self {
                asset: Some(animation),
                cover_image: image,
            },
            None => Self {
                asset: image,
                cover_image: None,
            },
        }
    }
}

/// The preview for an asset whose gateway declared `content_type` (if it
/// answered) and whose link ends in `path`. A specific media type wins;
/// a missing or generic one falls back to the file name's extension.
pub fn media_kind(content_type: Option<&str>, path: &str) -> MediaKind {
    let essence = content_type
        .and_then(|value| value.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
        .filter(|essence| !essence.is_empty() && !is_generic(essence));
    match essence {
        Some(essence) => kind_of_media_type(&essence),
        None => kind_of_extension(path),
    }
}

/// Types that say "some bytes" rather than what they are.
fn is_generic(essence: &str) -> bool {
    matches!(
        essence,
        "application/octet-stream" | "binary/octet-stream" | "application/unknown"
    )
}

fn kind_of_media_type(essence: &str) -> MediaKind {
    let (top, sub) = essence.split_once('/').unwrap_or((essence, ""));
    match top {
        "image" => MediaKind::Image,
        "video" => MediaKind::Video,
        "audio" => MediaKind::Audio,
        "text" if sub == "plain" => MediaKind::Text,
        // RFC 6839: `+json` marks a JSON-based format.
        "application" if sub == "json" || sub.ends_with("+json") => MediaKind::Text,
        _ => MediaKind::Other,
    }
}

fn kind_of_extension(path: &str) -> MediaKind {
    // A web link may carry a query or fragment after the file name.
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let file_name = path.rsplit('/').next().unwrap_or_default();
    let Some((_, extension)) = file_name.rsplit_once('.') else {
        return MediaKind::Other;
    };
    match extension.to_ascii_lowercase().as_str() {
        "png" | "jpg" | "jpeg" | "gif" | "webp" | "avif" | "svg" | "bmp" | "ico" => {
            MediaKind::Image
        }
        "mp4" | "webm" | "mov" | "m4v" | "ogv" => MediaKind::Video,
        "mp3" | "wav" | "ogg" | "oga" | "flac" | "m4a" | "aac" | "opus" => MediaKind::Audio,
        "txt" | "json" => MediaKind::Text,
        _ => MediaKind::Other,
    }
}

/// The first bytes of a text asset as text. When the bytes were cut short,
/// a character split by the cut is dropped rather than shown as garbage.
pub fn text_preview(bytes: &[u8], truncated: bool) -> String {
    let complete = match std::str::from_utf8(bytes) {
        // `error_len() == None`: the bytes end inside a character.
        Err(error) if truncated && error.error_len().is_none() => &bytes[..error.valid_up_to()],
        _ => bytes,
    };
    String::from_utf8_lossy(complete).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metadata(image: Option<&str>, animation_url: Option<&str>) -> NftMetadata {
        NftMetadata {
            name: "x".into(),
            description: String::new(),
            image: image.map(Into::into),
            animation_url: animation_url.map(Into::into),
        }
    }

    #[test]
    fn the_image_is_the_asset_unless_there_is_an_animation() {
        assert_eq!(
            TokenMedia::of(&metadata(Some("ipfs://a/cat.png"), None)),
            TokenMedia {
                asset: Some("ipfs://a/cat.png".into()),
                cover_image: None
            }
        );
        assert_eq!(
            TokenMedia::of(&metadata(
                Some("ipfs://a/cover.png"),
                Some("ipfs://b/song.wav")
            )),
            TokenMedia {
                asset: Some("ipfs://b/song.wav".into()),
                cover_image: Some("ipfs://a/cover.png".into())
            }
        );
        let blank = TokenMedia::of(&metadata(Some("  "), Some("")));
        assert_eq!(blank.asset, None);
        assert_eq!(blank.cover_image, None);
    }

    #[test]
    fn the_declared_media_type_decides() {
        assert_eq!(media_kind(Some("image/png"), "x.bin"), MediaKind::Image);
        assert_eq!(media_kind(Some("image/svg+xml"), ""), MediaKind::Image);
        assert_eq!(media_kind(Some("Video/MP4"), ""), MediaKind::Video);
        assert_eq!(media_kind(Some("audio/wav"), ""), MediaKind::Audio);
        assert_eq!(
            media_kind(Some("text/plain; charset=utf-8"), ""),
            MediaKind::Text
        );
        assert_eq!(media_kind(Some("application/json"), ""), MediaKind::Text);
        assert_eq!(media_kind(Some("application/ld+json"), ""), MediaKind::Text);
        // HTML is never rendered, not even as a preview.
        assert_eq!(
            media_kind(Some("text/html; charset=utf-8"), "a.txt"),
            MediaKind::Other
        );
        assert_eq!(
            media_kind(Some("application/pdf"), "a.png"),
            MediaKind::Other
        );
    }

    #[test]
    fn a_missing_or_generic_type_falls_back_to_the_extension() {
        assert_eq!(media_kind(None, "bafy/cat.PNG"), MediaKind::Image);
        assert_eq!(
            media_kind(Some("application/octet-stream"), "clip.webm"),
            MediaKind::Video
        );
        assert_eq!(media_kind(Some(""), "a/song.mp3?x=1#t"), MediaKind::Audio);
        assert_eq!(media_kind(None, "notes.txt"), MediaKind::Text);
        assert_eq!(media_kind(None, "page.html"), MediaKind::Other);
        assert_eq!(media_kind(None, "bafy"), MediaKind::Other);
        assert_eq!(media_kind(None, "dir.png/file"), MediaKind::Other);
    }

    #[test]
    fn a_text_preview_drops_a_character_cut_in_half() {
        let text = "naïve";
        let bytes = text.as_bytes();
        // "ï" is two bytes; cut after its first one.
        assert_eq!(text_preview(&bytes[..3], true), "na");
        assert_eq!(text_preview(bytes, false), "naïve");
        // Invalid bytes inside the text are shown as U+FFFD, not dropped.
        assert_eq!(text_preview(b"a\xffb", true), "a\u{fffd}b");
        assert_eq!(text_preview(b"<b>x</b>", false), "<b>x</b>");
    }
}
