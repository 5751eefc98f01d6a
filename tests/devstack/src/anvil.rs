//! Running anvil, the local Ethereum node, from the npm package the
//! repository pins.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Result};
use ethers_core::types::Address;

use crate::processes::{npm_tool, ManagedChild};
use crate::rpc::RpcClient;

/// anvil's default chain id.
pub const ANVIL_CHAIN_ID: u64 = 31337;

/// anvil's first dev account and its well-known private key (from the
/// default mnemonic "test test … junk"); for local development only.
pub const DEV_ACCOUNT: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
pub const DEV_PRIVATE_KEY: &str =
    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

pub fn dev_account() -> Address {
    DEV_ACCOUNT
        .parse()
        .expect("the dev account is a valid address")
}

pub struct Anvil {
    process: ManagedChild,
    pub rpc_url: String,
}

impl Anvil {
    /// Starts anvil on `port`. With `state_file`, the chain is loaded from it
    /// and saved back to it (periodically and on exit), so deployments and
    /// tokens survive a restart.
    pub fn start(port: u16, state_file: Option<&Path>, quiet: bool) -> Result<Self> {
        let binary = npm_tool("anvil");
        if !binary.exists() {
            bail!(
                "{} is missing: run `npm ci` in the repository first",
                binary.display()
            );
        }
        let mut command = Command::new(binary);
        command.args(["--host", "127.0.0.1", "--port", &port.to_string()]);
        if let Some(state_file) = state_file {
            command.arg("--state").arg(state_file);
            command.args(["--state-interval", "5"]);
        }
        if quiet {
            command.stdout(Stdio::null());
        }
        let process = ManagedChild::spawn("anvil", command)?;
        let mut anvil = Self {
            process,
            rpc_url: format!("http://127.0.0.1:{port}"),
        };
        anvil.wait_until_ready()?;
        Ok(anvil)
    }

    fn wait_until_ready(&mut self) -> Result<()> {
        let rpc = RpcClient::new(self.rpc_url.clone());
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(status) = self.process.exited() {
                bail!(
                    "anvil exited early ({status}); is port in {} free?",
                    self.rpc_url
                );
            }
            if rpc.chain_id().is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(anyhow!(
            "anvil did not answer on {} within 30 s",
            self.rpc_url
        ))
    }

    pub fn rpc(&self) -> RpcClient {
        RpcClient::new(self.rpc_url.clone())
    }

    pub fn stop(&mut self) {
        self.process.stop();
    }
}
