//! What a creator typed into the mint form, checked before anything is
//! uploaded: a file, a name, an owner that is a real address, an https
//! external URL and whole attribute rows; and the metadata made from it.

use ethers_core::types::Address;
use thiserror::Error;

use super::metadata::{Attribute, NftMetadata, TraitValue};
use crate::eth::address::{parse_address, AddressError};
use crate::settings::api_token::origin_of;

/// The creator's text for a token; the asset bytes stay in the picked file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintDetails {
    pub name: String,
    pub description: String,
    pub owner: Address,
    /// An https URL, or `None` when the field was left empty.
    pub external_url: Option<String>,
    /// Each with a trait type and a text value, in the form's order.
    pub attributes: Vec<Attribute>,
}

/// One row of the form's attributes, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttributeRow {
    pub trait_type: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MintFormError {
    #[error("Choose a file to mint.")]
    NoFile,
    #[error("Give the NFT a name.")]
    NoName,
    #[error("Owner: {0}")]
    Owner(AddressError),
    #[error("The connected account {0:?} is not an address; reconnect the wallet.")]
    Account(String),
    #[error("External URL: \"{0}\" is not an https:// address. Give one such as https://example.com/art/1, or leave the field empty.")]
    ExternalUrl(String),
    #[error("Attribute {row}: the value \"{value}\" has no trait type. Name the trait (such as Eyes), or remove the row.")]
    TraitWithoutType { row: usize, value: String },
    #[error("Attribute {row}: the trait \"{trait_type}\" has no value. Give it one (such as Green), or remove the row.")]
    TraitWithoutValue { row: usize, trait_type: String },
    #[error("Attributes {first} and {second} are both \"{trait_type}\": give each trait once, or remove one of the rows.")]
    RepeatedTrait {
        first: usize,
        second: usize,
        trait_type: String,
    },
}

/// The form as typed; an empty owner means the connected account.
#[derive(Debug, Clone, Copy)]
pub struct MintFormInput<'a> {
    pub file_chosen: bool,
    pub name: &'a str,
    pub description: &'a str,
    pub owner: &'a str,
    pub account: &'a str,
    pub external_url: &'a str,
    pub attributes: &'a [AttributeRow],
}

impl MintFormInput<'_> {
    pub fn validate(&self) -> Result<MintDetails, MintFormError> {
        if !self.file_chosen {
            return Err(MintFormError::NoFile);
        }
        let name = self.name.trim();
        if name.is_empty() {
            return Err(MintFormError::NoName);
        }
        let owner = if self.owner.trim().is_empty() {
            parse_address(self.account)
                .map_err(|_| MintFormError::Account(self.account.to_owned()))?
        } else {
            parse_address(self.owner).map_err(MintFormError::Owner)?
        };
        Ok(MintDetails {
            name: name.to_owned(),
            description: self.description.trim().to_owned(),
            owner,
            external_url: external_url(self.external_url)?,
            attributes: attributes(self.attributes)?,
        })
    }
}

/// An https URL as the browser's URL parser reads it (see [`origin_of`]),
/// kept as typed; written with its `//`, as a reader that is not a browser
/// expects, and without spaces.
fn external_url(typed: &str) -> Result<Option<String>, MintFormError> {
    let url = typed.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let https = url
        .get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
        && origin_of(url).is_some_and(|origin| origin.starts_with("https://"))
        && !url.chars().any(char::is_whitespace);
    if https {
        Ok(Some(url.to_owned()))
    } else {
        Err(MintFormError::ExternalUrl(url.to_owned()))
    }
}

/// The rows with both halves filled, as attributes with text values (see
/// [`TraitValue`] for why text); empty rows are dropped, so an "Add" pressed
/// once too often costs nothing. Rows are numbered as the form shows them.
fn attributes(rows: &[AttributeRow]) -> Result<Vec<Attribute>, MintFormError> {
    let mut attributes: Vec<(usize, Attribute)> = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let row_number = index + 1;
        let (trait_type, value) = (row.trait_type.trim(), row.value.trim());
        match (trait_type.is_empty(), value.is_empty()) {
            (true, true) => continue,
            (true, false) => {
                return Err(MintFormError::TraitWithoutType {
                    row: row_number,
                    value: value.to_owned(),
                })
            }
            (false, true) => {
                return Err(MintFormError::TraitWithoutValue {
                    row: row_number,
                    trait_type: trait_type.to_owned(),
                })
            }
            (false, false) => {}
        }
        let earlier = attributes
            .iter()
            .find(|(_, earlier)| earlier.trait_type.as_deref() == Some(trait_type));
        if let Some((first, _)) = earlier {
            return Err(MintFormError::RepeatedTrait {
                first: *first,
                second: row_number,
                trait_type: trait_type.to_owned(),
            });
        }
        attributes.push((
            row_number,
            Attribute {
                trait_type: Some(trait_type.to_owned()),
                value: TraitValue::Text(value.to_owned()),
            },
        ));
    }
    Ok(attributes
        .into_iter()
        .map(|(_, attribute)| attribute)
        .collect())
}

impl MintDetails {
    /// The token's metadata once its asset (and preview image) are stored.
    pub fn metadata(
        &self,
        asset_uri: &str,
        asset_media_type: &str,
        preview_image: Option<&str>,
    ) -> NftMetadata {
        NftMetadata {
            external_url: self.external_url.clone(),
            attributes: self.attributes.clone(),
            ..NftMetadata::for_asset(
                &self.name,
                &self.description,
                asset_uri,
                asset_media_type,
                preview_image,
            )
        }
    }

    /// Everything typed that goes into the metadata, to tell one mint's
    /// uploads and token from another's. External URL and attributes are
    /// appended only when there are some, so a mint without them matches
    /// journal records written before they existed.
    pub fn metadata_fingerprint(&self) -> String {
        let mut fingerprint = format!("{}\u{0}{}", self.name, self.description);
        if self.external_url.is_some() || !self.attributes.is_empty() {
            let extra = serde_json::to_string(&(&self.external_url, &self.attributes))
                .expect("text always serializes");
            fingerprint.push('\u{0}');
            fingerprint.push_str(&extra);
        }
        fingerprint
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACCOUNT: &str = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";
    const OTHER: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    fn input<'a>(name: &'a str, owner: &'a str) -> MintFormInput<'a> {
        MintFormInput {
            file_chosen: true,
            name,
            description: "  a description \n",
            owner,
            account: ACCOUNT,
            external_url: "",
            attributes: &[],
        }
    }

    fn row(trait_type: &str, value: &str) -> AttributeRow {
        AttributeRow {
            trait_type: trait_type.into(),
            value: value.into(),
        }
    }

    fn details(external_url: &str, rows: &[AttributeRow]) -> Result<MintDetails, MintFormError> {
        MintFormInput {
            external_url,
            attributes: rows,
            ..input("Cat", "")
        }
        .validate()
    }

    #[test]
    fn an_empty_owner_mints_to_the_connected_account() {
        let details = input(" Gradient ", "").validate().unwrap();
        assert_eq!(details.owner, ACCOUNT.parse::<Address>().unwrap());
        assert_eq!(details.name, "Gradient");
        assert_eq!(details.description, "a description");
    }

    #[test]
    fn another_owner_must_carry_a_good_checksum() {
        assert_eq!(
            input("Gift", OTHER).validate().unwrap().owner,
            OTHER.parse::<Address>().unwrap()
        );
        let typo = format!("{}9", &OTHER[..OTHER.len() - 1]);
        assert!(matches!(
            input("Gift", &typo).validate(),
            Err(MintFormError::Owner(AddressError::BadChecksum(_)))
        ));
    }

    #[test]
    fn a_file_and_a_name_are_required_first() {
        let mut no_file = input("Name", "");
        no_file.file_chosen = false;
        assert_eq!(no_file.validate(), Err(MintFormError::NoFile));
        assert_eq!(input("  ", "").validate(), Err(MintFormError::NoName));
    }

    #[test]
    fn the_external_url_is_https_or_empty() {
        assert_eq!(details("", &[]).unwrap().external_url, None);
        assert_eq!(details("   ", &[]).unwrap().external_url, None);
        assert_eq!(
            details(" https://example.com/art/1?x=1#top ", &[])
                .unwrap()
                .external_url
                .as_deref(),
            Some("https://example.com/art/1?x=1#top")
        );
        assert_eq!(
            details("HTTPS://Example.com", &[])
                .unwrap()
                .external_url
                .as_deref(),
            Some("HTTPS://Example.com")
        );
        for refused in [
            "http://example.com",
            "javascript:alert(1)",
            "example.com",
            "https:example.com",
            "https://",
            "https://exa mple.com",
            "ipfs://bafy/x",
            "data:text/html,hi",
        ] {
            assert_eq!(
                details(refused, &[]),
                Err(MintFormError::ExternalUrl(refused.into())),
                "{refused}"
            );
        }
    }

    #[test]
    fn whole_rows_become_text_attributes_and_empty_rows_are_dropped() {
        let rows = [
            row(" Eyes ", " Green "),
            row("", ""),
            row("  ", "\t"),
            row("Level", "007"),
        ];
        let attributes = details("", &rows).unwrap().attributes;
        let typed: Vec<(Option<&str>, &TraitValue)> = attributes
            .iter()
            .map(|a| (a.trait_type.as_deref(), &a.value))
            .collect();
        assert_eq!(
            typed,
            [
                (Some("Eyes"), &TraitValue::Text("Green".into())),
                // Kept as typed: "007" is no number 7.
                (Some("Level"), &TraitValue::Text("007".into())),
            ]
        );
        assert_eq!(details("", &[row("", "")]).unwrap().attributes, []);
    }

    #[test]
    fn a_half_filled_row_is_an_error_naming_its_row() {
        let rows = [row("Eyes", "Green"), row("", ""), row("", "Blue")];
        let problem = details("", &rows).unwrap_err();
        assert_eq!(
            problem,
            MintFormError::TraitWithoutType {
                row: 3,
                value: "Blue".into()
            }
        );
        assert!(problem
            .to_string()
            .starts_with("Attribute 3: the value \"Blue\""));
        assert_eq!(
            details("", &[row("Hat", " ")]),
            Err(MintFormError::TraitWithoutValue {
                row: 1,
                trait_type: "Hat".into()
            })
        );
    }

    #[test]
    fn a_trait_is_given_once() {
        let rows = [
            row("Eyes", "Green"),
            row("Hat", "Cap"),
            row(" Eyes", "Blue"),
        ];
        assert_eq!(
            details("", &rows),
            Err(MintFormError::RepeatedTrait {
                first: 1,
                second: 3,
                trait_type: "Eyes".into()
            })
        );
    }

    #[test]
    fn the_metadata_carries_the_external_url_and_attributes() {
        let form = details("https://example.com/cat", &[row("Eyes", "Green")]).unwrap();
        let metadata = form.metadata("ipfs://bafy/cat.png", "image/png", None);
        assert_eq!(metadata.name, "Cat");
        assert_eq!(metadata.image.as_deref(), Some("ipfs://bafy/cat.png"));
        assert_eq!(
            metadata.external_url.as_deref(),
            Some("https://example.com/cat")
        );
        assert_eq!(metadata.attributes, form.attributes);
        assert_eq!(NftMetadata::parse(&metadata.to_json()), Ok(metadata));
    }

    #[test]
    fn the_fingerprint_tells_attributes_apart_and_keeps_its_old_form_without_them() {
        let plain = details("", &[]).unwrap();
        // As `upload_fingerprint` wrote it before attributes existed.
        assert_eq!(plain.metadata_fingerprint(), "Cat\u{0}a description");
        let green = details("", &[row("Eyes", "Green")]).unwrap();
        let blue = details("", &[row("Eyes", "Blue")]).unwrap();
        let linked = details("https://example.com", &[]).unwrap();
        let fingerprints = [&plain, &green, &blue, &linked].map(|d| d.metadata_fingerprint());
        for (i, a) in fingerprints.iter().enumerate() {
            for b in &fingerprints[i + 1..] {
                assert_ne!(a, b);
            }
        }
        assert_eq!(
            green.metadata_fingerprint(),
            details("", &[row(" Eyes ", "Green"), row("", "")])
                .unwrap()
                .metadata_fingerprint(),
            "the same attributes, typed with spaces and an empty row"
        );
    }
}
