//! `qc-stack`: runs the local stack for a person (`demo`) or for a command
//! (`run -- CMD...`). See the crate docs and the README.

use qc_stack::{EdgeBuild, QontoTarget, Stack, StackConfig, StackError};
use std::process::ExitCode;

fn port_from_env(name: &str, default: u16) -> Result<u16, String> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .map_err(|_| format!("{name}={v} is not a port number")),
        Err(_) => Ok(default),
    }
}

const USAGE: &str = "usage: qc-stack demo | qc-stack run [--no-connect] -- COMMAND [ARGS...]";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("demo") => demo().await,
        Some("run") => {
            let rest: Vec<String> = args.iter().skip(1).cloned().collect();
            let connect = !rest
                .iter()
                .take_while(|a| *a != "--")
                .any(|a| a == "--no-connect");
            let cmd: Vec<String> = match rest.iter().position(|a| a == "--") {
                Some(i) => rest[i + 1..].to_vec(),
                None => rest.into_iter().filter(|a| a != "--no-connect").collect(),
            };
            if cmd.is_empty() {
                Err(USAGE.to_owned())
            } else {
                run(cmd, connect).await
            }
        }
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("qc-stack: {msg}");
            ExitCode::FAILURE
        }
    }
}

/// The Qonto to use (`QC_QONTO`, `QC_QONTO_API_URL`, see
/// [`QontoTarget::from_env`]), and whether the stack may connect the edge by
/// itself (only the fake consents without a person).
fn qonto_target(connect: bool) -> Result<(QontoTarget, bool), String> {
    let target = QontoTarget::from_env()?;
    let auto = connect && target.is_fake();
    if let Some(label) = target.label() {
        eprintln!(
            "qc-stack: the edge talks to {label}; connect it yourself at /admin (\"Connect Qonto\")"
        );
    }
    Ok((target, auto))
}

/// The demo shop as an EU shop selling to consumers and businesses (with
/// `legal_pages`: its terms, withdrawal and privacy pages, shown at the
/// details step, where the shopper ticks the terms before Pay): business
/// buyers' company and VAT number. The demo and the end-to-end tests
/// (`run`) show them.
fn eu_shop_vars() -> Vec<(String, String)> {
    vec![("BUSINESS_BUYERS".into(), "on".into())]
}

async fn demo() -> Result<ExitCode, String> {
    let (qonto, authorize) = qonto_target(true)?;
    let qonto_label = qonto.label();
    let config = StackConfig {
        fake_port: port_from_env("QC_FAKE_QONTO_PORT", fake_qonto::DEFAULT_PORT)?,
        edge_port: port_from_env("QC_EDGE_PORT", 8787)?,
        shop_port: port_from_env("QC_SHOP_PORT", 8080)?,
        qonto,
        authorize,
        edge_build: EdgeBuild::Shop,
        legal_pages: true,
        extra_vars: eu_shop_vars(),
        ..StackConfig::default()
    };
    eprintln!("qc-stack: starting the fake Qonto, the edge (wrangler dev) and the demo shop...");
    let stack = Stack::start(config)
        .await
        .map_err(|e: StackError| e.to_string())?;
    let stock =
        qc_stack::demo_stock::seed_stock(&stack.edge.url(), qc_stack::demo_stock::DEMO_STOCK)
            .await
            .map_err(|e| e.to_string())?;
    println!();
    println!("  Demo shop (open this):  {}/", stack.shop.url());
    println!(
        "  Edge Worker:            {}  (health: {}/health)",
        stack.edge.url(),
        stack.edge.url()
    );
    match &qonto_label {
        None => println!(
            "  Fake Qonto:             {}  (control API: {}/_control)",
            stack.fake.base_url(),
            stack.fake.base_url()
        ),
        Some(label) => println!("  Qonto:                  {label} (connect at the admin page)"),
    }
    println!(
        "  Admin page:             {}/admin/  (admin token: {})",
        stack.edge.url(),
        qc_stack::LOCAL_ADMIN_TOKEN
    );
    println!("  Stock:                  {stock}  (admin page, Stock)");
    println!(
        "  Edge log:               {}",
        stack.edge.log_path().display()
    );
    println!(
        "  E-mails sent:           {}/miniflare-*/files/email-html/  (and email-text/; each one is\n                          named in the edge log, and previewed from the admin page)",
        stack.edge.email_dir().display()
    );
    println!();
    println!("Press Ctrl-C to stop everything.");
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("\nqc-stack: stopping...");
    drop(stack);
    Ok(ExitCode::SUCCESS)
}

async fn run(cmd: Vec<String>, connect: bool) -> Result<ExitCode, String> {
    let (qonto, authorize) = qonto_target(connect)?;
    let config = StackConfig {
        authorize,
        qonto,
        edge_build: EdgeBuild::Shop,
        legal_pages: true,
        extra_vars: eu_shop_vars(),
        ..StackConfig::default()
    };
    let stack = Stack::start(config).await.map_err(|e| e.to_string())?;
    let mut env = stack.env();
    let stack = std::sync::Arc::new(tokio::sync::Mutex::new(stack));
    let control = control_server(stack.clone())
        .await
        .map_err(|e| e.to_string())?;
    env.push(("QC_STACK_CONTROL_URL".into(), control));
    let mut child = tokio::process::Command::new(&cmd[0])
        .args(&cmd[1..])
        .envs(env)
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", cmd[0]))?;
    let status = tokio::select! {
        s = child.wait() => s.map_err(|e| e.to_string())?,
        _ = tokio::signal::ctrl_c() => {
            let _ = child.kill().await;
            return Ok(ExitCode::from(130));
        }
    };
    drop(stack);
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(c) => ExitCode::from(u8::try_from(c).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

/// A small HTTP server for the command under `run`, to stop and restart the
/// edge mid-test (`POST /edge/stop`, `POST /edge/start`): the "edge went
/// down" journeys use the real process, not a simulated network error.
async fn control_server(
    stack: std::sync::Arc<tokio::sync::Mutex<Stack>>,
) -> std::io::Result<String> {
    use axum::routing::post;
    let stop = {
        let stack = stack.clone();
        move || async move {
            stack.lock().await.edge.stop();
            "stopped"
        }
    };
    let start = move || async move {
        match stack.lock().await.edge.relaunch().await {
            Ok(()) => (axum::http::StatusCode::OK, "started".to_owned()),
            Err(e) => (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        }
    };
    let app = axum::Router::new()
        .route("/edge/stop", post(stop))
        .route("/edge/start", post(start));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(url)
}
