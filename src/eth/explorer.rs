//! Block explorers, for a "view on the explorer" link beside a transaction.
//! Only chains with a well-known public explorer get one; a local chain
//! (anvil, Hardhat) has none, so no link is made up for it.

use ethers_core::types::H256;

/// The explorer's base URL for `chain_id`, without a trailing slash.
pub fn explorer_base(chain_id: u64) -> Option<&'static str> {
    Some(match chain_id {
        1 => "https://etherscan.io",
        11_155_111 => "https://sepolia.etherscan.io",
        17_000 => "https://holesky.etherscan.io",
        560_048 => "https://hoodi.etherscan.io",
        8453 => "https://basescan.org",
        84_532 => "https://sepolia.basescan.org",
        10 => "https://optimistic.etherscan.io",
        11_155_420 => "https://sepolia-optimism.etherscan.io",
        42_161 => "https://arbiscan.io",
        421_614 => "https://sepolia.arbiscan.io",
        137 => "https://polygonscan.com",
        80_002 => "https://amoy.polygonscan.com",
        _ => return None,
    })
}

/// `https://…/tx/0x…` for a transaction on `chain_id`, if it has an explorer.
pub fn transaction_url(chain_id: u64, hash: &H256) -> Option<String> {
    explorer_base(chain_id).map(|base| format!("{base}/tx/{hash:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_known_chain_links_to_its_explorer_by_full_hash() {
        let hash = H256::repeat_byte(0xab);
        assert_eq!(
            transaction_url(11_155_111, &hash).as_deref(),
            Some("https://sepolia.etherscan.io/tx/0xabababababababababababababababababababababababababababababababab")
        );
        for chain in [
            1, 8453, 84_532, 10, 11_155_420, 42_161, 421_614, 137, 80_002,
        ] {
            assert!(transaction_url(chain, &hash)
                .unwrap()
                .starts_with("https://"));
        }
    }

    #[test]
    fn a_local_or_unknown_chain_has_no_link() {
        for chain in [31_337, 1337, 5, 999_999] {
            assert_eq!(transaction_url(chain, &H256::zero()), None, "{chain}");
        }
    }
}
