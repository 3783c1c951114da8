//! The `LanguageServer` implementation: lifecycle, document sync, settings, and one line per
//! request that hands it to its module in `handlers/`. Every handler runs inside
//! [`guard`](crate::guard::guard), so a bug in one feature answers with an error instead of
//! taking the server down.

use std::path::PathBuf;
use std::sync::Arc;

use layerwise_ide::Analysis;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::{Client, LanguageServer};

use crate::document::{Document, MAX_DOCUMENT_BYTES};
use crate::guard::guard;
use crate::handlers;
use crate::position::Encoding;
use crate::settings::Settings;
use crate::state::{registry_for, ClientCaps, State};
use crate::types::*;

/// From this size on, memory freed by earlier answers and analyses is handed back before each
/// request and after each publication ([`crate::release_freed_memory`]); below it the heaps
/// are small and the call not worth it.
pub(crate) const BIG_DOCUMENT: usize = 1 << 20;

#[derive(Clone)]
pub struct Backend {
    pub client: Client,
    pub state: Arc<State>,
    /// Orders settings pulls so an old answer never overwrites a newer one.
    pub settings_pulls: Arc<crate::settings_pull::SettingsPulls>,
    pub client_requests: Arc<crate::client_requests::ClientRequests>,
}

pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = s.strip_prefix("file://")?;
    let decoded = percent_decode(rest);
    // file:///C:/x on Windows: drop the slash before the drive letter
    let b = decoded.as_bytes();
    if b.len() > 2 && b[0] == b'/' && b[1].is_ascii_alphabetic() && b[2] == b':' {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Backend {
    pub fn new(client: Client) -> Self {
        Self {
            client,
            state: Arc::new(State::new()),
            settings_pulls: Arc::default(),
            client_requests: Arc::default(),
        }
    }

    /// The analysis of the current version, starting a background walk of the build context
    /// the first time a folder is seen.
    pub fn analysis(&self, uri: &Uri) -> Option<Arc<Analysis>> {
        let mut to_walk = Vec::new();
        let a = self.state.analysis(uri, &mut |dir| to_walk.push(dir));
        for dir in to_walk {
            handlers::context::start_walk(self, dir);
        }
        if let Some(a) = &a {
            handlers::images::fetch_missing(self, a);
        }
        a
    }

    /// Runs `f` with the document's analysis, rope and the encoding, isolated from panics.
    pub fn with_doc<T>(
        &self,
        what: &str,
        uri: &Uri,
        f: impl FnOnce(&Analysis, &ropey::Rope, Encoding) -> Option<T>,
    ) -> Result<Option<T>> {
        let Some(analysis) = self.analysis(uri) else {
            return Ok(None);
        };
        if analysis.text.len() >= BIG_DOCUMENT {
            crate::release_freed_memory();
        }
        let rope = match self.state.docs.lock() {
            Ok(d) => match d.get(uri) {
                // Answer from the analysis's own text so offsets and positions agree even if a
                // newer change arrived meanwhile.
                Some(doc)
                    if doc
                        .analysis
                        .as_ref()
                        .is_some_and(|(v, _)| *v == doc.version) =>
                {
                    doc.rope.clone()
                }
                _ => ropey::Rope::from_str(&analysis.text),
            },
            Err(_) => return Ok(None),
        };
        let enc = self.state.caps().encoding;
        guard(what, || f(&analysis, &rope, enc))
    }

    /// Asks the client for settings in the background (never awaited: the client may not
    /// answer; see `settings_pull`).
    fn pull_settings(&self) {
        crate::settings_pull::spawn_pull(self);
    }

    pub(crate) async fn apply_settings(&self, value: &serde_json::Value) {
        let (settings, problem) = Settings::from_value(value);
        if let Some(p) = problem {
            self.client.log_message(MessageType::WARNING, p).await;
        }
        let current = self.state.settings();
        if current == settings {
            // The usual answer to the first `workspace/configuration`: nothing to redo (a
            // re-analysis of every open file would compete with the first diagnostics).
            return;
        }
        let registry_changed = current.registry != settings.registry;
        if let Ok(mut s) = self.state.settings.write() {
            *s = settings.clone();
        }
        if registry_changed {
            let (registry, problem) = registry_for(&settings);
            if let Ok(mut r) = self.state.registry.write() {
                *r = registry;
            }
            if let Some(p) = problem {
                self.client.show_message(MessageType::WARNING, p).await;
            }
        }
        self.state.invalidate_analyses();
        crate::diagnostics::refresh_all(self);
        handlers::refresh_views(self);
    }
}

fn client_caps(params: &InitializeParams) -> ClientCaps {
    let c = &params.capabilities;
    let td = c.text_document.as_ref();
    let ws = c.workspace.as_ref();
    let offered = c
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_deref());
    ClientCaps {
        encoding: Encoding::negotiate(offered),
        // Pull only when we can also tell the client to pull again after facts or settings
        // change; otherwise push (Neovim 0.11 pulls but never re-pulls on its own).
        pull_diagnostics: td.and_then(|t| t.diagnostic.as_ref()).is_some()
            && ws
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
        configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
        inlay_hint_refresh: ws
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|i| i.refresh_support)
            .unwrap_or(false),
        code_lens_refresh: ws
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|i| i.refresh_support)
            .unwrap_or(false),
        semantic_tokens_refresh: ws
            .and_then(|w| w.semantic_tokens.as_ref())
            .and_then(|i| i.refresh_support)
            .unwrap_or(false),
        diagnostic_refresh: ws
            .and_then(|w| w.diagnostics.as_ref())
            .and_then(|i| i.refresh_support)
            .unwrap_or(false),
        work_done_progress: c
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
        snippets: td
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false),
        dynamic_watchers: ws
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false),
        apply_edit: ws.and_then(|w| w.apply_edit).unwrap_or(false),
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = client_caps(&params);
        handlers::code_actions::remember_client(&params.capabilities);
        handlers::inlay_hints::remember_client(&params.capabilities);
        if let Some(opts) = &params.initialization_options {
            let (settings, problem) = Settings::from_value(opts);
            if let Some(p) = problem {
                tracing::warn!("{p}");
            }
            let (registry, problem) = registry_for(&settings);
            if let Ok(mut r) = self.state.registry.write() {
                *r = registry;
            }
            if let Some(p) = problem {
                // window/showMessage may be sent before the initialize answer
                self.client.show_message(MessageType::WARNING, p).await;
            }
            if let Ok(mut s) = self.state.settings.write() {
                *s = settings;
            }
        }
        let folders: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| uri_to_path(&f.uri))
            .collect();
        if let Ok(mut w) = self.state.workspace_folders.write() {
            *w = folders;
        }
        let mut capabilities = ServerCapabilities {
            position_encoding: Some(caps.encoding.kind()),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                },
            )),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..Default::default()
        };
        if caps.pull_diagnostics {
            capabilities.diagnostic_provider =
                Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some("layerwise".into()),
                    inter_file_dependencies: false,
                    workspace_diagnostics: false,
                    work_done_progress_options: Default::default(),
                }));
        }
        handlers::capabilities(&mut capabilities);
        if let Ok(mut c) = self.state.caps.write() {
            *c = caps;
        }
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "layerwise".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        tracing::info!("initialized; encoding {:?}", self.state.caps().encoding);
        self.pull_settings();
        // registration is a request to the client too: never wait on it here
        let b = self.clone();
        tokio::spawn(async move {
            let wait = crate::client_requests::client_timeout();
            if tokio::time::timeout(wait, handlers::watch::register(&b))
                .await
                .is_err()
            {
                tracing::warn!("no answer to client/registerCapability; files are not watched");
            }
        });
    }

    async fn shutdown(&self) -> Result<()> {
        self.state
            .shutting_down
            .store(true, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        if doc.text.len() > MAX_DOCUMENT_BYTES {
            self.client
                .show_message(
                    MessageType::WARNING,
                    format!(
                        "layerwise: {} is larger than {} MB; not analysed",
                        doc.uri.as_str(),
                        MAX_DOCUMENT_BYTES >> 20
                    ),
                )
                .await;
            return;
        }
        let version = doc.version;
        let path = uri_to_path(&doc.uri);
        let started = std::time::Instant::now();
        let d = Document::new(&doc.text, version, doc.language_id, path);
        tracing::debug!(
            "opened {} v{version}: {} bytes parsed in {:.2?}",
            doc.uri.as_str(),
            doc.text.len(),
            started.elapsed()
        );
        if let Ok(mut docs) = self.state.docs.lock() {
            docs.insert(doc.uri.clone(), d);
        }
        crate::diagnostics::schedule(self, doc.uri, version, true);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let enc = self.state.caps().encoding;
        let known = {
            let Ok(mut docs) = self.state.docs.lock() else {
                return;
            };
            match docs.get_mut(&uri) {
                Some(doc) => {
                    let result = guard("didChange", || {
                        doc.apply_changes(&params.content_changes, version, enc)
                    });
                    if result.is_err() {
                        // keep going with a full re-read of the rope, which is always valid
                        let text = doc.rope.to_string();
                        doc.tree = layerwise_syntax::Dockerfile::parse(&text);
                        doc.version = version;
                        doc.analysis = None;
                    }
                    if doc.len() > MAX_DOCUMENT_BYTES {
                        docs.remove(&uri);
                        false
                    } else {
                        true
                    }
                }
                None => false,
            }
        };
        if known {
            crate::diagnostics::schedule(self, uri, version, false);
        } else {
            tracing::warn!(
                "didChange for a document that is not open: {}",
                uri.as_str()
            );
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        // a saved file may change what the build context holds
        if let Some(dir) =
            uri_to_path(&params.text_document.uri).and_then(|p| p.parent().map(|p| p.to_path_buf()))
        {
            handlers::context::forget(self, &dir);
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        if let Ok(mut docs) = self.state.docs.lock() {
            docs.remove(&params.text_document.uri);
        }
        if !self.state.caps().pull_diagnostics {
            self.client
                .publish_diagnostics(params.text_document.uri, Vec::new(), None)
                .await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let pulls = self.state.caps().configuration;
        // Pushed settings count too, from a client that is also pulled from only when they
        // name our section (some push every setting they have). They go first: the pull
        // below gets a newer ticket, so its answer wins when it comes; a client that never
        // answers pulls keeps what it pushed.
        let ours = !pulls || params.settings.get("layerwise").is_some();
        if ours && !params.settings.is_null() {
            crate::settings_pull::push(self, &params.settings).await;
        }
        if pulls {
            self.pull_settings();
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        handlers::watch::changed(self, params);
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        if let Ok(mut w) = self.state.workspace_folders.write() {
            w.retain(|p| {
                !params
                    .event
                    .removed
                    .iter()
                    .filter_map(|f| uri_to_path(&f.uri))
                    .any(|r| &r == p)
            });
            w.extend(
                params
                    .event
                    .added
                    .iter()
                    .filter_map(|f| uri_to_path(&f.uri)),
            );
        }
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let b = self.clone();
        let u = uri.clone();
        let computed = tokio::task::spawn_blocking(move || {
            guard("diagnostic", || crate::diagnostics::compute(&b, &u))
        })
        .await
        .map_err(|e| tower_lsp_server::jsonrpc::Error {
            message: e.to_string().into(),
            ..tower_lsp_server::jsonrpc::Error::internal_error()
        })??;
        let (version, items) = computed.unwrap_or((0, Vec::new()));
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: Some(version.to_string()),
                    items,
                },
            }),
        ))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        handlers::hover::handle(self, params)
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        handlers::completion::handle(self, params)
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        handlers::inlay_hints::handle(self, params)
    }

    async fn inlay_hint_resolve(&self, params: InlayHint) -> Result<InlayHint> {
        handlers::inlay_hints::resolve(self, params)
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        handlers::code_lens::handle(self, params)
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        handlers::code_actions::handle(self, params).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        handlers::commands::execute(self, params).await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        handlers::navigation::definition(self, params)
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        handlers::navigation::references(self, params)
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        handlers::navigation::highlight(self, params)
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        handlers::navigation::prepare_rename(self, params)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        handlers::navigation::rename(self, params)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        handlers::outline::document_symbols(self, params)
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        handlers::outline::workspace_symbols(self, params)
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        handlers::folding::handle(self, params)
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        handlers::selection_ranges::handle(self, params)
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        handlers::semantic_tokens::full(self, params)
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        handlers::semantic_tokens::full_delta(self, params)
    }

    async fn semantic_tokens_range(
        &self,
        params: SemanticTokensRangeParams,
    ) -> Result<Option<SemanticTokensRangeResult>> {
        handlers::semantic_tokens::range(self, params)
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        handlers::formatting::document(self, params)
    }

    async fn range_formatting(
        &self,
        params: DocumentRangeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        handlers::formatting::range(self, params)
    }

    async fn on_type_formatting(
        &self,
        params: DocumentOnTypeFormattingParams,
    ) -> Result<Option<Vec<TextEdit>>> {
        handlers::formatting::on_type(self, params)
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        handlers::document_links::handle(self, params)
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        handlers::signature_help::handle(self, params)
    }
}

/// Parameters of the `layerwise/syntaxTree` request.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyntaxTreeParams {
    pub text_document: TextDocumentIdentifier,
}

impl Backend {
    /// `layerwise/syntaxTree`: the lossless tree of a document, for bug reports.
    pub async fn syntax_tree(&self, params: SyntaxTreeParams) -> Result<serde_json::Value> {
        let text = self
            .with_doc("syntaxTree", &params.text_document.uri, |a, _, _| {
                Some(layerwise_syntax::tree_dump::tree_dump(&a.file))
            })?
            .unwrap_or_default();
        Ok(serde_json::json!({ "text": text }))
    }
}
