//! The storage service over real HTTP for the integration tests, shared by
//! every test file that starts one.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::Duration;

use minty_devstack::storage::{self, StorageConfig};

/// The service on an ephemeral port, served by a runtime of its own.
/// Dropping it shuts the runtime down, which drops the server task, its
/// connections and its listener, so no test leaves a server behind.
pub struct StorageServer {
    pub address: SocketAddr,
    runtime: Option<tokio::runtime::Runtime>,
}

impl StorageServer {
    /// `test_switches` turns on the `POST /__test/*` switches, as the
    /// end-to-end tests run it.
    pub fn start_with(data_dir: &Path, required_token: Option<&str>, test_switches: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
        let address = listener.local_addr().expect("the listener has an address");
        listener
            .set_nonblocking(true)
            .expect("tokio needs a non-blocking listener");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let listener = {
            let _context = runtime.enter();
            tokio::net::TcpListener::from_std(listener).expect("tokio adopts the listener")
        };
        let config = StorageConfig {
            data_dir: data_dir.to_owned(),
            required_token: required_token.map(str::to_owned),
            test_switches,
        };
        runtime.spawn(async move {
            if let Err(error) = storage::serve(listener, config).await {
                // The listener is gone with the task; requests will say so,
                // and this says why.
                eprintln!("the storage service stopped: {error}");
            }
        });
        Self {
            address,
            runtime: Some(runtime),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

impl Drop for StorageServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(5));
        }
    }
}

pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build()
}

/// The response whatever its status; ureq reports 4xx/5xx as errors.
pub fn answer(result: Result<ureq::Response, ureq::Error>) -> ureq::Response {
    match result {
        Ok(response) | Err(ureq::Error::Status(_, response)) => response,
        Err(error) => panic!("the storage service did not answer: {error}"),
    }
}
