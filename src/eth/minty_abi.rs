//! The Minty contract's ABI: calldata for the calls the app and the tooling
//! make, decoding of their results, Transfer logs and revert reasons.
//!
//! Built on ethers-core's ABI codec, so the browser shell (ethers-providers)
//! and this core share one set of types.

use ethers_core::abi::{self, ParamType, Token};
use ethers_core::types::{Address, H256, U256};
use ethers_core::utils::keccak256;
use thiserror::Error;

use super::hex::from_hex;

/// The compiled contract (ABI and creation bytecode), built from
/// contracts/Minty.sol by tests/tools/contract-build.mjs.
pub const MINTY_ARTIFACT_JSON: &str = include_str!("../../contracts/Minty.json");

/// `Error(string)`, the revert Solidity raises for `require(…, "reason")`.
const ERROR_STRING_SELECTOR: [u8; 4] = [0x08, 0xc3, 0x79, 0xa0];

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AbiError {
    #[error("the contract answered with data that is not a valid {expected}")]
    UnexpectedReturn { expected: &'static str },
    #[error("the contract artifact is unreadable: {0}")]
    Artifact(String),
}

pub fn selector(signature: &str) -> [u8; 4] {
    let hash = keccak256(signature.as_bytes());
    [hash[0], hash[1], hash[2], hash[3]]
}

fn call(signature: &str, arguments: &[Token]) -> Vec<u8> {
    let mut data = selector(signature).to_vec();
    data.extend(abi::encode(arguments));
    data
}

/// The contract's creation bytecode, from the committed artifact.
pub fn creation_bytecode() -> Result<Vec<u8>, AbiError> {
    let artifact: serde_json::Value =
        serde_json::from_str(MINTY_ARTIFACT_JSON).map_err(|e| AbiError::Artifact(e.to_string()))?;
    let hex_code = artifact["bytecode"]
        .as_str()
        .ok_or_else(|| AbiError::Artifact("no bytecode".into()))?;
    from_hex(hex_code).ok_or_else(|| AbiError::Artifact("bytecode is not hex".into()))
}

/// Data of the transaction that deploys Minty: `constructor(name, symbol)`.
pub fn deploy_data(name: &str, symbol: &str) -> Result<Vec<u8>, AbiError> {
    let mut data = creation_bytecode()?;
    data.extend(abi::encode(&[
        Token::String(name.to_owned()),
        Token::String(symbol.to_owned()),
    ]));
    Ok(data)
}

/// `mintToken(owner, metadataURI)`; the URI goes without "ipfs://", which
/// the contract adds in tokenURI.
pub fn mint_token_call(owner: Address, metadata_uri: &str) -> Vec<u8> {
    call(
        "mintToken(address,string)",
        &[
            Token::Address(owner),
            Token::String(metadata_uri.to_owned()),
        ],
    )
}

pub fn token_uri_call(token_id: U256) -> Vec<u8> {
    call("tokenURI(uint256)", &[Token::Uint(token_id)])
}

pub fn owner_of_call(token_id: U256) -> Vec<u8> {
    call("ownerOf(uint256)", &[Token::Uint(token_id)])
}

pub fn name_call() -> Vec<u8> {
    call("name()", &[])
}

pub fn symbol_call() -> Vec<u8> {
    call("symbol()", &[])
}

/// The ERC-165 interface id of ERC-721 (EIP-721: `0x80ac58cd`).
pub const ERC721_INTERFACE_ID: [u8; 4] = [0x80, 0xac, 0x58, 0xcd];

/// ERC-165's `supportsInterface(bytes4)`.
pub fn supports_interface_call(interface_id: [u8; 4]) -> Vec<u8> {
    call(
        "supportsInterface(bytes4)",
        &[Token::FixedBytes(interface_id.to_vec())],
    )
}

/// A `bool` return: ERC-165 requires exactly one word of 0 or 1, and
/// anything else (an empty answer from a contract without the function, a
/// fallback's stray bytes) means the contract does not implement it.
pub fn decode_bool(data: &[u8]) -> Result<bool, AbiError> {
    match data {
        [head @ .., last] if data.len() == 32 && head.iter().all(|b| *b == 0) && *last <= 1 => {
            Ok(*last == 1)
        }
        _ => Err(AbiError::UnexpectedReturn { expected: "bool" }),
    }
}

pub fn total_supply_call() -> Vec<u8> {
    call("totalSupply()", &[])
}

pub fn token_by_index_call(index: U256) -> Vec<u8> {
    call("tokenByIndex(uint256)", &[Token::Uint(index)])
}

pub fn balance_of_call(owner: Address) -> Vec<u8> {
    call("balanceOf(address)", &[Token::Address(owner)])
}

pub fn token_of_owner_by_index_call(owner: Address, index: U256) -> Vec<u8> {
    call(
        "tokenOfOwnerByIndex(address,uint256)",
        &[Token::Address(owner), Token::Uint(index)],
    )
}

/// `safeTransferFrom(from, to, tokenId)`, Minty's `transfer` command.
pub fn safe_transfer_from_call(from: Address, to: Address, token_id: U256) -> Vec<u8> {
    call(
        "safeTransferFrom(address,address,uint256)",
        &[
            Token::Address(from),
            Token::Address(to),
            Token::Uint(token_id),
        ],
    )
}

fn decode_single(data: &[u8], kind: ParamType, expected: &'static str) -> Result<Token, AbiError> {
    abi::decode(&[kind], data)
        .ok()
        .and_then(|mut tokens| tokens.pop())
        .ok_or(AbiError::UnexpectedReturn { expected })
}

pub fn decode_string(data: &[u8]) -> Result<String, AbiError> {
    decode_single(data, ParamType::String, "string")?
        .into_string()
        .ok_or(AbiError::UnexpectedReturn { expected: "string" })
}

pub fn decode_address(data: &[u8]) -> Result<Address, AbiError> {
    decode_single(data, ParamType::Address, "address")?
        .into_address()
        .ok_or(AbiError::UnexpectedReturn {
            expected: "address",
        })
}

pub fn decode_uint(data: &[u8]) -> Result<U256, AbiError> {
    decode_single(data, ParamType::Uint(256), "uint256")?
        .into_uint()
        .ok_or(AbiError::UnexpectedReturn {
            expected: "uint256",
        })
}

/// topic0 of `Transfer(address indexed from, address indexed to, uint256 indexed tokenId)`.
pub fn transfer_topic() -> H256 {
    H256(keccak256("Transfer(address,address,uint256)"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    pub from: Address,
    pub to: Address,
    pub token_id: U256,
}

/// Decodes an ERC-721 Transfer log; `None` for any other log. ERC-20's
/// Transfer shares topic0 but indexes only two topics, so the count matters.
pub fn decode_transfer(topics: &[H256]) -> Option<Transfer> {
    match topics {
        [topic0, from, to, token_id] if *topic0 == transfer_topic() => Some(Transfer {
            from: Address::from(*from),
            to: Address::from(*to),
            token_id: U256::from_big_endian(token_id.as_bytes()),
        }),
        _ => None,
    }
}

/// The id of the token a mint created: the Transfer from the zero address
/// emitted by `contract`. `logs` are (emitter, topics) pairs from a receipt.
pub fn minted_token_id<'a>(
    contract: Address,
    logs: impl IntoIterator<Item = (Address, &'a [H256])>,
) -> Option<U256> {
    logs.into_iter()
        .filter(|(emitter, _)| *emitter == contract)
        .filter_map(|(_, topics)| decode_transfer(topics))
        .find(|transfer| transfer.from == Address::zero())
        .map(|transfer| transfer.token_id)
}

/// Why a call reverted, as far as the revert data tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevertReason {
    /// `require(…, "message")` or `revert("message")`.
    Message(String),
    /// OpenZeppelin 5's `ERC721NonexistentToken(uint256)`.
    NonexistentToken(U256),
    /// OpenZeppelin 5's `ERC721InvalidReceiver(address)`: the recipient is a
    /// contract that does not accept ERC-721 tokens.
    InvalidReceiver(Address),
    /// OpenZeppelin 5's `ERC721IncorrectOwner(address,uint256,address)`.
    IncorrectOwner {
        sender: Address,
        token_id: U256,
        owner: Address,
    },
    /// OpenZeppelin 5's `ERC721InsufficientApproval(address,uint256)`.
    InsufficientApproval { operator: Address, token_id: U256 },
    /// A custom error this app does not know, by its selector.
    Unknown { selector: [u8; 4] },
    /// The revert carried no data.
    Empty,
}

impl std::fmt::Display for RevertReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RevertReason::Message(message) => write!(f, "the contract refused: {message}"),
            RevertReason::NonexistentToken(id) => write!(f, "there is no token {id}"),
            RevertReason::InvalidReceiver(address) => write!(
                f,
                "{address:?} is a contract that cannot receive ERC-721 tokens; send it to a wallet address"
            ),
            RevertReason::IncorrectOwner { token_id, owner, .. } => {
                write!(f, "token {token_id} belongs to {owner:?}")
            }
            RevertReason::InsufficientApproval { token_id, .. } => {
                write!(f, "this account may not move token {token_id}")
            }
            RevertReason::Unknown { selector } => write!(
                f,
                "the contract refused with error 0x{}",
                selector.iter().map(|b| format!("{b:02x}")).collect::<String>()
            ),
            RevertReason::Empty => f.write_str("the contract refused without giving a reason"),
        }
    }
}

/// Revert data as nodes and wallets report it in a JSON-RPC error's `data`:
/// a hex string, or nested as `{data: …}` or `{originalError: {data: …}}`
/// (MetaMask wraps node errors that way).
pub fn revert_data_in(data: &serde_json::Value) -> Option<Vec<u8>> {
    match data {
        serde_json::Value::String(text) => from_hex(text).filter(|bytes| !bytes.is_empty()),
        serde_json::Value::Object(object) => ["data", "originalError", "cause"]
            .iter()
            .filter_map(|key| object.get(*key))
            .find_map(revert_data_in),
        _ => None,
    }
}

pub fn decode_revert(data: &[u8]) -> RevertReason {
    let Some((head, arguments)) = data.split_first_chunk::<4>() else {
        return RevertReason::Empty;
    };
    let decode = |types: &[ParamType]| abi::decode(types, arguments).ok();
    let decoded = if *head == ERROR_STRING_SELECTOR {
        decode(&[ParamType::String])
            .and_then(|mut t| t.pop()?.into_string())
            .map(RevertReason::Message)
    } else if *head == selector("ERC721NonexistentToken(uint256)") {
        decode(&[ParamType::Uint(256)])
            .and_then(|mut t| t.pop()?.into_uint())
            .map(RevertReason::NonexistentToken)
    } else if *head == selector("ERC721InvalidReceiver(address)") {
        decode(&[ParamType::Address])
            .and_then(|mut t| t.pop()?.into_address())
            .map(RevertReason::InvalidReceiver)
    } else if *head == selector("ERC721IncorrectOwner(address,uint256,address)") {
        decode(&[ParamType::Address, ParamType::Uint(256), ParamType::Address]).and_then(|t| {
            Some(RevertReason::IncorrectOwner {
                sender: t[0].clone().into_address()?,
                token_id: t[1].clone().into_uint()?,
                owner: t[2].clone().into_address()?,
            })
        })
    } else if *head == selector("ERC721InsufficientApproval(address,uint256)") {
        decode(&[ParamType::Address, ParamType::Uint(256)]).and_then(|t| {
            Some(RevertReason::InsufficientApproval {
                operator: t[0].clone().into_address()?,
                token_id: t[1].clone().into_uint()?,
            })
        })
    } else {
        None
    };
    decoded.unwrap_or(RevertReason::Unknown { selector: *head })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supports_interface_asks_for_erc721_by_its_eip_165_id() {
        let data = supports_interface_call(ERC721_INTERFACE_ID);
        // 0x01ffc9a7 is supportsInterface(bytes4) in EIP-165.
        assert_eq!(hex::encode(&data[..4]), "01ffc9a7");
        assert_eq!(hex::encode(&data[4..8]), "80ac58cd");
        assert!(data[8..].iter().all(|b| *b == 0));
    }

    #[test]
    fn only_a_word_of_zero_or_one_is_a_bool() {
        let mut yes = [0u8; 32];
        yes[31] = 1;
        assert_eq!(decode_bool(&yes), Ok(true));
        assert_eq!(decode_bool(&[0u8; 32]), Ok(false));
        // A contract without the function answers nothing; a fallback may
        // answer anything.
        assert!(decode_bool(&[]).is_err());
        yes[31] = 2;
        assert!(decode_bool(&yes).is_err());
        assert!(decode_bool(&[1u8; 64]).is_err());
    }

    #[test]
    fn mint_token_selector_is_the_solidity_one() {
        // As solc reports in evm.methodIdentifiers.
        assert_eq!(
            hex::encode(selector("mintToken(address,string)")),
            "3d02d0c9"
        );
        assert_eq!(hex::encode(selector("tokenURI(uint256)")), "c87b56dd");
    }

    #[test]
    fn mint_calldata_encodes_owner_and_uri() {
        let owner: Address = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
            .parse()
            .unwrap();
        let data = mint_token_call(owner, "bafy/metadata.json");
        let tokens = abi::decode(&[ParamType::Address, ParamType::String], &data[4..]).unwrap();
        assert_eq!(
            tokens,
            vec![
                Token::Address(owner),
                Token::String("bafy/metadata.json".into())
            ]
        );
    }

    #[test]
    fn transfer_from_zero_gives_the_minted_id() {
        let contract = Address::repeat_byte(0xaa);
        let to = Address::repeat_byte(0x11);
        let mut id = [0u8; 32];
        id[31] = 7;
        let topics = [transfer_topic(), H256::zero(), H256::from(to), H256(id)];
        let other_contract = [transfer_topic(), H256::zero(), H256::from(to), H256::zero()];
        let logs = [
            (Address::repeat_byte(0xbb), &other_contract[..]),
            (contract, &topics[..]),
        ];
        assert_eq!(minted_token_id(contract, logs), Some(U256::from(7)));
    }

    #[test]
    fn erc20_transfer_is_not_mistaken_for_a_mint() {
        let topics = [transfer_topic(), H256::zero(), H256::zero()];
        assert_eq!(decode_transfer(&topics), None);
    }

    #[test]
    fn revert_reasons_decode() {
        let mut data = ERROR_STRING_SELECTOR.to_vec();
        data.extend(abi::encode(&[Token::String("nope".into())]));
        assert_eq!(decode_revert(&data), RevertReason::Message("nope".into()));

        let mut data = selector("ERC721NonexistentToken(uint256)").to_vec();
        data.extend(abi::encode(&[Token::Uint(U256::from(42))]));
        assert_eq!(
            decode_revert(&data),
            RevertReason::NonexistentToken(U256::from(42))
        );

        assert_eq!(decode_revert(&[]), RevertReason::Empty);
        assert_eq!(
            decode_revert(&[1, 2, 3, 4]),
            RevertReason::Unknown {
                selector: [1, 2, 3, 4]
            }
        );
    }

    #[test]
    fn revert_data_is_found_however_the_wallet_nests_it() {
        let data = "0x7e2732890000000000000000000000000000000000000000000000000000000000000007";
        for value in [
            serde_json::json!(data),
            serde_json::json!({"data": data}),
            serde_json::json!({"code": -32603, "originalError": {"code": 3, "data": data}}),
        ] {
            let bytes = revert_data_in(&value).expect("revert data");
            assert_eq!(hex::encode(&bytes[..4]), "7e273289");
        }
        assert_eq!(
            revert_data_in(&serde_json::json!("execution reverted")),
            None
        );
        assert_eq!(revert_data_in(&serde_json::json!("0x")), None);
    }

    #[test]
    fn revert_reasons_read_as_sentences() {
        assert_eq!(
            RevertReason::NonexistentToken(U256::from(9)).to_string(),
            "there is no token 9"
        );
        assert!(RevertReason::InvalidReceiver(Address::zero())
            .to_string()
            .contains("cannot receive"));
    }

    #[test]
    fn artifact_bytecode_is_present() {
        assert!(creation_bytecode().unwrap().len() > 1_000);
    }
}
