//! EIP-721 metadata: building it for a mint, and reading it back from a
//! gateway, where it is untrusted input.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

/// Metadata documents larger than this are refused before parsing; real
/// ones are a few hundred bytes.
pub const MAX_METADATA_BYTES: usize = 256 * 1024;

/// The file name metadata is stored under, as Minty stores it.
pub const METADATA_FILE_NAME: &str = "metadata.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NftMetadata {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// OpenSea's field for non-image media (video, audio, 3D, HTML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub animation_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MetadataError {
    #[error("the metadata is {0} bytes, more than the {MAX_METADATA_BYTES} this app reads")]
    TooLarge(usize),
    #[error("the metadata is not a JSON object: {0}")]
    NotJson(String),
    #[error("the metadata field \"{0}\" is not text")]
    FieldNotText(&'static str),
}

impl NftMetadata {
    /// Metadata for a minted asset: an image is the `image`; any other file
    /// is the `animation_url`, with `preview_image` (if any) as `image`.
    pub fn for_asset(
        name: &str,
        description: &str,
        asset_uri: &str,
        asset_media_type: &str,
        preview_image: Option<&str>,
    ) -> Self {
        let is_image = asset_media_type.starts_with("image/");
        Self {
            name: name.to_owned(),
            description: description.to_owned(),
            image: if is_image {
                Some(asset_uri.to_owned())
            } else {
                preview_image.map(str::to_owned)
            },
            animation_url: (!is_image).then(|| asset_uri.to_owned()),
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("metadata always serializes")
    }

    /// Reads untrusted metadata: size-capped, must be an object, and each
    /// known field must be text when present; unknown fields are ignored.
    pub fn parse(bytes: &[u8]) -> Result<Self, MetadataError> {
        if bytes.len() > MAX_METADATA_BYTES {
            return Err(MetadataError::TooLarge(bytes.len()));
        }
        let value: Value = serde_json::from_slice(bytes)
            .map_err(|error| MetadataError::NotJson(error.to_string()))?;
        let object = value
            .as_object()
            .ok_or_else(|| MetadataError::NotJson("the document is not an object".into()))?;
        let text = |field: &'static str| -> Result<Option<String>, MetadataError> {
            match object.get(field) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(_) => Err(MetadataError::FieldNotText(field)),
            }
        };
        Ok(Self {
            name: text("name")?.unwrap_or_default(),
            description: text("description")?.unwrap_or_default(),
            image: text("image")?,
            animation_url: text("animation_url")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_is_the_image() {
        let metadata =
            NftMetadata::for_asset("Cat", "A cat", "ipfs://bafy/cat.png", "image/png", None);
        assert_eq!(metadata.image.as_deref(), Some("ipfs://bafy/cat.png"));
        assert_eq!(metadata.animation_url, None);
    }

    #[test]
    fn other_media_go_in_animation_url_with_an_optional_preview() {
        let metadata = NftMetadata::for_asset(
            "Song",
            "",
            "ipfs://bafy/a.wav",
            "audio/wav",
            Some("ipfs://bafy/c.png"),
        );
        assert_eq!(metadata.animation_url.as_deref(), Some("ipfs://bafy/a.wav"));
        assert_eq!(metadata.image.as_deref(), Some("ipfs://bafy/c.png"));
        let bare = NftMetadata::for_asset("Song", "", "ipfs://bafy/a.wav", "audio/wav", None);
        assert_eq!(bare.image, None);
    }

    #[test]
    fn metadata_round_trips_through_json() {
        let metadata =
            NftMetadata::for_asset("Cat", "A cat", "ipfs://bafy/cat.png", "image/png", None);
        assert_eq!(NftMetadata::parse(&metadata.to_json()), Ok(metadata));
    }

    #[test]
    fn untrusted_metadata_is_checked() {
        assert!(matches!(
            NftMetadata::parse(b"not json"),
            Err(MetadataError::NotJson(_))
        ));
        assert!(matches!(
            NftMetadata::parse(b"[1]"),
            Err(MetadataError::NotJson(_))
        ));
        assert_eq!(
            NftMetadata::parse(br#"{"name": {"x": 1}}"#),
            Err(MetadataError::FieldNotText("name"))
        );
        let big = vec![b' '; MAX_METADATA_BYTES + 1];
        assert_eq!(
            NftMetadata::parse(&big),
            Err(MetadataError::TooLarge(big.len()))
        );
        let odd = NftMetadata::parse(br#"{"name": "<script>x</script>", "extra": 5}"#).unwrap();
        assert_eq!(odd.name, "<script>x</script>");
    }
}
