//! `up`: the whole local stack in one command, stopped as one by Ctrl-C.

use std::fs;
use std::path::PathBuf;
use std::process::Command;

use anyhow::{anyhow, Context, Result};
use ethers_core::types::Address;
use minty::settings::env;
use serde_json::json;

use crate::anvil::{dev_account, Anvil, DEV_ACCOUNT, DEV_PRIVATE_KEY};
use crate::deploy::{deploy_minty, describe_contract};
use crate::processes::{npm_tool, repo_root, ManagedChild};
use crate::rpc::RpcClient;
use crate::storage::{self, StorageConfig};

/// Minty's CLI deploys "Julep" (JLP) unless told otherwise.
pub const DEFAULT_NAME: &str = "Julep";
pub const DEFAULT_SYMBOL: &str = "JLP";

#[derive(Debug, Clone)]
pub struct StackOptions {
    pub anvil_port: u16,
    pub storage_port: u16,
    pub app_port: u16,
    pub data_dir: PathBuf,
    /// Start from an empty chain and storage.
    pub fresh: bool,
    pub storage_token: Option<String>,
    /// Let tests flip the storage service's misbehaviour switches.
    pub storage_test_switches: bool,
    /// Run `trunk serve`; tests of the services alone leave it out.
    pub serve_app: bool,
    pub release: bool,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            anvil_port: 8545,
            storage_port: 8787,
            app_port: 8080,
            data_dir: repo_root().join("target/devstack"),
            fresh: false,
            storage_token: None,
            storage_test_switches: false,
            serve_app: true,
            release: false,
        }
    }
}

/// Test-only build variable: the app's upload idle watchdog, in seconds,
/// shortened for the end-to-end tests (`--storage-test-switches`).
pub const TEST_UPLOAD_IDLE_SECS: &str = "MINTY_TEST_UPLOAD_IDLE_SECS";
pub const TEST_UPLOAD_IDLE: std::time::Duration = std::time::Duration::from_secs(10);

/// What the app is preset with, as compile-time environment variables.
pub fn app_presets(
    chain_id: u64,
    contract: Address,
    rpc_url: &str,
    storage_port: u16,
) -> Vec<(&'static str, String)> {
    let storage = format!("http://127.0.0.1:{storage_port}");
    vec![
        (env::CHAIN_ID, chain_id.to_string()),
        (env::CONTRACT, format!("{contract:?}")),
        (env::RPC_URL, rpc_url.to_owned()),
        (env::GATEWAY, format!("{storage}/ipfs/")),
        // The local gateway is its own fallback: the app's default fallbacks
        // are public gateways, and nothing here may leave this machine.
        (env::GATEWAY_FALLBACKS, format!("{storage}/ipfs/")),
        (env::STORAGE_ENDPOINT, storage),
    ]
}

/// Reuses the contract recorded in the data directory when the chain still
/// has it; deploys a new one otherwise.
fn ensure_contract(rpc: &RpcClient, data_dir: &std::path::Path) -> Result<Address> {
    let record_path = data_dir.join("deployment.json");
    let recorded: Option<Address> = fs::read_to_string(&record_path)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|record| serde_json::from_value(record["address"].clone()).ok());
    if let Some(address) = recorded {
        if let Ok((name, symbol)) = describe_contract(rpc, address) {
            println!("minty: reusing Minty \"{name}\" ({symbol}) at {address:?}");
            return Ok(address);
        }
    }
    let address = deploy_minty(rpc, dev_account(), DEFAULT_NAME, DEFAULT_SYMBOL)
        .context("deploying Minty")?;
    println!("minty: deployed Minty \"{DEFAULT_NAME}\" ({DEFAULT_SYMBOL}) at {address:?}");
    let record = json!({"chainId": rpc.chain_id()?, "address": address});
    fs::write(&record_path, record.to_string())
        .with_context(|| format!("writing {}", record_path.display()))?;
    Ok(address)
}

pub async fn run(options: StackOptions) -> Result<()> {
    if options.fresh && options.data_dir.exists() {
        fs::remove_dir_all(&options.data_dir)
            .with_context(|| format!("emptying {}", options.data_dir.display()))?;
    }
    fs::create_dir_all(&options.data_dir)
        .with_context(|| format!("creating {}", options.data_dir.display()))?;

    let mut anvil = Anvil::start(
        options.anvil_port,
        Some(&options.data_dir.join("anvil-state.json")),
        true,
    )?;
    let rpc = anvil.rpc();
    let chain_id = rpc.chain_id()?;
    let contract = ensure_contract(&rpc, &options.data_dir)?;

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.storage_port))
        .await
        .with_context(|| format!("cannot listen on 127.0.0.1:{}", options.storage_port))?;
    let storage_config = StorageConfig {
        data_dir: options.data_dir.join("storage"),
        required_token: options.storage_token.clone(),
        test_switches: options.storage_test_switches,
    };
    let storage_task = tokio::spawn(storage::serve(listener, storage_config));

    let mut presets = app_presets(chain_id, contract, &anvil.rpc_url, options.storage_port);
    if options.storage_test_switches {
        // Test-only: the end-to-end tests' stall story would otherwise wait
        // the upload watchdog's full minute. Debug builds only honour it.
        presets.push((
            TEST_UPLOAD_IDLE_SECS,
            TEST_UPLOAD_IDLE.as_secs().to_string(),
        ));
    }
    let mut trunk = if options.serve_app {
        Some(start_trunk(&options, &presets)?)
    } else {
        None
    };

    let app_url = format!("http://127.0.0.1:{}/", options.app_port);
    println!();
    println!("Minty local stack");
    println!(
        "  chain      anvil, chain id {chain_id}, RPC {}",
        anvil.rpc_url
    );
    println!("  contract   {contract:?}");
    println!(
        "  storage    http://127.0.0.1:{} (nft.storage API; any non-empty token{})",
        options.storage_port,
        if options.storage_token.is_some() {
            " is refused but the fixed one"
        } else {
            ""
        }
    );
    println!(
        "  gateway    http://127.0.0.1:{}/ipfs/",
        options.storage_port
    );
    println!(
        "  pinning    http://127.0.0.1:{port}/psa/a and http://localhost:{port}/psa/b (Pinning Services API stand-ins; {})",
        match &options.storage_token {
            Some(token) => format!("tokens {token}-psa-a and {token}-psa-b"),
            None => "any non-empty token".to_owned(),
        },
        port = options.storage_port
    );
    if options.serve_app {
        println!(
            "  app        {app_url}  (trunk is building it; the first build takes a few minutes)"
        );
    }
    println!(
        "  MetaMask   add network RPC {} with chain id {chain_id}, and import dev key {DEV_PRIVATE_KEY} ({DEV_ACCOUNT}); it is public, never use it elsewhere",
        anvil.rpc_url
    );
    println!("Press Ctrl-C to stop everything.");
    println!("minty: stack ready");

    let outcome = wait_for_stop(&mut trunk, storage_task).await;
    if let Some(trunk) = trunk.as_mut() {
        trunk.stop();
    }
    anvil.stop();
    println!("minty: stopped");
    outcome
}

fn start_trunk(options: &StackOptions, presets: &[(&'static str, String)]) -> Result<ManagedChild> {
    let root = repo_root();
    // wasm-opt comes from the npm package binaryen; trunk must never try to
    // download tools.
    let tools = npm_tool("wasm-opt")
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    let path = format!(
        "{}:{}",
        tools.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = Command::new("trunk");
    command
        .current_dir(&root)
        .env("PATH", path)
        .envs(presets.iter().map(|(k, v)| (*k, v.as_str())))
        .args([
            "serve",
            "--address",
            "127.0.0.1",
            "--port",
            &options.app_port.to_string(),
        ]);
    if options.release {
        command.arg("--release");
    }
    ManagedChild::spawn("trunk", command).map_err(|e| {
        anyhow!("{e}; install it with `cargo install trunk --version 0.21.14 --locked`")
    })
}

async fn wait_for_stop(
    trunk: &mut Option<ManagedChild>,
    storage_task: tokio::task::JoinHandle<std::io::Result<()>>,
) -> Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("listening for SIGTERM")?;
    let mut storage_task = storage_task;
    let mut poll = tokio::time::interval(std::time::Duration::from_millis(500));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => return Ok(()),
            _ = terminate.recv() => return Ok(()),
            result = &mut storage_task => {
                return Err(anyhow!("the storage service stopped: {result:?}"));
            }
            _ = poll.tick() => {
                if let Some(child) = trunk.as_mut() {
                    if let Some(status) = child.exited() {
                        return Err(anyhow!("{} exited ({status})", child.name()));
                    }
                }
            }
        }
    }
}
