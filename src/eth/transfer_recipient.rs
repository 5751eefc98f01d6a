//! Who a token may be sent to (Minty's `transfer <id> <to>`), checked
//! before the wallet is asked: an address typed or pasted by a person,
//! EIP-55-checked, and never one that would lose the token for certain.

use ethers_core::types::Address;
use thiserror::Error;

use super::address::{parse_address, AddressError};

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RecipientError {
    #[error("Enter the address to send the token to.")]
    Missing,
    #[error(transparent)]
    Address(#[from] AddressError),
    #[error("The zero address cannot receive a token: sending it there would destroy it. Check the address.")]
    ZeroAddress,
    #[error(
        "That is the Minty contract itself, which cannot hold its own tokens. Check the address."
    )]
    TheContract,
    #[error("That is the account that owns the token already: enter the recipient's address.")]
    AlreadyTheOwner,
}

pub fn check_recipient(
    text: &str,
    owner: Address,
    contract: Address,
) -> Result<Address, RecipientError> {
    if text.trim().is_empty() {
        return Err(RecipientError::Missing);
    }
    let to = parse_address(text)?;
    if to.is_zero() {
        return Err(RecipientError::ZeroAddress);
    }
    if to == contract {
        return Err(RecipientError::TheContract);
    }
    if to == owner {
        return Err(RecipientError::AlreadyTheOwner);
    }
    Ok(to)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OWNER: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    const OTHER: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    const MINTY: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

    fn check(text: &str) -> Result<Address, RecipientError> {
        check_recipient(text, OWNER.parse().unwrap(), MINTY.parse().unwrap())
    }

    #[test]
    fn a_checksummed_or_single_case_address_is_accepted() {
        assert_eq!(check(OTHER), Ok(OTHER.parse().unwrap()));
        assert_eq!(check(&OTHER.to_lowercase()), Ok(OTHER.parse().unwrap()));
        assert_eq!(check(&format!("  {OTHER} ")), Ok(OTHER.parse().unwrap()));
    }

    #[test]
    fn a_typo_in_the_checksum_is_caught() {
        let typo = OTHER.replace('C', "c");
        assert!(matches!(
            check(&typo),
            Err(RecipientError::Address(AddressError::BadChecksum(_)))
        ));
    }

    #[test]
    fn addresses_that_would_lose_the_token_are_refused() {
        assert_eq!(check(""), Err(RecipientError::Missing));
        assert_eq!(
            check("0x0000000000000000000000000000000000000000"),
            Err(RecipientError::ZeroAddress)
        );
        assert_eq!(check(MINTY), Err(RecipientError::TheContract));
        assert_eq!(check(OWNER), Err(RecipientError::AlreadyTheOwner));
        assert!(matches!(
            check("vitalik.eth"),
            Err(RecipientError::Address(AddressError::NotAnAddress(_)))
        ));
    }
}
