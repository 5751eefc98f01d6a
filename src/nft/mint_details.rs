//! What a creator typed into the mint form, checked before anything is
//! uploaded: a file, a name, and an owner that is a real address.

use ethers_core::types::Address;
use thiserror::Error;

use crate::eth::address::{parse_address, AddressError};

/// The creator's text for a token; the asset bytes stay in the picked file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintDetails {
    pub name: String,
    pub description: String,
    pub owner: Address,
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
}

/// The form as typed; an empty owner means the connected account.
#[derive(Debug, Clone, Copy)]
pub struct MintFormInput<'a> {
    pub file_chosen: bool,
    pub name: &'a str,
    pub description: &'a str,
    pub owner: &'a str,
    pub account: &'a str,
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
        })
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
        }
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
}
