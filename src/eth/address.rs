//! Ethereum addresses typed by people: 0x and 40 hex digits, with the
//! EIP-55 checksum enforced whenever the letters are mixed case.

use ethers_core::types::Address;
use ethers_core::utils::to_checksum;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AddressError {
    #[error("\"{0}\" is not an Ethereum address: write 0x followed by 40 hex digits.")]
    NotAnAddress(String),
    #[error("\"{0}\" has a wrong EIP-55 checksum, so it may have a typo: copy the address again.")]
    BadChecksum(String),
}

pub fn parse_address(text: &str) -> Result<Address, AddressError> {
    let text = text.trim();
    let invalid = || AddressError::NotAnAddress(text.to_owned());
    let hex = text.strip_prefix("0x").ok_or_else(invalid)?;
    if hex.len() != 40 {
        return Err(invalid());
    }
    let address: Address = hex.parse().map_err(|_| invalid())?;
    // EIP-55: an all-lower or all-upper address carries no checksum.
    let mixed_case =
        hex.chars().any(|c| c.is_ascii_lowercase()) && hex.chars().any(|c| c.is_ascii_uppercase());
    if mixed_case && to_checksum(&address, None) != text {
        return Err(AddressError::BadChecksum(text.to_owned()));
    }
    Ok(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksummed_lower_and_upper_case_addresses_parse() {
        for text in [
            "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
            "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
            "0xF39FD6E51AAD88F6F4CE6AB8827279CFFFB92266",
        ] {
            assert!(parse_address(text).is_ok(), "{text}");
        }
    }

    #[test]
    fn a_typo_in_a_checksummed_address_is_caught() {
        assert_eq!(
            parse_address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267"),
            Err(AddressError::BadChecksum(
                "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92267".into()
            ))
        );
        assert!(matches!(
            parse_address("0x1234"),
            Err(AddressError::NotAnAddress(_))
        ));
        assert!(matches!(
            parse_address("vitalik.eth"),
            Err(AddressError::NotAnAddress(_))
        ));
    }
}
