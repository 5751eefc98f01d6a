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
    media_type_of(content_type, path)
        .map_or(MediaKind::Other, |essence| kind_of_media_type(&essence))
}

/// How the checked bytes of an image, a video or audio may be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobMediaType {
    /// Through a `blob:` URL of this type. A `blob:` URL is a document of the
    /// app's origin when opened on its own ("Open image in new tab"), so its
    /// type comes from [`blob_media_type`]'s allowlist, never from the gateway:
    /// each is one the browser only renders as a picture or a player.
    Allowed(&'static str),
    /// An SVG, which opened on its own is a document whose scripts run: it is
    /// drawn to a raster image first, and only that gets a `blob:` URL.
    Svg,
    /// Anything else: never a `blob:` URL of the app's origin.
    Refused,
}

/// The type a `blob:` URL of an asset's checked bytes gets, decided as
/// [`media_kind`] decides: a specific declared type, else the extension.
pub fn blob_media_type(content_type: Option<&str>, path: &str) -> BlobMediaType {
    let Some(essence) = media_type_of(content_type, path) else {
        return BlobMediaType::Refused;
    };
    let allowed = match essence.as_str() {
        "image/svg+xml" => return BlobMediaType::Svg,
        "image/png" => "image/png",
        "image/jpeg" | "image/jpg" | "image/pjpeg" => "image/jpeg",
        "image/gif" => "image/gif",
        "image/webp" => "image/webp",
        "image/avif" => "image/avif",
        "image/bmp" => "image/bmp",
        "image/x-icon" | "image/vnd.microsoft.icon" => "image/x-icon",
        "video/mp4" => "video/mp4",
        "video/webm" => "video/webm",
        "video/ogg" => "video/ogg",
        "video/quicktime" => "video/quicktime",
        "audio/mpeg" | "audio/mp3" => "audio/mpeg",
        "audio/wav" | "audio/wave" | "audio/x-wav" | "audio/vnd.wave" => "audio/wav",
        "audio/ogg" | "audio/opus" => "audio/ogg",
        "audio/flac" | "audio/x-flac" => "audio/flac",
        "audio/mp4" | "audio/x-m4a" => "audio/mp4",
        "audio/aac" => "audio/aac",
        "audio/webm" => "audio/webm",
        _ => return BlobMediaType::Refused,
    };
    BlobMediaType::Allowed(allowed)
}

/// The media type's essence (RFC 9110: type/subtype, lowercase, without
/// parameters) the gateway declared, or else the one the extension implies.
fn media_type_of(content_type: Option<&str>, path: &str) -> Option<String> {
    content_type
        .and_then(|value| value.split(';').next())
        .map(|essence| essence.trim().to_ascii_lowercase())
        .filter(|essence| !essence.is_empty() && !is_generic(essence))
        .or_else(|| media_type_of_extension(path).map(str::to_owned))
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

fn media_type_of_extension(path: &str) -> Option<&'static str> {
    // A web link may carry a query or fragment after the file name.
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let file_name = path.rsplit('/').next().unwrap_or_default();
    let (_, extension) = file_name.rsplit_once('.')?;
    let media_type = match extension.to_ascii_lowercase().as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "svg" => "image/svg+xml",
        "bmp" => "image/bmp",
        "ico" => "image/x-icon",
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "mov" => "video/quicktime",
        "ogv" => "video/ogg",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "ogg" | "oga" | "opus" => "audio/ogg",
        "flac" => "audio/flac",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "txt" => "text/plain",
        "json" => "application/json",
        _ => return None,
    };
    Some(media_type)
}

/// Longest side of an SVG drawn to a raster image for display.
pub const MAX_RASTER_SIDE: u32 = 2048;
/// The side used when an SVG states no size of its own.
pub const DEFAULT_RASTER_SIDE: u32 = 1024;

/// The size, in pixels, to draw an SVG of `natural` size (what the browser
/// says the image is, zero when the SVG states no size): sharp when the
/// preview scales it up, within [`MAX_RASTER_SIDE`], its aspect ratio kept.
pub fn raster_size(natural_width: u32, natural_height: u32) -> (u32, u32) {
    if natural_width == 0 || natural_height == 0 {
        return (DEFAULT_RASTER_SIDE, DEFAULT_RASTER_SIDE);
    }
    let longest = natural_width.max(natural_height) as f64;
    // Small icons are scaled up so the preview frame shows no blur.
    let scale = (DEFAULT_RASTER_SIDE as f64 / longest)
        .max(1.0)
        .min(MAX_RASTER_SIDE as f64 / longest);
    let side = |natural: u32| ((natural as f64 * scale).round() as u32).max(1);
    (side(natural_width), side(natural_height))
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
            ..NftMetadata::default()
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
    fn a_blob_gets_only_an_allowlisted_type() {
        use BlobMediaType::*;
        assert_eq!(
            blob_media_type(Some("image/png"), "x"),
            Allowed("image/png")
        );
        assert_eq!(
            blob_media_type(Some("IMAGE/JPG; q=1"), "x"),
            Allowed("image/jpeg")
        );
        assert_eq!(
            blob_media_type(Some("video/webm"), ""),
            Allowed("video/webm")
        );
        assert_eq!(
            blob_media_type(Some("audio/x-wav"), ""),
            Allowed("audio/wav")
        );
        // The allowlist's own spelling, never the gateway's parameters.
        assert_eq!(
            blob_media_type(Some("image/gif;charset=\"x,text/html\""), ""),
            Allowed("image/gif")
        );
        // SVG is a document that runs scripts, whatever it is called.
        assert_eq!(blob_media_type(Some("image/svg+xml"), "a.png"), Svg);
        assert_eq!(
            blob_media_type(Some("Image/SVG+XML; charset=utf-8"), ""),
            Svg
        );
        assert_eq!(blob_media_type(None, "trap.SVG"), Svg);
        assert_eq!(
            blob_media_type(Some("application/octet-stream"), "trap.svg"),
            Svg
        );
        // Documents and types no browser renders as a picture or a player.
        for refused in [
            "text/html",
            "application/xhtml+xml",
            "text/xml",
            "application/xml",
            "application/pdf",
            "text/plain",
            "application/json",
            "image/svg",
            "image/tiff",
            "video/x-unknown",
            "multipart/x-mixed-replace",
        ] {
            assert_eq!(
                blob_media_type(Some(refused), "cat.png"),
                Refused,
                "{refused}"
            );
        }
        assert_eq!(blob_media_type(None, "page.html"), Refused);
        assert_eq!(blob_media_type(None, "bafy"), Refused);
        assert_eq!(blob_media_type(Some(""), "notes.txt"), Refused);
    }

    #[test]
    fn every_previewed_extension_has_a_blob_type_or_none_is_made() {
        for extension in [
            "png", "jpg", "jpeg", "gif", "webp", "avif", "bmp", "ico", "mp4", "webm", "mov", "m4v",
            "ogv", "mp3", "wav", "ogg", "oga", "flac", "m4a", "aac", "opus",
        ] {
            let path = format!("a.{extension}");
            assert!(
                matches!(blob_media_type(None, &path), BlobMediaType::Allowed(_)),
                "{extension}"
            );
            assert!(matches!(
                media_kind(None, &path),
                MediaKind::Image | MediaKind::Video | MediaKind::Audio
            ));
        }
    }

    #[test]
    fn an_svg_is_drawn_sharp_and_within_bounds() {
        assert_eq!(raster_size(64, 48), (1024, 768));
        assert_eq!(raster_size(1500, 1000), (1500, 1000));
        assert_eq!(raster_size(8000, 2000), (2048, 512));
        assert_eq!(raster_size(0, 0), (1024, 1024));
        assert_eq!(raster_size(300, 0), (1024, 1024));
        // A sliver keeps at least one pixel.
        assert_eq!(raster_size(100_000, 1), (2048, 1));
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
