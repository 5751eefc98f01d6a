//! Child processes the stack starts, each in its own process group so that
//! stopping one also stops whatever it started (trunk runs cargo, npm shims
//! run binaries), and nothing outlives the stack.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

pub struct ManagedChild {
    name: &'static str,
    child: Child,
}

impl ManagedChild {
    pub fn spawn(name: &'static str, mut command: Command) -> std::io::Result<Self> {
        command.process_group(0);
        let child = command
            .spawn()
            .map_err(|e| std::io::Error::new(e.kind(), format!("cannot start {name}: {e}")))?;
        Ok(Self { name, child })
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// `Some(status)` once the process has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// SIGTERM to the whole group, then SIGKILL if it lingers.
    pub fn stop(&mut self) {
        if self.exited().is_some() {
            return;
        }
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(8);
        while Instant::now() < deadline {
            if self.exited().is_some() {
                // Reap anything else still in the group.
                let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

impl Drop for ManagedChild {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The repository's root, where package.json and node_modules live.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the devstack crate lives inside the repository")
}

/// An npm-installed tool from the repository's node_modules/.bin.
pub fn npm_tool(name: &str) -> PathBuf {
    repo_root().join("node_modules/.bin").join(name)
}
