//! minty-devstack: `up` runs the whole local stack; `storage` and `deploy`
//! run one part of it.

use std::path::PathBuf;
use std::process::ExitCode;

use minty_devstack::anvil::dev_account;
use minty_devstack::deploy::deploy_minty;
use minty_devstack::rpc::RpcClient;
use minty_devstack::stack::{self, StackOptions, DEFAULT_NAME, DEFAULT_SYMBOL};
use minty_devstack::storage::{self, StorageConfig};

const USAGE: &str = "usage:
  minty-devstack up [--anvil-port 8545] [--storage-port 8787] [--app-port 8080]
                    [--data-dir DIR] [--fresh] [--storage-token TOKEN] [--no-app] [--release]
                    [--storage-test-switches]
  minty-devstack storage [--port 8787] [--data-dir DIR] [--token TOKEN]
  minty-devstack deploy [--rpc http://127.0.0.1:8545] [--name Julep] [--symbol JLP]";

struct Arguments(std::iter::Peekable<std::vec::IntoIter<String>>);

impl Arguments {
    fn value(&mut self, flag: &str) -> Result<String, String> {
        self.0
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
    }

    fn port(&mut self, flag: &str) -> Result<u16, String> {
        let text = self.value(flag)?;
        text.parse()
            .map_err(|_| format!("{flag}: \"{text}\" is not a port number"))
    }
}

async fn run(mut arguments: Arguments) -> Result<(), String> {
    match arguments.0.next().as_deref() {
        Some("up") => {
            let mut options = StackOptions::default();
            while let Some(flag) = arguments.0.next() {
                match flag.as_str() {
                    "--anvil-port" => options.anvil_port = arguments.port(&flag)?,
                    "--storage-port" => options.storage_port = arguments.port(&flag)?,
                    "--app-port" => options.app_port = arguments.port(&flag)?,
                    "--data-dir" => options.data_dir = PathBuf::from(arguments.value(&flag)?),
                    "--storage-token" => options.storage_token = Some(arguments.value(&flag)?),
                    "--fresh" => options.fresh = true,
                    "--storage-test-switches" => options.storage_test_switches = true,
                    "--no-app" => options.serve_app = false,
                    "--release" => options.release = true,
                    other => return Err(format!("unknown option {other}\n{USAGE}")),
                }
            }
            stack::run(options).await
        }
        Some("storage") => {
            let mut port = 8787;
            let mut config = StorageConfig {
                data_dir: StackOptions::default().data_dir.join("storage"),
                required_token: None,
                test_switches: false,
            };
            while let Some(flag) = arguments.0.next() {
                match flag.as_str() {
                    "--port" => port = arguments.port(&flag)?,
                    "--data-dir" => config.data_dir = PathBuf::from(arguments.value(&flag)?),
                    "--token" => config.required_token = Some(arguments.value(&flag)?),
                    other => return Err(format!("unknown option {other}\n{USAGE}")),
                }
            }
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
            println!(
                "minty: storage service on http://127.0.0.1:{port} (data in {})",
                config.data_dir.display()
            );
            storage::serve(listener, config)
                .await
                .map_err(|e| e.to_string())
        }
        Some("deploy") => {
            let (mut rpc_url, mut name, mut symbol) = (
                "http://127.0.0.1:8545".to_owned(),
                DEFAULT_NAME.to_owned(),
                DEFAULT_SYMBOL.to_owned(),
            );
            while let Some(flag) = arguments.0.next() {
                match flag.as_str() {
                    "--rpc" => rpc_url = arguments.value(&flag)?,
                    "--name" => name = arguments.value(&flag)?,
                    "--symbol" => symbol = arguments.value(&flag)?,
                    other => return Err(format!("unknown option {other}\n{USAGE}")),
                }
            }
            let rpc = RpcClient::new(rpc_url);
            let address =
                deploy_minty(&rpc, dev_account(), &name, &symbol).map_err(|e| e.to_string())?;
            println!("{address:?}");
            Ok(())
        }
        _ => Err(USAGE.to_owned()),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    match run(Arguments(arguments.into_iter().peekable())).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("minty-devstack: {message}");
            ExitCode::FAILURE
        }
    }
}
