//! Structured logs: one JSON object per line on the Worker's console (visible
//! in `wrangler tail` and the local log), always with the request id. Tokens
//! and secrets are never passed here.

use serde_json::{Map, Value};

/// Severity of a log line.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Level {
    Info,
    Warn,
    Error,
}

/// Writes one log line: `{"level", "request_id", "msg", ...fields}`.
pub(crate) fn log(level: Level, request_id: &str, msg: &str, fields: Value) {
    let mut line = Map::new();
    line.insert(
        "level".into(),
        Value::from(match level {
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }),
    );
    line.insert("request_id".into(), Value::from(request_id));
    line.insert("msg".into(), Value::from(msg));
    if let Value::Object(extra) = fields {
        line.extend(extra);
    }
    let text = Value::Object(line).to_string();
    match level {
        Level::Info => worker::console_log!("{text}"),
        Level::Warn => worker::console_warn!("{text}"),
        Level::Error => worker::console_error!("{text}"),
    }
}

/// Info line.
pub(crate) fn info(request_id: &str, msg: &str, fields: Value) {
    log(Level::Info, request_id, msg, fields);
}

/// Warning line.
pub(crate) fn warn(request_id: &str, msg: &str, fields: Value) {
    log(Level::Warn, request_id, msg, fields);
}

/// Error line.
pub(crate) fn error(request_id: &str, msg: &str, fields: Value) {
    log(Level::Error, request_id, msg, fields);
}
