//! Isolation of request handlers: a panic inside one becomes an error answer for that
//! request (and a log line), and the server keeps serving.

use tower_lsp_server::jsonrpc;

pub fn guard<T>(what: &str, f: impl FnOnce() -> T) -> Result<T, jsonrpc::Error> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        tracing::error!("internal error in {what}: {msg}");
        jsonrpc::Error {
            code: jsonrpc::ErrorCode::InternalError,
            message: format!("layerwise: internal error in {what}: {msg}").into(),
            data: None,
        }
    })
}
