//! Token ids as people write them in an address such as `/token/42`:
//! decimal, as ERC-721 ids are shown everywhere (explorers, Minty's CLI).

use std::fmt;
use std::str::FromStr;

use ethers_core::types::U256;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenIdError {
    #[error("\"{0}\" is not a token id: token ids are whole numbers such as 1 or 42.")]
    NotANumber(String),
    #[error("{0} is larger than any token id can be (2²⁵⁶ − 1).")]
    TooLarge(String),
}

/// An ERC-721 token id: any uint256.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TokenId(pub U256);

impl FromStr for TokenId {
    type Err = TokenIdError;

    /// Digits only: no sign, no hex and no spaces inside, so an address
    /// shows one token under exactly one spelling (leading zeros aside).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let digits = text.trim();
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(TokenIdError::NotANumber(text.to_owned()));
        }
        U256::from_dec_str(digits)
            .map(TokenId)
            .map_err(|_| TokenIdError::TooLarge(digits.to_owned()))
    }
}

impl fmt::Display for TokenId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // U256's Display is decimal.
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_ids_parse() {
        assert_eq!("42".parse(), Ok(TokenId(U256::from(42))));
        assert_eq!("007".parse(), Ok(TokenId(U256::from(7))));
        assert_eq!("0".parse(), Ok(TokenId(U256::zero())));
        assert_eq!(TokenId(U256::from(1234)).to_string(), "1234");
        let max = U256::MAX.to_string();
        assert_eq!(max.parse(), Ok(TokenId(U256::MAX)));
    }

    #[test]
    fn anything_else_is_refused_with_what_was_written() {
        for text in ["", "abc", "-1", "0x10", "1.5", "1e3", "4 2", "+3", "١٢"] {
            assert_eq!(
                text.parse::<TokenId>(),
                Err(TokenIdError::NotANumber(text.into())),
                "{text:?}"
            );
        }
        let too_large = format!("{}0", U256::MAX);
        assert_eq!(
            too_large.parse::<TokenId>(),
            Err(TokenIdError::TooLarge(too_large.clone()))
        );
        assert!(TokenIdError::NotANumber("abc".into())
            .to_string()
            .contains("whole numbers"));
    }
}
