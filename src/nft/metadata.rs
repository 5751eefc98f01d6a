//! EIP-721 metadata: building it for a mint, and reading it back from a
//! gateway, where it is untrusted input. Beyond EIP-721's `name`,
//! `description` and `image`, it carries OpenSea's `animation_url`,
//! `external_url` and `attributes` (<https://docs.opensea.io/docs/metadata-standards>).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Number, Value};
use thiserror::Error;

/// Metadata documents larger than this are refused before parsing; real
/// ones are a few hundred bytes.
pub const MAX_METADATA_BYTES: usize = 256 * 1024;

/// The file name metadata is stored under, as Minty stores it.
pub const METADATA_FILE_NAME: &str = "metadata.json";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NftMetadata {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// OpenSea's field for non-image media (video, audio, 3D, HTML).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub animation_url: Option<String>,
    /// OpenSea's link to the token on the creator's own site; an untrusted
    /// link when read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
    /// How many entries of `attributes` were not a trait with a text or
    /// number value (or 1 when `attributes` itself was not a list); they are
    /// left out of `attributes`. Only ever read, never written.
    #[serde(skip)]
    pub unreadable_attributes: usize,
}

/// One of OpenSea's `attributes`: `{"trait_type": "Eyes", "value": "Green"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribute {
    /// `None` for what OpenSea calls a generic property, a value with no
    /// type; read from others' metadata, never minted here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trait_type: Option<String>,
    pub value: TraitValue,
}

/// OpenSea takes a text or a number as a trait's value, so a reader must
/// take both. This app mints text only: the creator's input is kept as
/// typed, since "007", "1.50" or "1e3" would not survive as numbers, and a
/// number without a `display_type` is shown by OpenSea as a ranking, which
/// a creator typing "3" may not mean.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum TraitValue {
    Text(String),
    Number(Number),
}

impl fmt::Display for TraitValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraitValue::Text(text) => f.write_str(text),
            TraitValue::Number(number) => write!(f, "{number}"),
        }
    }
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
            ..Self::default()
        }
    }

    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("metadata always serializes")
    }

    /// Reads untrusted metadata: size-capped, must be an object, and each
    /// known text field must be text when present; unknown fields are
    /// ignored. An attribute that is not a trait with a text or number value
    /// is left out and counted, so one odd trait hides neither the others
    /// nor the token.
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
        let (attributes, unreadable_attributes) = read_attributes(object.get("attributes"));
        Ok(Self {
            name: text("name")?.unwrap_or_default(),
            description: text("description")?.unwrap_or_default(),
            image: text("image")?,
            animation_url: text("animation_url")?,
            external_url: text("external_url")?,
            attributes,
            unreadable_attributes,
        })
    }
}

impl NftMetadata {
    /// The first `max_rows` attributes, for a page that must keep its shape
    /// whatever the metadata holds, and how many more there are.
    pub fn attributes_shown(&self, max_rows: usize) -> (&[Attribute], usize) {
        let shown = &self.attributes[..self.attributes.len().min(max_rows)];
        (shown, self.attributes.len() - shown.len())
    }
}

/// `attributes` as read, and how many entries were left out.
fn read_attributes(field: Option<&Value>) -> (Vec<Attribute>, usize) {
    match field {
        None | Some(Value::Null) => (Vec::new(), 0),
        Some(Value::Array(entries)) => {
            let attributes: Vec<Attribute> = entries.iter().filter_map(read_attribute).collect();
            let unreadable = entries.len() - attributes.len();
            (attributes, unreadable)
        }
        // Some collections write a map ({"Eyes": "Green"}), which OpenSea
        // does not read either.
        Some(_) => (Vec::new(), 1),
    }
}

fn read_attribute(entry: &Value) -> Option<Attribute> {
    let entry = entry.as_object()?;
    let trait_type = match entry.get("trait_type") {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.clone()),
        Some(_) => return None,
    };
    let value = match entry.get("value")? {
        Value::String(text) => TraitValue::Text(text.clone()),
        Value::Number(number) => TraitValue::Number(number.clone()),
        _ => return None,
    };
    Some(Attribute { trait_type, value })
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

    fn text(trait_type: &str, value: &str) -> Attribute {
        Attribute {
            trait_type: Some(trait_type.into()),
            value: TraitValue::Text(value.into()),
        }
    }

    #[test]
    fn attributes_and_external_url_are_written_in_openseas_shape() {
        let metadata = NftMetadata {
            external_url: Some("https://example.com/cat".into()),
            attributes: vec![text("Eyes", "Green"), text("Level", "007")],
            ..NftMetadata::for_asset("Cat", "", "ipfs://bafy/cat.png", "image/png", None)
        };
        let json: Value = serde_json::from_slice(&metadata.to_json()).unwrap();
        assert_eq!(json["external_url"], "https://example.com/cat");
        assert_eq!(
            json["attributes"],
            serde_json::json!([
                {"trait_type": "Eyes", "value": "Green"},
                {"trait_type": "Level", "value": "007"}
            ])
        );
        assert_eq!(NftMetadata::parse(&metadata.to_json()), Ok(metadata));
        // Without them, the document is as it was before they existed.
        let plain = NftMetadata::for_asset("Cat", "", "ipfs://bafy/cat.png", "image/png", None);
        let json = String::from_utf8(plain.to_json()).unwrap();
        assert!(!json.contains("attributes") && !json.contains("external_url"));
    }

    #[test]
    fn trait_values_are_read_as_text_or_numbers() {
        let metadata = NftMetadata::parse(
            br#"{"name": "Ape", "attributes": [
                {"trait_type": "Eyes", "value": "Green"},
                {"trait_type": "Level", "value": 5},
                {"trait_type": "Speed", "value": -1.5, "display_type": "number"},
                {"value": "Generic"}
            ]}"#,
        )
        .unwrap();
        let shown: Vec<(Option<&str>, String)> = metadata
            .attributes
            .iter()
            .map(|a| (a.trait_type.as_deref(), a.value.to_string()))
            .collect();
        assert_eq!(
            shown,
            [
                (Some("Eyes"), "Green".to_owned()),
                (Some("Level"), "5".to_owned()),
                (Some("Speed"), "-1.5".to_owned()),
                (None, "Generic".to_owned()),
            ]
        );
        assert_eq!(metadata.unreadable_attributes, 0);
    }

    #[test]
    fn hostile_attributes_are_left_out_and_counted_without_hiding_the_token() {
        let metadata = NftMetadata::parse(
            br#"{"name": "Odd", "attributes": [
                {"trait_type": "Eyes", "value": {"nested": ["deep"]}},
                {"trait_type": "Hat", "value": ["a", "b"]},
                {"trait_type": "Shy", "value": true},
                {"trait_type": "Void", "value": null},
                {"trait_type": "Missing"},
                {"trait_type": {"x": 1}, "value": "typed by an object"},
                {"trait_type": 7, "value": "typed by a number"},
                "Green", 5, null, [],
                {"trait_type": "<script>alert(1)</script>", "value": "javascript:alert(1)"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(metadata.name, "Odd");
        assert_eq!(metadata.unreadable_attributes, 11);
        // What is left is kept as text, to be shown as text.
        assert_eq!(
            metadata.attributes,
            [text("<script>alert(1)</script>", "javascript:alert(1)")]
        );
    }

    #[test]
    fn attributes_that_are_not_a_list_are_one_unreadable_entry() {
        for odd in [r#"{"Eyes": "Green"}"#, r#""Eyes: Green""#, "42", "true"] {
            let document = format!(r#"{{"name": "Map", "attributes": {odd}}}"#);
            let metadata = NftMetadata::parse(document.as_bytes()).unwrap();
            assert_eq!(metadata.attributes, [], "{odd}");
            assert_eq!(metadata.unreadable_attributes, 1, "{odd}");
        }
        let null = NftMetadata::parse(br#"{"name": "x", "attributes": null}"#).unwrap();
        assert_eq!(null.unreadable_attributes, 0);
    }

    #[test]
    fn huge_attributes_are_read_within_the_size_cap() {
        // As many rows as fit under the cap: the page shows only the first.
        let row = r#"{"trait_type":"T","value":"v"},"#;
        let rows = row.repeat((MAX_METADATA_BYTES - 100) / row.len());
        let document = format!(r#"{{"attributes":[{}]}}"#, rows.trim_end_matches(','));
        let metadata = NftMetadata::parse(document.as_bytes()).unwrap();
        assert!(metadata.attributes.len() > 8000);
        let (shown, more) = metadata.attributes_shown(50);
        assert_eq!((shown.len(), more), (50, metadata.attributes.len() - 50));
        assert_eq!(metadata.attributes_shown(usize::MAX).1, 0);
        let long_value = format!(
            r#"{{"attributes":[{{"trait_type":"T","value":"{}"}}]}}"#,
            "x".repeat(MAX_METADATA_BYTES - 100)
        );
        let metadata = NftMetadata::parse(long_value.as_bytes()).unwrap();
        assert_eq!(
            metadata.attributes[0].value.to_string().len(),
            MAX_METADATA_BYTES - 100
        );
        // A number beyond what JSON readers hold refuses the document, as
        // any invalid JSON does.
        assert!(matches!(
            NftMetadata::parse(br#"{"attributes":[{"trait_type":"T","value":1e400}]}"#),
            Err(MetadataError::NotJson(_))
        ));
    }

    #[test]
    fn an_external_url_is_read_as_text_and_must_be_text() {
        let metadata =
            NftMetadata::parse(br#"{"name": "x", "external_url": "javascript:alert(1)"}"#).unwrap();
        assert_eq!(
            metadata.external_url.as_deref(),
            Some("javascript:alert(1)")
        );
        assert_eq!(
            NftMetadata::parse(br#"{"name": "x", "external_url": ["https://a.example"]}"#),
            Err(MetadataError::FieldNotText("external_url"))
        );
    }
}
