//! Minty.sol's behaviour as the app relies on it, against a real anvil: ids,
//! token URIs, ownership, enumeration, safe transfers and the revert reasons
//! the app turns into messages. Each test gets its own anvil and contract, so
//! tests neither share state nor depend on their order.

use std::net::TcpListener;

use ethers_core::types::{Address, H256, U256};
use minty::eth::hex::to_hex;
use minty::eth::minty_abi::{
    decode_address, decode_revert, decode_string, decode_transfer, decode_uint, mint_token_call,
    minted_token_id, owner_of_call, safe_transfer_from_call, token_by_index_call,
    token_of_owner_by_index_call, token_uri_call, total_supply_call, RevertReason, Transfer,
};
use minty_devstack::anvil::Anvil;
use minty_devstack::deploy::{deploy_minty, describe_contract, DeployError};
use minty_devstack::rpc::{parse_bytes, Receipt, RpcClient, RpcError};
use serde_json::{json, Value};

const CAT_URI: &str = "bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/metadata.json";
const DOG_URI: &str = "bafybeih2w5lqvfpjv5bqz7wmkhm6zqgwvsoyidm4vk2ge6hcjhzrz6kvuq/metadata.json";
const FOX_URI: &str = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

/// A fresh anvil with Minty deployed from its first dev account.
struct Chain {
    // Kept for its Drop, which stops anvil.
    _anvil: Anvil,
    rpc: RpcClient,
    minty: Address,
    accounts: Vec<Address>,
}

impl Chain {
    fn with_minty(name: &str, symbol: &str) -> Self {
        let anvil = start_anvil();
        let rpc = anvil.rpc();
        let accounts = rpc.accounts().expect("anvil lists its dev accounts");
        assert!(accounts.len() >= 3, "anvil should unlock several accounts");
        let minty = deploy_minty(&rpc, accounts[0], name, symbol).expect("Minty deploys");
        Self {
            _anvil: anvil,
            rpc,
            minty,
            accounts,
        }
    }

    /// Sends a transaction to Minty from an unlocked account; a revert
    /// comes back as the node's error, carrying the revert data.
    fn transact(&self, from: Address, data: &[u8]) -> Result<Receipt, RpcError> {
        let hash = self.rpc.send_transaction(from, Some(self.minty), data)?;
        self.rpc.wait_for_receipt(hash)
    }

    /// Mints to `owner` from `sender` and returns the id the receipt's
    /// Transfer-from-zero log names.
    fn mint(&self, sender: Address, owner: Address, metadata_uri: &str) -> U256 {
        let receipt = self
            .transact(sender, &mint_token_call(owner, metadata_uri))
            .expect("mintToken is accepted");
        assert!(receipt.succeeded(), "mintToken reverted: {receipt:?}");
        minted_token_id(self.minty, logs_of(&receipt)).expect("a mint emits Transfer from zero")
    }

    /// Why a transaction from `from` would revert, and proof that sending
    /// it changes nothing. anvil mines a reverting transaction with status 0
    /// and no revert data (other nodes refuse it while estimating gas), so
    /// the reason comes from simulating it with the same sender, as a wallet
    /// does before asking the user to sign.
    fn revert_of_transaction(&self, from: Address, data: &[u8]) -> RevertReason {
        let simulation = self
            .rpc
            .request(
                "eth_call",
                json!([{"from": from, "to": self.minty, "data": to_hex(data)}, "latest"]),
            )
            .map(|answer| answer.to_string());
        let reason = revert_reason(simulation);
        match self.transact(from, data) {
            Ok(receipt) => assert!(
                !receipt.succeeded(),
                "the transaction was mined as a success"
            ),
            Err(error) => assert!(matches!(error, RpcError::Node { .. }), "{error}"),
        }
        reason
    }

    fn view(&self, data: &[u8]) -> Result<Vec<u8>, RpcError> {
        self.rpc.call(self.minty, data)
    }

    fn owner_of(&self, token_id: u64) -> Address {
        decode_address(
            &self
                .view(&owner_of_call(token_id.into()))
                .expect("ownerOf answers"),
        )
        .expect("ownerOf returns an address")
    }

    fn token_uri(&self, token_id: u64) -> String {
        decode_string(
            &self
                .view(&token_uri_call(token_id.into()))
                .expect("tokenURI answers"),
        )
        .expect("tokenURI returns a string")
    }

    fn uint(&self, data: &[u8]) -> U256 {
        decode_uint(&self.view(data).expect("the view answers")).expect("the view returns a uint")
    }
}

/// anvil on a port the OS just handed out. Another process may take the port
/// between our probe and anvil's bind, so a failed start is retried.
fn start_anvil() -> Anvil {
    let mut last_error = String::new();
    for _ in 0..3 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|probe| probe.local_addr())
            .expect("the OS hands out a free port")
            .port();
        match Anvil::start(port, None, true) {
            Ok(anvil) => return anvil,
            Err(error) => last_error = format!("{error:#}"),
        }
    }
    panic!("anvil did not start: {last_error}");
}

fn logs_of(receipt: &Receipt) -> impl Iterator<Item = (Address, &[H256])> {
    receipt.log_topics()
}

/// The reason a call or transaction reverted, decoded from the revert data
/// the node returned.
fn revert_reason<T: std::fmt::Debug>(result: Result<T, RpcError>) -> RevertReason {
    match result {
        Err(RpcError::Node {
            data: Some(data), ..
        }) => decode_revert(
            &parse_bytes(&Value::String(data.clone()))
                .unwrap_or_else(|| panic!("revert data is not hex: {data}")),
        ),
        other => panic!("expected a revert carrying data, got {other:?}"),
    }
}

#[test]
fn deploy_records_the_collection_name_and_symbol() {
    let chain = Chain::with_minty("Minty Test Gallery", "MTG");

    let (name, symbol) =
        describe_contract(&chain.rpc, chain.minty).expect("Minty describes itself");

    assert_eq!(name, "Minty Test Gallery");
    assert_eq!(symbol, "MTG");
    // An account holds no code, so it is not mistaken for a deployment.
    assert!(matches!(
        describe_contract(&chain.rpc, chain.accounts[1]),
        Err(DeployError::NoCode(address)) if address == chain.accounts[1]
    ));
}

#[test]
fn mints_count_up_from_one_with_their_uri_and_owner() {
    let chain = Chain::with_minty("Julep", "JLP");
    let [minter, friend] = [chain.accounts[0], chain.accounts[1]];

    let first = chain.mint(minter, minter, CAT_URI);
    // Anyone may mint, and to someone other than themselves.
    let second = chain.mint(minter, friend, DOG_URI);

    assert_eq!(first, U256::from(1));
    assert_eq!(second, U256::from(2));
    assert_eq!(chain.token_uri(1), format!("ipfs://{CAT_URI}"));
    assert_eq!(chain.token_uri(2), format!("ipfs://{DOG_URI}"));
    assert_eq!(chain.owner_of(1), minter);
    assert_eq!(chain.owner_of(2), friend);
    // mintToken's return value is the next id too, for callers that
    // simulate before sending.
    assert_eq!(chain.uint(&mint_token_call(friend, FOX_URI)), U256::from(3));
}

#[test]
fn a_mint_logs_transfer_from_zero_to_the_owner() {
    let chain = Chain::with_minty("Julep", "JLP");
    let [minter, friend] = [chain.accounts[0], chain.accounts[1]];

    let receipt = chain
        .transact(minter, &mint_token_call(friend, CAT_URI))
        .expect("mintToken is accepted");

    let transfers: Vec<Transfer> = logs_of(&receipt)
        .filter(|(emitter, _)| *emitter == chain.minty)
        .filter_map(|(_, topics)| decode_transfer(topics))
        .collect();
    assert_eq!(
        transfers,
        [Transfer {
            from: Address::zero(),
            to: friend,
            token_id: U256::from(1),
        }]
    );
}

#[test]
fn enumeration_lists_all_tokens_and_each_owners_tokens() {
    let chain = Chain::with_minty("Julep", "JLP");
    let [alice, bob] = [chain.accounts[0], chain.accounts[1]];
    assert_eq!(chain.uint(&total_supply_call()), U256::zero());

    chain.mint(alice, alice, CAT_URI);
    chain.mint(alice, bob, DOG_URI);
    chain.mint(bob, alice, FOX_URI);

    assert_eq!(chain.uint(&total_supply_call()), U256::from(3));
    let all: Vec<U256> = (0..3u64)
        .map(|index| chain.uint(&token_by_index_call(index.into())))
        .collect();
    assert_eq!(all, [1u64, 2, 3].map(U256::from));
    let of_alice: Vec<U256> = (0..2u64)
        .map(|index| chain.uint(&token_of_owner_by_index_call(alice, index.into())))
        .collect();
    assert_eq!(of_alice, [1u64, 3].map(U256::from));
    assert_eq!(
        chain.uint(&token_of_owner_by_index_call(bob, U256::zero())),
        U256::from(2)
    );
    // Past the end there is nothing, not a default zero id.
    assert!(chain.view(&token_by_index_call(3u64.into())).is_err());
    assert!(chain
        .view(&token_of_owner_by_index_call(bob, U256::one()))
        .is_err());
}

#[test]
fn safe_transfer_moves_the_token_and_logs_it() {
    let chain = Chain::with_minty("Julep", "JLP");
    let [alice, bob, carol] = [chain.accounts[0], chain.accounts[1], chain.accounts[2]];
    let token = chain.mint(alice, alice, CAT_URI);

    let receipt = chain
        .transact(alice, &safe_transfer_from_call(alice, bob, token))
        .expect("the owner may transfer");

    assert!(receipt.succeeded());
    let transfers: Vec<Transfer> = logs_of(&receipt)
        .filter(|(emitter, _)| *emitter == chain.minty)
        .filter_map(|(_, topics)| decode_transfer(topics))
        .collect();
    assert_eq!(
        transfers,
        [Transfer {
            from: alice,
            to: bob,
            token_id: token,
        }]
    );
    // A transfer is not a mint: the app must not read a new id from it.
    assert_eq!(minted_token_id(chain.minty, logs_of(&receipt)), None);
    assert_eq!(chain.owner_of(1), bob);
    assert_eq!(
        chain.uint(&token_of_owner_by_index_call(bob, U256::zero())),
        token
    );
    assert_eq!(chain.token_uri(1), format!("ipfs://{CAT_URI}"));
    // The previous owner can no longer move it.
    assert_eq!(
        chain.revert_of_transaction(alice, &safe_transfer_from_call(bob, carol, token)),
        RevertReason::InsufficientApproval {
            operator: alice,
            token_id: token,
        }
    );
    assert_eq!(chain.owner_of(1), bob);
}

#[test]
fn contracts_that_cannot_receive_tokens_are_refused() {
    let chain = Chain::with_minty("Julep", "JLP");
    let alice = chain.accounts[0];
    let token = chain.mint(alice, alice, CAT_URI);
    // Minty itself implements no onERC721Received.
    let not_a_receiver = chain.minty;

    let transfer = chain.revert_of_transaction(
        alice,
        &safe_transfer_from_call(alice, not_a_receiver, token),
    );
    let mint = chain.revert_of_transaction(alice, &mint_token_call(not_a_receiver, DOG_URI));

    assert_eq!(transfer, RevertReason::InvalidReceiver(not_a_receiver));
    assert_eq!(mint, RevertReason::InvalidReceiver(not_a_receiver));
    assert_eq!(chain.owner_of(1), alice);
    assert_eq!(chain.uint(&total_supply_call()), U256::one());
}

#[test]
fn missing_tokens_revert_with_nonexistent_token() {
    let chain = Chain::with_minty("Julep", "JLP");
    let alice = chain.accounts[0];

    assert_eq!(
        revert_reason(chain.view(&token_uri_call(U256::one()))),
        RevertReason::NonexistentToken(U256::one())
    );
    chain.mint(alice, alice, CAT_URI);

    // Ids start at 1, so 0 never exists.
    for missing in [0u64, 2, 7] {
        assert_eq!(
            revert_reason(chain.view(&token_uri_call(missing.into()))),
            RevertReason::NonexistentToken(missing.into()),
            "tokenURI({missing})"
        );
        assert_eq!(
            revert_reason(chain.view(&owner_of_call(missing.into()))),
            RevertReason::NonexistentToken(missing.into()),
            "ownerOf({missing})"
        );
    }
}
