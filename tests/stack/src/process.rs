//! Background processes that always stop: each runs in its own process group
//! under a small watchdog shell, so the whole group (wrangler and its workerd
//! children) is ended when the handle is dropped, when the command exits, or
//! when this process dies without running any destructor (a test binary that
//! exits, a `kill -9`).

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The watchdog: runs "$@" in the background and kills its own process group
/// when either the command or the parent (`QC_PARENT_PID`) is gone.
const WATCHDOG: &str = r#"
"$@" &
child=$!
trap 'trap - TERM INT; kill -TERM -- -$$ 2>/dev/null' TERM INT
while kill -0 "$QC_PARENT_PID" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.5; done
if kill -0 "$child" 2>/dev/null; then
  trap - TERM INT
  kill -TERM -- -$$ 2>/dev/null
fi
wait "$child" 2>/dev/null; code=$?
trap - TERM INT
kill -TERM -- -$$ 2>/dev/null
exit $code
"#;

/// A command running in its own process group, with its output in a log file.
#[derive(Debug)]
pub struct ProcessGroup {
    name: String,
    child: Child,
    log: PathBuf,
}

impl ProcessGroup {
    /// Starts `program args...` in `dir`, output appended to `log`.
    pub fn spawn(
        name: &str,
        program: &Path,
        args: &[String],
        dir: &Path,
        envs: &[(String, String)],
        log: &Path,
    ) -> std::io::Result<Self> {
        // Appended: a restarted process keeps the earlier lines.
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)?;
        let err = out.try_clone()?;
        let child = Command::new("bash")
            .arg("-c")
            .arg(WATCHDOG)
            .arg(format!("qc-{name}"))
            .arg(program)
            .args(args)
            .current_dir(dir)
            .envs(envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("QC_PARENT_PID", std::process::id().to_string())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()?;
        Ok(Self {
            name: name.to_owned(),
            child,
            log: log.to_owned(),
        })
    }

    /// The process group id (the watchdog's pid).
    pub fn pgid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the command has exited (and with which status).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The last `lines` lines of the log, for error messages.
    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// The whole log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Path of the log file.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// Stops the whole group: TERM, then KILL after a grace period, and
    /// returns once no process of the group is left. (wrangler can exit
    /// before its workerd, which holds the port: a relaunch on the same port
    /// would find it taken.)
    pub fn stop(&mut self) {
        let pgid = self.pgid();
        if self.exited().is_none() {
            signal_group(pgid, "TERM");
            let deadline = Instant::now() + Duration::from_secs(5);
            while self.exited().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if self.exited().is_none() {
                eprintln!("[stack] {} did not stop on TERM; killing it", self.name);
                signal_group(pgid, "KILL");
                let _ = self.child.wait();
            }
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while group_alive(pgid) {
            if Instant::now() >= deadline {
                signal_group(pgid, "KILL");
                std::thread::sleep(Duration::from_millis(200));
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Whether any process of group `pgid` is still there (`kill -0`).
fn group_alive(pgid: u32) -> bool {
    Command::new("kill")
        .arg("-0")
        .arg("--")
        .arg(format!("-{pgid}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn signal_group(pgid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pgid}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
