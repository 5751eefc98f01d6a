//! Accounts as people read them.

/// "0xf39F…2266": the prefix and first four digits, then the last four,
/// which is what wallets show and what people compare.
pub fn short_address(address: &str) -> String {
    let chars: Vec<char> = address.chars().collect();
    if chars.len() <= 12 {
        return address.to_owned();
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_an_address_to_its_ends() {
        assert_eq!(
            short_address("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
            "0xf39F…2266"
        );
    }

    #[test]
    fn leaves_short_text_alone() {
        assert_eq!(short_address("0x1234"), "0x1234");
        assert_eq!(short_address(""), "");
    }
}
