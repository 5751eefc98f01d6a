//! minty-devstack: `up` runs the whole local stack; `storage` and `deploy`
//! run one part of it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use minty_devstack::anvil::dev_account;
use minty_devstack::deploy::deploy_minty;
use minty_devstack::rpc::RpcClient;
use minty_devstack::stack::{self, StackOptions, DEFAULT_NAME, DEFAULT_SYMBOL};
use minty_devstack::storage::{self, StorageConfig};

/// Minty's local stack: anvil with Minty deployed, a local storage service
/// and IPFS gateway, and trunk serve.
#[derive(Debug, Parser)]
#[command(name = "minty-devstack", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the whole stack until Ctrl-C: anvil, Minty, the storage service
    /// and gateway, and trunk serve.
    Up(UpArgs),
    /// Runs the storage service and gateway alone.
    Storage(StorageArgs),
    /// Deploys Minty through a node's JSON-RPC and prints its address.
    Deploy(DeployArgs),
}

#[derive(Debug, Args)]
struct UpArgs {
    /// anvil's port.
    #[arg(long, value_name = "PORT", default_value_t = 8545)]
    anvil_port: u16,
    /// The storage service and gateway's port.
    #[arg(long, value_name = "PORT", default_value_t = 8787)]
    storage_port: u16,
    /// trunk serve's port.
    #[arg(long, value_name = "PORT", default_value_t = 8080)]
    app_port: u16,
    /// Where the chain and the stored blocks are kept [default:
    /// target/devstack in the repository].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Start from an empty chain and storage.
    #[arg(long)]
    fresh: bool,
    /// Accept only this token at the storage service.
    #[arg(long, value_name = "TOKEN")]
    storage_token: Option<String>,
    /// Let tests flip the storage service's misbehaviour switches.
    #[arg(long)]
    storage_test_switches: bool,
    /// Leave out trunk serve (the services alone).
    #[arg(long)]
    no_app: bool,
    /// Serve the optimised build of the app.
    #[arg(long)]
    release: bool,
}

#[derive(Debug, Args)]
struct StorageArgs {
    /// The port to listen on.
    #[arg(long, value_name = "PORT", default_value_t = 8787)]
    port: u16,
    /// Where the blocks are kept [default: target/devstack/storage in the
    /// repository].
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Accept only this token.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
}

#[derive(Debug, Args)]
struct DeployArgs {
    /// The node's JSON-RPC URL.
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:8545")]
    rpc: String,
    /// The collection's name.
    #[arg(long, default_value = DEFAULT_NAME)]
    name: String,
    /// The collection's symbol.
    #[arg(long, default_value = DEFAULT_SYMBOL)]
    symbol: String,
}

async fn run(command: Command) -> Result<()> {
    match command {
        Command::Up(arguments) => {
            let defaults = StackOptions::default();
            let options = StackOptions {
                anvil_port: arguments.anvil_port,
                storage_port: arguments.storage_port,
                app_port: arguments.app_port,
                data_dir: arguments.data_dir.unwrap_or(defaults.data_dir),
                fresh: arguments.fresh,
                storage_token: arguments.storage_token,
                storage_test_switches: arguments.storage_test_switches,
                serve_app: !arguments.no_app,
                release: arguments.release,
            };
            stack::run(options).await
        }
        Command::Storage(arguments) => {
            let port = arguments.port;
            let config = StorageConfig {
                data_dir: arguments
                    .data_dir
                    .unwrap_or_else(|| StackOptions::default().data_dir.join("storage")),
                required_token: arguments.token,
                test_switches: false,
            };
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .with_context(|| format!("cannot listen on 127.0.0.1:{port}"))?;
            println!(
                "minty: storage service on http://127.0.0.1:{port} (data in {})",
                config.data_dir.display()
            );
            storage::serve(listener, config)
                .await
                .context("the storage service stopped")
        }
        Command::Deploy(arguments) => {
            let rpc = RpcClient::new(arguments.rpc);
            let address = deploy_minty(&rpc, dev_account(), &arguments.name, &arguments.symbol)
                .context("deploying Minty")?;
            println!("{address:?}");
            Ok(())
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    // clap prints --help and --version to stdout (exit 0), and a usage
    // error with a hint to stderr (exit 2).
    let cli = Cli::parse();
    match run(cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("minty-devstack: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
