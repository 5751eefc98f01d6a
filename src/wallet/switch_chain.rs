//! Moving the wallet to another chain: `wallet_switchEthereumChain`
//! (EIP-3326), and `wallet_addEthereumChain` (EIP-3085) for a chain the
//! wallet does not know yet. The parameters are plain data; the requests
//! are the browser shell.

use serde::Serialize;

use crate::settings::chains::chain_name;

/// EIP-3326's only parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SwitchEthereumChainParameter {
    pub chain_id: String,
}

impl SwitchEthereumChainParameter {
    pub fn new(chain_id: u64) -> Self {
        Self {
            chain_id: chain_id_hex(chain_id),
        }
    }
}

/// EIP-3085's description of a chain, with only the fields wallets require.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AddEthereumChainParameter {
    pub chain_id: String,
    pub chain_name: String,
    pub rpc_urls: Vec<String>,
    pub native_currency: NativeCurrency,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NativeCurrency {
    pub name: &'static str,
    pub symbol: &'static str,
    pub decimals: u8,
}

impl AddEthereumChainParameter {
    /// The chain as Minty knows it: its id, a name, and the RPC URL from the
    /// settings. Every chain Minty targets pays gas in ether.
    pub fn new(chain_id: u64, rpc_url: &str) -> Self {
        Self {
            chain_id: chain_id_hex(chain_id),
            chain_name: chain_name(chain_id)
                .map_or_else(|| format!("Chain {chain_id}"), str::to_owned),
            rpc_urls: vec![rpc_url.to_owned()],
            native_currency: NativeCurrency {
                name: "Ether",
                symbol: "ETH",
                decimals: 18,
            },
        }
    }
}

/// EIP-3326 and EIP-3085 want the id as a hex quantity without leading zeros.
pub fn chain_id_hex(chain_id: u64) -> String {
    format!("{chain_id:#x}")
}

/// Asks the wallet to switch to `chain_id`. A wallet that does not know the
/// chain is asked to add it (which also switches to it), if `rpc_url` says
/// where the chain can be reached; otherwise the user is told to add it.
#[cfg(target_arch = "wasm32")]
pub async fn switch_chain(
    chain_id: u64,
    rpc_url: Option<String>,
) -> Result<(), super::WalletError> {
    use super::{wallet, WalletError};

    let wallet = wallet();
    // Both methods answer `null` on success; the value itself says nothing.
    let switched: Result<serde_json::Value, WalletError> = wallet
        .request(
            "wallet_switchEthereumChain",
            [SwitchEthereumChainParameter::new(chain_id)],
        )
        .await
        .map_err(WalletError::from);
    match switched {
        Err(WalletError::UnknownChain) => {
            let rpc_url = rpc_url.ok_or(WalletError::ChainNotAddable { chain_id })?;
            wallet
                .request::<_, serde_json::Value>(
                    "wallet_addEthereumChain",
                    [AddEthereumChainParameter::new(chain_id, &rpc_url)],
                )
                .await
                .map(drop)
                .map_err(WalletError::from)
        }
        other => other.map(drop),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_switch_request_names_the_chain_in_hex() {
        assert_eq!(
            serde_json::to_value([SwitchEthereumChainParameter::new(31337)]).unwrap(),
            json!([{ "chainId": "0x7a69" }])
        );
        assert_eq!(chain_id_hex(1), "0x1");
        assert_eq!(chain_id_hex(11155111), "0xaa36a7");
    }

    #[test]
    fn the_add_request_describes_the_chain_as_eip_3085_spells_it() {
        assert_eq!(
            serde_json::to_value(AddEthereumChainParameter::new(
                31337,
                "http://127.0.0.1:8545"
            ))
            .unwrap(),
            json!({
                "chainId": "0x7a69",
                "chainName": "Anvil (local)",
                "rpcUrls": ["http://127.0.0.1:8545"],
                "nativeCurrency": { "name": "Ether", "symbol": "ETH", "decimals": 18 }
            })
        );
        assert_eq!(
            AddEthereumChainParameter::new(424242, "https://rpc.example").chain_name,
            "Chain 424242"
        );
    }
}
