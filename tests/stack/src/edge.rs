//! The edge Worker under `wrangler dev` (real workerd, D1 and Durable Objects),
//! with its D1 migrations applied to a state directory of its own.

use crate::process::ProcessGroup;
use crate::{repo_root, StackError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a cold `wrangler dev` may take to answer `/health`.
const READY_TIMEOUT: Duration = Duration::from_secs(180);

/// Which build of the Worker `wrangler dev` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeBuild {
    /// Built with the integration tests' catalog and shipping rules
    /// (`tests/stack/fixtures/`) into `edge/build-test/`
    /// (`sh scripts/build-edge.sh --test`): the merchant's edits to
    /// `catalog.json` cannot break the tests.
    Test,
    /// Built with the merchant's files (the repository root's) into
    /// `edge/build/` (`sh scripts/build-edge.sh`): the demo and the
    /// browser journeys, whose shop sells from them.
    Shop,
}

impl EdgeBuild {
    /// The output folder, relative to `edge/`.
    pub fn out_dir(self) -> &'static str {
        match self {
            EdgeBuild::Test => "build-test",
            EdgeBuild::Shop => "build",
        }
    }

    fn command(self) -> &'static str {
        match self {
            EdgeBuild::Test => "sh scripts/build-edge.sh --test",
            EdgeBuild::Shop => "sh scripts/build-edge.sh",
        }
    }
}

/// Settings for one edge instance.
#[derive(Debug, Clone)]
pub struct EdgeConfig {
    /// Port on 127.0.0.1.
    pub port: u16,
    /// Where D1 and Durable Object state lives (kept across restarts of the
    /// same instance, so a restarted edge finds its ledger and tokens).
    pub state_dir: PathBuf,
    /// Plain variables (`--var`), overriding wrangler.toml's `[vars]`.
    pub vars: Vec<(String, String)>,
    /// Secrets, passed through an env file as `.dev.vars` would.
    pub secrets: Vec<(String, String)>,
    /// Another wrangler configuration than the repository's `wrangler.toml`
    /// (a test's variant of it, written in the repository root so that its
    /// relative paths still hold).
    pub wrangler_config: Option<PathBuf>,
    /// Which build runs.
    pub build: EdgeBuild,
}

/// A running edge.
#[derive(Debug)]
pub struct EdgeServer {
    config: EdgeConfig,
    process: ProcessGroup,
}

impl EdgeServer {
    /// Applies the migrations, starts `wrangler dev` and waits for `/health`.
    /// The Worker must already be built ([`EdgeBuild`]).
    pub async fn start(config: EdgeConfig) -> Result<Self, StackError> {
        let root = repo_root();
        let wrangler = root.join("node_modules/.bin/wrangler");
        if !wrangler.exists() {
            return Err(StackError::Missing(
                "node_modules/.bin/wrangler (run scripts/setup.sh)".into(),
            ));
        }
        let script = format!("edge/{}/index.js", config.build.out_dir());
        if !root.join(&script).exists() {
            return Err(StackError::Missing(format!(
                "{script} (run {})",
                config.build.command()
            )));
        }
        crate::ensure_port_free(config.port, "QC_EDGE_PORT")?;
        std::fs::create_dir_all(&config.state_dir)?;
        apply_migrations(
            &root,
            &wrangler,
            &config.state_dir,
            config.wrangler_config.as_deref(),
        )
        .await?;
        Self::launch(config).await
    }

    async fn launch(config: EdgeConfig) -> Result<Self, StackError> {
        let root = repo_root();
        let wrangler = root.join("node_modules/.bin/wrangler");
        let env_file = config.state_dir.join("secrets.env");
        let secrets: String = config
            .secrets
            .iter()
            .map(|(k, v)| format!("{k}={v}\n"))
            .collect();
        std::fs::write(&env_file, secrets)?;
        std::fs::create_dir_all(config.state_dir.join("tmp"))?;
        let mut args: Vec<String> = vec![
            "dev".into(),
            // The build's entry point, instead of wrangler.toml's `main`.
            format!("edge/{}/index.js", config.build.out_dir()),
            "--ip".into(),
            "127.0.0.1".into(),
            "--port".into(),
            config.port.to_string(),
            "--persist-to".into(),
            config.state_dir.display().to_string(),
            "--env-file".into(),
            env_file.display().to_string(),
            "--show-interactive-dev-session=false".into(),
            // `/__scheduled` runs the cron handler on demand (dev only).
            "--test-scheduled".into(),
        ];
        if let Some(path) = &config.wrangler_config {
            args.push("--config".into());
            args.push(path.display().to_string());
        }
        for (k, v) in &config.vars {
            args.push("--var".into());
            args.push(format!("{k}:{v}"));
        }
        let log = config.state_dir.join(format!("edge-{}.log", config.port));
        let process = ProcessGroup::spawn(
            "edge",
            &wrangler,
            &args,
            &root,
            &[
                // wrangler's temporary directory, where its simulated
                // send_email binding writes each e-mail (see `mail`).
                (
                    "TMPDIR".into(),
                    config.state_dir.join("tmp").display().to_string(),
                ),
                ("QC_EDGE_PREBUILT".into(), "1".into()),
                ("QC_EDGE_OUT".into(), config.build.out_dir().into()),
                ("WRANGLER_SEND_METRICS".into(), "false".into()),
                ("CLOUDFLARE_CF_FETCH_ENABLED".into(), "false".into()),
            ],
            &log,
        )?;
        let mut edge = Self { config, process };
        edge.wait_ready().await?;
        Ok(edge)
    }

    async fn wait_ready(&mut self) -> Result<(), StackError> {
        let url = format!("{}/health", self.url());
        let client = reqwest::Client::new();
        let start = Instant::now();
        loop {
            if let Some(status) = self.process.exited() {
                return Err(StackError::Exited {
                    what: "wrangler dev".into(),
                    detail: format!("{status}\n{}", self.process.log_tail(40)),
                });
            }
            if let Ok(r) = client
                .get(&url)
                .timeout(Duration::from_secs(5))
                .send()
                .await
            {
                // Any answer from the Worker means it is up; 503 just means
                // "not authorized yet" or a configuration problem it reports.
                if r.status().as_u16() == 200 || r.status().as_u16() == 503 {
                    return Ok(());
                }
            }
            if start.elapsed() > READY_TIMEOUT {
                return Err(StackError::Timeout {
                    what: "wrangler dev /health".into(),
                    detail: self.process.log_tail(40),
                });
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// The edge's base URL, e.g. `http://127.0.0.1:8787`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.config.port)
    }

    /// The log file of wrangler and the Worker.
    pub fn log_path(&self) -> PathBuf {
        self.process.log_path().to_path_buf()
    }

    /// Where wrangler's simulated send_email binding writes the e-mails of
    /// this run: `<this>/miniflare-*/files/email-html/*.html` (and
    /// `email-text/*.txt`); each is also named in the log.
    pub fn email_dir(&self) -> PathBuf {
        self.config.state_dir.join("tmp")
    }

    /// Everything wrangler and the Worker logged so far.
    pub fn log(&self) -> String {
        self.process.log()
    }

    /// Stops the edge (the state directory is kept).
    pub fn stop(&mut self) {
        self.process.stop();
    }

    /// Starts it again (after [`EdgeServer::stop`]) on the same port and
    /// state, and waits for `/health`.
    pub async fn relaunch(&mut self) -> Result<(), StackError> {
        self.process.stop();
        *self = Self::launch(self.config.clone()).await?;
        Ok(())
    }

    /// Stops it and starts it again on the same port and state.
    pub async fn restart(self) -> Result<Self, StackError> {
        let config = self.config.clone();
        drop(self);
        Self::launch(config).await
    }

    /// The settings it runs with.
    pub fn config(&self) -> &EdgeConfig {
        &self.config
    }
}

async fn apply_migrations(
    root: &Path,
    wrangler: &Path,
    state: &Path,
    wrangler_config: Option<&Path>,
) -> Result<(), StackError> {
    let mut command = tokio::process::Command::new(wrangler);
    command
        .args([
            "d1",
            "migrations",
            "apply",
            "qonto-checkout",
            "--local",
            "--persist-to",
        ])
        .arg(state);
    if let Some(path) = wrangler_config {
        command.arg("--config").arg(path);
    }
    let out = command
        .current_dir(root)
        .env("WRANGLER_SEND_METRICS", "false")
        .env("CLOUDFLARE_CF_FETCH_ENABLED", "false")
        .stdin(std::process::Stdio::null())
        .output()
        .await?;
    if !out.status.success() {
        return Err(StackError::Exited {
            what: "wrangler d1 migrations apply".into(),
            detail: format!(
                "{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        });
    }
    Ok(())
}
