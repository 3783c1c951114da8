//! Requests the server sends the client, without ever waiting on it and with at most a few
//! of each kind out.
//!
//! A client answers a request whenever it likes, or never. Awaited inside a handler with no
//! time limit, each unanswered request held one of the framework's few concurrent handler
//! slots for good, and after a few the server answered nothing at all (F11). So requests run
//! in their own task and give up waiting after [`client_timeout`].
//!
//! Giving up is not enough: `tower-lsp-server` forgets a request it sent only when the answer
//! comes, so every request a client never answers stays in its table of pending requests, and
//! a client that never answers and sends many `didChangeConfiguration` grew that table without
//! bound (F18). So requests of one kind go through a [`OneAtATime`] gate: one waits at a time;
//! asked again meanwhile, the gate sends one more when the current one ends (answered or
//! timed out), so the latest ask still counts; and once [`MAX_UNANSWERED`] requests of the
//! kind are out and never answered, it sends no more until one is answered. A request that
//! timed out is still awaited in its task, so a late answer frees its place.

use std::future::Future;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tower_lsp_server::Client;

use crate::server::Backend;
use crate::types::request::WorkDoneProgressCreate;
use crate::types::{
    ApplyWorkspaceEditResponse, ProgressToken, WorkDoneProgressCreateParams, WorkspaceEdit,
};

/// How long a request to the client (a settings pull, a refresh, a progress token, an edit) waits for its answer:
/// 5 s, or `LAYERWISE_CLIENT_TIMEOUT_MS` (the end-to-end tests shorten it to see a timeout
/// quickly, and lengthen it where an answer must not time out on a slow machine).
pub fn client_timeout() -> Duration {
    static TIMEOUT: OnceLock<Duration> = OnceLock::new();
    *TIMEOUT.get_or_init(|| {
        let ms = std::env::var("LAYERWISE_CLIENT_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(5_000);
        Duration::from_millis(ms.clamp(1, 3_600_000))
    })
}

/// Requests of one kind out and never answered after which no more are sent until one is
/// answered. More than one, so that a client that lost a request (or answers only later
/// ones) still gets the next; small, because each holds a task and an entry in the
/// framework's table until answered.
pub const MAX_UNANSWERED: usize = 3;

/// Keeps the requests of one kind to the client to one waiting at a time (see the module
/// documentation).
#[derive(Debug, Default)]
pub struct OneAtATime {
    state: Mutex<Gate>,
}

#[derive(Debug, Default)]
struct Gate {
    /// A request is out and its time limit has not passed yet.
    waiting: bool,
    /// Requests out and not answered yet, timed out or not.
    unanswered: usize,
    /// Asked for while one was waiting (or while too many were unanswered): send one more
    /// when that ends.
    again: bool,
    /// Whether the "too many unanswered" notice was logged since the last answer.
    told_full: bool,
}

impl OneAtATime {
    fn gate(&self) -> std::sync::MutexGuard<'_, Gate> {
        // the state is a counter and three flags, consistent after every step: a panic while
        // holding the lock leaves nothing half-done
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a request may be sent now. If not, one more is sent when the current one
    /// ends.
    fn start(&self, method: &str) -> bool {
        let mut g = self.gate();
        if g.waiting || g.unanswered >= MAX_UNANSWERED {
            g.again = true;
            g.tell_if_full(method);
            return false;
        }
        g.waiting = true;
        g.unanswered += 1;
        true
    }

    /// Whether a request may be sent now, for requests that are not worth repeating (a
    /// progress token: the job goes on without progress): no "one more" is remembered.
    fn try_start(&self) -> bool {
        let mut g = self.gate();
        if g.waiting || g.unanswered >= MAX_UNANSWERED {
            return false;
        }
        g.waiting = true;
        g.unanswered += 1;
        true
    }

    /// The current request stopped waiting (`window_closed`: answered in time or timed out)
    /// and/or was answered. Whether to send one more now (counted as started).
    fn ended(&self, method: &str, window_closed: bool, answered: bool) -> bool {
        let mut g = self.gate();
        if window_closed {
            g.waiting = false;
        }
        if answered {
            g.unanswered = g.unanswered.saturating_sub(1);
            g.told_full = false;
        }
        if g.again && !g.waiting && g.unanswered < MAX_UNANSWERED {
            g.again = false;
            g.waiting = true;
            g.unanswered += 1;
            return true;
        }
        if g.again {
            g.tell_if_full(method);
        }
        false
    }
}

impl OneAtATime {
    /// A request's task stopped before its answer was handled: its place is free again, and
    /// a request asked for meanwhile goes out on the next `start` (nothing can be sent from
    /// here, so the "one more" is not taken now, which would leave the gate waiting on a
    /// request never sent).
    fn abandoned(&self, window_open: bool) {
        let mut g = self.gate();
        if window_open {
            g.waiting = false;
        }
        g.unanswered = g.unanswered.saturating_sub(1);
        g.again = false;
        g.told_full = false;
    }
}

impl Gate {
    /// Logs once (until an answer comes) that requests are held back.
    fn tell_if_full(&mut self, method: &str) {
        if !self.waiting && self.unanswered >= MAX_UNANSWERED && !self.told_full {
            self.told_full = true;
            tracing::warn!(
                "{method}: {} requests never answered; no more until one is",
                self.unanswered
            );
        }
    }
}

/// Sends a request through `gate` in the background: `send()` makes it (the request and what
/// to do with its answer). `method` and `meanwhile` are for the log when the time limit
/// passes.
pub(crate) fn request<F, Fut>(
    gate: &Arc<OneAtATime>,
    method: &'static str,
    meanwhile: &'static str,
    send: F,
) where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    if gate.start(method) {
        launch(gate.clone(), method, meanwhile, Arc::new(send));
    }
}

fn launch<F, Fut>(
    gate: Arc<OneAtATime>,
    method: &'static str,
    meanwhile: &'static str,
    send: Arc<F>,
) where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    tokio::spawn(async move {
        let mut unfinished = Unfinished {
            gate: Some(gate.clone()),
            method,
            window_open: true,
        };
        let mut answer = std::pin::pin!(send());
        let in_time = tokio::time::timeout(client_timeout(), answer.as_mut())
            .await
            .is_ok();
        if !in_time {
            tracing::warn!(
                "no answer to {method} within {} ms; {meanwhile}",
                client_timeout().as_millis()
            );
            unfinished.window_open = false;
            if gate.ended(method, true, false) {
                launch(gate.clone(), method, meanwhile, send.clone());
            }
            // still awaited: the answer, if it ever comes, frees this request's place
            answer.await;
        }
        unfinished.gate = None;
        if gate.ended(method, in_time, true) {
            launch(gate, method, meanwhile, send);
        }
    });
}

/// Ends a request in its gate when its task stops before the answer was handled (a panic
/// while handling it, or the runtime shutting down): otherwise the gate would stay closed to
/// that kind of request for good.
struct Unfinished {
    gate: Option<Arc<OneAtATime>>,
    method: &'static str,
    window_open: bool,
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        if let Some(gate) = self.gate.take() {
            tracing::warn!(
                "{}: the request's task stopped before its answer was handled",
                self.method
            );
            gate.abandoned(self.window_open);
        }
    }
}

/// The gates of the requests the server sends the client, one per kind (settings pulls have
/// theirs in [`crate::settings_pull::SettingsPulls`]).
#[derive(Debug, Default)]
pub struct ClientRequests {
    pub(crate) inlay_hint_refresh: Arc<OneAtATime>,
    pub(crate) code_lens_refresh: Arc<OneAtATime>,
    pub(crate) semantic_tokens_refresh: Arc<OneAtATime>,
    pub(crate) diagnostic_refresh: Arc<OneAtATime>,
    progress_create: Arc<OneAtATime>,
    apply_edit: Arc<OneAtATime>,
}

/// Asks the client to refresh one kind of view (`ask` sends the request) through `gate`:
/// one request out at a time.
pub(crate) fn refresh<A, Fut>(
    backend: &Backend,
    gate: &Arc<OneAtATime>,
    method: &'static str,
    ask: A,
) where
    A: Fn(Client) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    if backend.state.is_shutting_down() {
        return;
    }
    let client = backend.client.clone();
    let state = backend.state.clone();
    let meanwhile = "the client's view may be stale until it asks again";
    request(gate, method, meanwhile, move || {
        // a "one more" sent later must not reach a client that asked us to shut down: it
        // would ask for the view again, get Invalid Request, and write into a closed pipe
        let ask_now = (!state.is_shutting_down()).then(|| ask(client.clone()));
        async move {
            if let Some(asked) = ask_now {
                asked.await;
            }
        }
    });
}

/// Asks the client to re-request its pulled diagnostics (`workspace/diagnostic/refresh`),
/// one request out at a time.
pub fn refresh_diagnostics(backend: &Backend) {
    let gate = &backend.client_requests.diagnostic_refresh;
    refresh(
        backend,
        gate,
        "workspace/diagnostic/refresh",
        |c| async move {
            let _ = c.workspace_diagnostic_refresh().await;
        },
    );
}

/// Asks the client to create the progress token of a background job
/// (`window/workDoneProgress/create`): whether it agreed within [`client_timeout`]. False at
/// once while another such request waits or too many were never answered: the job (a
/// context walk) never waits on the client longer than the time limit, and goes on without
/// progress.
pub(crate) async fn create_progress(backend: &Backend, token: ProgressToken) -> bool {
    const METHOD: &str = "window/workDoneProgress/create";
    let gate = backend.client_requests.progress_create.clone();
    if backend.state.is_shutting_down() || !gate.try_start() {
        return false;
    }
    let client = backend.client.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let params = WorkDoneProgressCreateParams { token };
        let mut answer = std::pin::pin!(client.send_request::<WorkDoneProgressCreate>(params));
        match tokio::time::timeout(client_timeout(), answer.as_mut()).await {
            Ok(r) => {
                let _ = tx.send(r.is_ok());
                gate.ended(METHOD, true, true);
            }
            Err(_) => {
                tracing::warn!(
                    "no answer to {METHOD} within {} ms; going on without progress",
                    client_timeout().as_millis()
                );
                gate.ended(METHOD, true, false);
                let _ = tx.send(false);
                // still awaited: the answer, if it ever comes, frees this request's place
                let _ = answer.await;
                gate.ended(METHOD, false, true);
            }
        }
    });
    rx.await.unwrap_or(false)
}

/// How the client answered a `workspace/applyEdit`.
#[derive(Debug)]
pub(crate) enum EditAnswer {
    /// Within the time limit.
    Answered(tower_lsp_server::jsonrpc::Result<ApplyWorkspaceEditResponse>),
    /// Not within [`client_timeout`]: it may still apply the edit later. The request is still
    /// awaited in its task, so a late answer frees its place and is logged.
    NotYet,
    /// Not sent: another edit is waiting for the client, or too many were never answered.
    Busy,
}

/// Asks the client to apply `edit`, one edit waiting at a time: a command that waited for the
/// answer without a limit held one of the framework's few request slots for good (F21).
pub(crate) async fn apply_edit(backend: &Backend, edit: WorkspaceEdit) -> EditAnswer {
    const METHOD: &str = "workspace/applyEdit";
    let gate = backend.client_requests.apply_edit.clone();
    if !gate.try_start() {
        return EditAnswer::Busy;
    }
    let client = backend.client.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let mut unfinished = Unfinished {
            gate: Some(gate.clone()),
            method: METHOD,
            window_open: true,
        };
        let mut answer = std::pin::pin!(client.apply_edit(edit));
        if let Ok(r) = tokio::time::timeout(client_timeout(), answer.as_mut()).await {
            unfinished.gate = None;
            gate.ended(METHOD, true, true);
            let _ = tx.send(Some(r));
            return;
        }
        // the place is freed before the command answers, so a command the client sends
        // right after that answer finds it free (the test saw "busy" under load)
        unfinished.window_open = false;
        gate.ended(METHOD, true, false);
        let _ = tx.send(None);
        let late = answer.await;
        unfinished.gate = None;
        gate.ended(METHOD, false, true);
        let what = match late {
            Ok(r) if r.applied => "applied the edit",
            Ok(_) => "did not apply the edit",
            Err(_) => "answered with an error",
        };
        tracing::info!("late answer to {METHOD}: the editor {what}");
    });
    match rx.await {
        Ok(Some(r)) => EditAnswer::Answered(r),
        // no answer in time, or the task stopped (its gate is reopened by `Unfinished`)
        Ok(None) | Err(_) => EditAnswer::NotYet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_waits_and_one_more_follows_however_many_were_asked() {
        let g = OneAtATime::default();
        assert!(g.start("m"));
        for _ in 0..200 {
            assert!(!g.start("m"));
        }
        // answered in time: exactly one more
        assert!(g.ended("m", true, true));
        assert!(!g.ended("m", true, true), "nothing asked since");
        assert!(g.start("m"));
    }

    #[tokio::test]
    async fn a_request_whose_answer_panics_reopens_its_gate() {
        let gate = Arc::new(OneAtATime::default());
        request(&gate, "m", "", || async { panic!("handling the answer") });
        // asked again while it is out: "one more" is remembered
        assert!(!gate.start("m"));
        // the task panics; its gate must let the next request out
        for _ in 0..200 {
            tokio::task::yield_now().await;
            if !gate.gate().waiting {
                break;
            }
        }
        assert!(gate.start("m"), "the gate stayed closed after a panic");
    }

    #[test]
    fn never_answered_requests_are_bounded() {
        let g = OneAtATime::default();
        let mut sent = 1;
        assert!(g.start("m"));
        // a client that never answers, asked again and again: each time limit lets one more
        // out, until MAX_UNANSWERED are out
        for _ in 0..100 {
            let _ = g.start("m");
            if g.ended("m", true, false) {
                sent += 1;
            }
        }
        assert_eq!(sent, MAX_UNANSWERED);
        assert!(!g.start("m"));
        // a late answer frees a place: the change asked for meanwhile goes out
        assert!(g.ended("m", false, true));
        assert!(!g.start("m"));
    }
}
