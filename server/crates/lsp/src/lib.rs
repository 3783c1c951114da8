//! The language server: protocol glue on `tower-lsp-server`. Documents (rope + incrementally
//! re-parsed tree), position encodings, settings, scheduling and debouncing, and conversion of
//! `layerwise_ide` results into LSP types. Logs go to stderr (`LAYERWISE_LOG=debug`); stdout
//! carries only the protocol.

pub mod client_requests;
pub mod diagnostics;
pub mod document;
pub mod guard;
pub mod handlers;
pub mod json_scan;
pub mod lifecycle;
pub mod message_shape;
pub mod position;
pub mod server;
pub mod settings;
pub mod settings_pull;
pub mod state;
pub mod stdin_filter;
pub mod types;

use tower_lsp_server::{LspService, Server};

/// Serves LSP on stdin/stdout until the client exits or closes stdin. After an `exit` that no
/// `shutdown` preceded, the process ends here with status 1, as the spec asks (callers that can
/// return a status themselves use [`serve_stdio`]).
pub fn run_stdio() -> std::io::Result<()> {
    let status = serve_stdio()?;
    if status != 0 {
        std::process::exit(i32::from(status));
    }
    Ok(())
}

/// Serves LSP on stdin/stdout until the client exits or closes stdin; returns the exit status
/// the spec asks for (see [`lifecycle`]).
pub fn serve_stdio() -> std::io::Result<u8> {
    limit_malloc_arenas();
    init_logging();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let lifecycle = std::sync::Arc::new(lifecycle::Lifecycle::default());
    runtime.block_on(async {
        let (service, socket) = LspService::build(server::Backend::new)
            .custom_method("layerwise/syntaxTree", server::Backend::syntax_tree)
            .custom_method(message_shape::REJECTED_METHOD, message_shape::answer)
            .finish();
        // stdin → tolerant re-framing → the protocol server (see `stdin_filter`)
        let (filtered_writer, filtered_reader) = tokio::io::duplex(1 << 20);
        let seen = lifecycle.clone();
        tokio::spawn(async move {
            stdin_filter::filter(tokio::io::stdin(), filtered_writer, &seen).await;
        });
        Server::new(filtered_reader, tokio::io::stdout(), socket)
            .serve(service)
            .await;
    });
    // don't wait for background lookups (registry, context walks) once the client is gone
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    Ok(lifecycle.exit_status())
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LAYERWISE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// glibc gives threads that allocate their own arenas (up to eight per core), and memory freed
/// in one arena is not reused by another. A server whose work hops between the runtime's
/// threads and the blocking pool then holds far more than it uses: on the 10,000-line LSP
/// benchmark peak RSS went from 42 MB to 34.5 MB with two arenas, at no cost in speed. A
/// `MALLOC_ARENA_MAX` the user set wins.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn limit_malloc_arenas() {
    if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
        return;
    }
    // SAFETY: `mallopt` only tunes the allocator; it is called before the runtime starts any
    // thread, and an unsupported option just returns 0.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

/// Hands memory that earlier answers freed back to the system (glibc keeps freed pages in
/// the middle of its heaps, so resident memory only ratchets up between requests): asked
/// before each request on a big document (`server::Backend::with_doc`), where each answer
/// frees hundreds of MB and the next one's peak starts from what was kept.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
pub(crate) fn release_freed_memory() {
    // SAFETY: `malloc_trim` only returns free pages of glibc's heaps; it takes the arena locks
    // itself and touches no memory in use.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) fn release_freed_memory() {}
