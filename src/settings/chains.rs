//! Chain ids as people read them: a few well-known networks get a name,
//! every other chain shows as its number.

/// Parses a chain id written in decimal (`31337`, as in env vars) or as an
/// EIP-1193 hex quantity (`0x7a69`, as `eth_chainId` returns it).
pub fn parse_chain_id(text: &str) -> Option<u64> {
    let text = text.trim();
    let id = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok()?,
        None => text.parse().ok()?,
    };
    // EIP-155 chain ids start at 1; 0 means "no chain" in every spec that uses it.
    (id != 0).then_some(id)
}

/// The name of a well-known chain.
pub fn chain_name(chain_id: u64) -> Option<&'static str> {
    match chain_id {
        1 => Some("Ethereum"),
        11155111 => Some("Sepolia"),
        17000 => Some("Holesky"),
        31337 => Some("Anvil (local)"),
        _ => None,
    }
}

/// A label that always carries the decimal id, e.g. "Anvil (local) · 31337".
pub fn chain_label(chain_id: u64) -> String {
    match chain_name(chain_id) {
        Some(name) => format!("{name} · {chain_id}"),
        None => format!("Chain {chain_id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_and_hex_chain_ids() {
        assert_eq!(parse_chain_id("31337"), Some(31337));
        assert_eq!(parse_chain_id("0x7a69"), Some(31337));
        assert_eq!(parse_chain_id("0X7A69"), Some(31337));
        assert_eq!(parse_chain_id(" 0xaa36a7 "), Some(11155111));
    }

    #[test]
    fn rejects_what_is_not_a_chain_id() {
        for text in ["", "0x", "0", "0x0", "-1", "sepolia", "0xzz", "1.5"] {
            assert_eq!(parse_chain_id(text), None, "{text:?}");
        }
    }

    #[test]
    fn labels_keep_the_decimal_id() {
        assert_eq!(chain_label(31337), "Anvil (local) · 31337");
        assert_eq!(chain_label(1), "Ethereum · 1");
        assert_eq!(chain_label(11155111), "Sepolia · 11155111");
        assert_eq!(chain_label(424242), "Chain 424242");
    }
}
