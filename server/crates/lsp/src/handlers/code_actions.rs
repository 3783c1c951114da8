//! `textDocument/codeAction` (quick fixes, refactorings, `.dockerignore` creation, fix-all)
//! and the `layerwise.split` command, which computes the split and applies it with
//! `workspace/applyEdit`.
//!
//! Edits go out as `documentChanges` (versioned, and with a `CreateFile` for
//! `.dockerignore`) when the client said it supports them, else as plain `changes`; an
//! action that creates a file is offered only to clients that can create files.

use std::collections::HashMap;
use std::sync::RwLock;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};

use layerwise_ide::code_actions::{self, ActionKind, CodeAction};
use layerwise_ide::split::{Runtime, SplitOptions};
use layerwise_ide::Analysis;
use layerwise_lint::Edit;

use crate::position::{from_lsp_range, to_lsp_range, Encoding};
use crate::server::Backend;
use crate::types::{
    ClientCapabilities, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeActionResponse, CreateFile, CreateFileOptions,
    DocumentChangeOperation, DocumentChanges, LSPAny, OneOf,
    OptionalVersionedTextDocumentIdentifier, Position, ResourceOp, ResourceOperationKind,
    ServerCapabilities, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

pub const SPLIT: &str = "layerwise.split";

/// What the client can take in a `WorkspaceEdit` (from `initialize`).
#[derive(Debug, Clone, Copy, Default)]
pub struct EditSupport {
    pub document_changes: bool,
    pub create_files: bool,
    /// The client shows disabled actions with their reason (`codeAction.disabledSupport`):
    /// the note that a selection's findings were too many to list goes out as one.
    pub disabled_actions: bool,
}

static EDIT_SUPPORT: RwLock<Option<EditSupport>> = RwLock::new(None);

/// Remembers the client's workspace-edit capabilities (called from `initialize`).
pub fn remember_client(caps: &ClientCapabilities) {
    let we = caps
        .workspace
        .as_ref()
        .and_then(|w| w.workspace_edit.as_ref());
    let support = EditSupport {
        document_changes: we.and_then(|w| w.document_changes).unwrap_or(false),
        create_files: we
            .and_then(|w| w.resource_operations.as_ref())
            .is_some_and(|ops| ops.contains(&ResourceOperationKind::Create)),
        disabled_actions: caps
            .text_document
            .as_ref()
            .and_then(|t| t.code_action.as_ref())
            .and_then(|c| c.disabled_support)
            .unwrap_or(false),
    };
    if let Ok(mut s) = EDIT_SUPPORT.write() {
        *s = Some(support);
    }
}

fn edit_support() -> EditSupport {
    EDIT_SUPPORT
        .read()
        .ok()
        .and_then(|s| *s)
        .unwrap_or_default()
}

pub fn capability(caps: &mut ServerCapabilities) {
    caps.code_action_provider = Some(CodeActionProviderCapability::Options(CodeActionOptions {
        code_action_kinds: Some(vec![
            CodeActionKind::QUICKFIX,
            CodeActionKind::REFACTOR_REWRITE,
            CodeActionKind::SOURCE,
            CodeActionKind::SOURCE_FIX_ALL,
            CodeActionKind::from(ActionKind::Source.as_str()),
            CodeActionKind::from(ActionKind::FixAll.as_str()),
        ]),
        work_done_progress_options: Default::default(),
        resolve_provider: Some(false),
    }));
}

/// Whether an action of `kind` is wanted by the client's `only` filter (a prefix match on
/// dot-separated parts: `source.fixAll` takes `source.fixAll.layerwise`).
fn wanted(only: Option<&[CodeActionKind]>, kind: ActionKind) -> bool {
    let Some(only) = only else {
        // without a filter, fix-all is for "fix on save", not for the light bulb
        return kind != ActionKind::FixAll;
    };
    let k = kind.as_str();
    only.iter().any(|o| {
        let o = o.as_str();
        k == o || k.starts_with(&format!("{o}."))
    })
}

pub async fn handle(b: &Backend, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
    let b2 = b.clone();
    tokio::task::spawn_blocking(move || compute(&b2, params))
        .await
        .map_err(|e| Error {
            code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
            message: format!("layerwise: code actions failed: {e}").into(),
            data: None,
        })?
}

fn compute(b: &Backend, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri.clone();
    let only = params.context.only.clone();
    let support = edit_support();
    b.with_doc("codeAction", &uri, |a, rope, enc| {
        let range = from_lsp_range(rope, params.range, enc);
        let version = analysis_version(b, &uri, a);
        // fix on save asks for fix-all alone: the per-finding actions are not made for it
        let per_finding = [
            ActionKind::QuickFix,
            ActionKind::RefactorRewrite,
            ActionKind::Source,
        ]
        .into_iter()
        .any(|k| wanted(only.as_deref(), k));
        let mut actions = if per_finding {
            code_actions::code_actions(a, range)
        } else {
            Vec::new()
        };
        if wanted(only.as_deref(), ActionKind::FixAll) {
            actions.extend(code_actions::fix_all(a));
        }
        let left_out = if wanted(only.as_deref(), ActionKind::QuickFix) {
            code_actions::findings_left_out(a, range)
        } else {
            0
        };
        let mut out: Vec<CodeActionOrCommand> = actions
            .into_iter()
            .filter(|act| wanted(only.as_deref(), act.kind))
            .filter(|act| {
                act.new_files.is_empty() || (support.document_changes && support.create_files)
            })
            .map(|act| {
                CodeActionOrCommand::CodeAction(to_lsp(&uri, version, a, rope, enc, support, act))
            })
            .collect();
        if left_out > 0 {
            tracing::info!(
                "codeAction on {}: fixes of {left_out} findings past the first {} not listed",
                uri.as_str(),
                code_actions::MAX_FINDINGS_PER_REQUEST
            );
            if support.disabled_actions {
                out.push(CodeActionOrCommand::CodeAction(left_out_note(left_out)));
            }
        }
        Some(out)
    })
}

/// A disabled action that says the selection had more findings than one answer lists
/// ([`code_actions::MAX_FINDINGS_PER_REQUEST`]), so a short menu is not taken for all.
fn left_out_note(left_out: usize) -> crate::types::CodeAction {
    crate::types::CodeAction {
        title: format!("Fixes of {left_out} more findings in the selection are not listed"),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: None,
        edit: None,
        command: None,
        is_preferred: None,
        disabled: Some(crate::types::CodeActionDisabled {
            reason: format!(
                "one answer lists the fixes of the first {} findings: select fewer lines, \
                 or use \"Fix all\" (source.fixAll.layerwise)",
                code_actions::MAX_FINDINGS_PER_REQUEST
            ),
        }),
        data: None,
    }
}

/// The version of the document `a` was computed for, if it is still the one stored.
fn analysis_version(b: &Backend, uri: &Uri, a: &Analysis) -> Option<i32> {
    let docs = b.state.docs.lock().ok()?;
    let (v, stored) = docs.get(uri)?.analysis.as_ref()?;
    std::ptr::eq(stored.as_ref(), a).then_some(*v)
}

fn to_lsp(
    uri: &Uri,
    version: Option<i32>,
    a: &Analysis,
    rope: &ropey::Rope,
    enc: Encoding,
    support: EditSupport,
    act: CodeAction,
) -> crate::types::CodeAction {
    let diagnostics: Vec<crate::types::Diagnostic> = act
        .diagnostics
        .iter()
        .filter_map(|&i| a.diagnostics().get(i))
        .map(|d| crate::diagnostics::to_lsp(uri, rope, enc, d))
        .collect();
    let edit = workspace_edit(uri, version, rope, enc, support, &act.edits, &act.new_files);
    crate::types::CodeAction {
        title: act.title,
        kind: Some(CodeActionKind::from(act.kind.as_str())),
        diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
        edit: Some(edit),
        command: None,
        is_preferred: act.preferred.then_some(true),
        disabled: None,
        data: None,
    }
}

fn text_edits(rope: &ropey::Rope, enc: Encoding, edits: &[Edit]) -> Vec<TextEdit> {
    edits
        .iter()
        .map(|e| TextEdit {
            range: to_lsp_range(rope, e.range, enc),
            new_text: e.text.to_string(),
        })
        .collect()
}

/// The file `name` next to the document (`.dockerignore` beside the Dockerfile).
fn sibling(uri: &Uri, name: &str) -> Option<Uri> {
    let s = uri.as_str();
    let (dir, _) = s.rsplit_once('/')?;
    format!("{dir}/{name}").parse().ok()
}

fn workspace_edit(
    uri: &Uri,
    version: Option<i32>,
    rope: &ropey::Rope,
    enc: Encoding,
    support: EditSupport,
    edits: &[Edit],
    new_files: &[code_actions::NewFile],
) -> WorkspaceEdit {
    if !support.document_changes {
        let mut changes = HashMap::new();
        if !edits.is_empty() {
            changes.insert(uri.clone(), text_edits(rope, enc, edits));
        }
        return WorkspaceEdit {
            changes: Some(changes),
            document_changes: None,
            change_annotations: None,
        };
    }
    let mut ops: Vec<DocumentChangeOperation> = Vec::new();
    if !edits.is_empty() {
        ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: uri.clone(),
                version,
            },
            edits: text_edits(rope, enc, edits)
                .into_iter()
                .map(OneOf::Left)
                .collect(),
        }));
    }
    for f in new_files {
        let Some(file_uri) = sibling(uri, &f.name) else {
            continue;
        };
        ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
            CreateFile {
                uri: file_uri.clone(),
                options: Some(CreateFileOptions {
                    overwrite: Some(false),
                    ignore_if_exists: Some(true),
                }),
                annotation_id: None,
            },
        )));
        ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
            text_document: OptionalVersionedTextDocumentIdentifier {
                uri: file_uri,
                version: None,
            },
            edits: vec![OneOf::Left(TextEdit {
                range: crate::types::Range {
                    start: Position::new(0, 0),
                    end: Position::new(0, 0),
                },
                new_text: f.text.clone(),
            })],
        }));
    }
    WorkspaceEdit {
        changes: None,
        document_changes: Some(DocumentChanges::Operations(ops)),
        change_annotations: None,
    }
}

/// `layerwise.split`: arguments `[{"textDocument": {"uri"}, "position"?, "runtime"?}]`,
/// `[{"uri", "runtime"?}]` or `["<uri>"]`. Applies the split with `workspace/applyEdit` and
/// answers `null` (notes go to the client's log); when there is nothing to split, or the
/// editor refused the edit, answers with a message saying why.
pub async fn execute_split(b: &Backend, args: Vec<Value>) -> Result<Option<LSPAny>> {
    let arg = args.first().cloned().unwrap_or(Value::Null);
    let uri_text = match &arg {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o
            .get("textDocument")
            .and_then(|t| t.get("uri"))
            .or_else(|| o.get("uri"))
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    };
    let Some(uri) = uri_text.and_then(|u| u.parse::<Uri>().ok()) else {
        return Err(Error::invalid_params("expected a document URI"));
    };
    let runtime = match arg.get("runtime").and_then(Value::as_str) {
        Some(r) => Some(Runtime::parse(r).ok_or_else(|| {
            Error::invalid_params(format!(
                "unknown runtime {r:?}: slim, alpine, distroless or scratch"
            ))
        })?),
        None => None,
    };
    let opts = SplitOptions { runtime };
    let support = edit_support();
    let b2 = b.clone();
    let u2 = uri.clone();
    let computed = tokio::task::spawn_blocking(move || {
        b2.with_doc("split", &u2, |a, rope, enc| {
            let version = analysis_version(&b2, &u2, a);
            Some(match layerwise_ide::split::split(a, &opts) {
                Ok(s) => Ok((
                    workspace_edit(
                        &u2,
                        version,
                        rope,
                        enc,
                        support,
                        std::slice::from_ref(&s.edit),
                        &[],
                    ),
                    s.notes,
                )),
                Err(e) => Err(e.to_string()),
            })
        })
    })
    .await
    .map_err(|e| Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
        message: format!("layerwise: split failed: {e}").into(),
        data: None,
    })??;
    let Some(result) = computed else {
        return Err(Error::invalid_params("the document is not open"));
    };
    match result {
        Ok((edit, notes)) => {
            if !b.state.caps().apply_edit {
                return Err(Error::invalid_params(
                    "the client cannot apply workspace edits (workspace.applyEdit)",
                ));
            }
            let failed = |message: &str| Error {
                // LSP 3.17 RequestFailed
                code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32803),
                message: format!("layerwise: {message}").into(),
                data: None,
            };
            let reply = match crate::client_requests::apply_edit(b, edit).await {
                crate::client_requests::EditAnswer::Answered(r) => r?,
                crate::client_requests::EditAnswer::NotYet => {
                    return Err(failed(
                        "the editor did not confirm the split in time; it may still apply it",
                    ))
                }
                crate::client_requests::EditAnswer::Busy => {
                    return Err(failed(
                        "another edit is still waiting for the editor; try the split again \
                         once it is applied",
                    ))
                }
            };
            if !reply.applied {
                return Ok(Some(Value::String(format!(
                    "the editor did not apply the split{}",
                    reply
                        .failure_reason
                        .map(|r| format!(": {r}"))
                        .unwrap_or_default()
                ))));
            }
            for note in notes {
                b.client
                    .log_message(
                        crate::types::MessageType::INFO,
                        format!("layerwise split: {note}"),
                    )
                    .await;
            }
            Ok(None)
        }
        Err(why) => Ok(Some(Value::String(format!("nothing to split: {why}")))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_filters_by_kind_prefix() {
        let q = [CodeActionKind::QUICKFIX];
        assert!(wanted(Some(&q), ActionKind::QuickFix));
        assert!(!wanted(Some(&q), ActionKind::RefactorRewrite));
        let s = [CodeActionKind::SOURCE_FIX_ALL];
        assert!(wanted(Some(&s), ActionKind::FixAll));
        assert!(!wanted(Some(&s), ActionKind::Source));
        let src = [CodeActionKind::SOURCE];
        assert!(wanted(Some(&src), ActionKind::Source) && wanted(Some(&src), ActionKind::FixAll));
        let r = [CodeActionKind::REFACTOR];
        assert!(wanted(Some(&r), ActionKind::RefactorRewrite));
        // the light bulb (no filter) gets everything but fix-all
        assert!(wanted(None, ActionKind::QuickFix) && !wanted(None, ActionKind::FixAll));
        // `quick` is not a prefix of `quickfix`
        let partial = [CodeActionKind::from("quick")];
        assert!(!wanted(Some(&partial), ActionKind::QuickFix));
    }

    #[test]
    fn dockerignore_goes_next_to_the_dockerfile() {
        let uri: Uri = "file:///w/app%20one/Dockerfile".parse().unwrap();
        assert_eq!(
            sibling(&uri, ".dockerignore").unwrap().as_str(),
            "file:///w/app%20one/.dockerignore"
        );
    }

    #[test]
    fn edits_take_the_shape_the_client_supports() {
        let uri: Uri = "file:///w/Dockerfile".parse().unwrap();
        let rope = ropey::Rope::from_str("FROM a\nMAINTAINER x\n");
        let edits = [Edit {
            range: layerwise_syntax::TextRange::new(7, 17),
            text: "LABEL".into(),
        }];
        let files = [code_actions::NewFile {
            name: ".dockerignore".into(),
            text: ".git\n".into(),
        }];
        let plain = workspace_edit(
            &uri,
            Some(3),
            &rope,
            Encoding::Utf16,
            EditSupport::default(),
            &edits,
            &[],
        );
        assert_eq!(plain.changes.as_ref().unwrap()[&uri][0].new_text, "LABEL");
        assert!(plain.document_changes.is_none());
        let full = EditSupport {
            document_changes: true,
            create_files: true,
            disabled_actions: false,
        };
        let doc = workspace_edit(&uri, Some(3), &rope, Encoding::Utf16, full, &edits, &files);
        let Some(DocumentChanges::Operations(ops)) = doc.document_changes else {
            panic!("expected operations");
        };
        assert_eq!(ops.len(), 3);
        assert!(
            matches!(&ops[0], DocumentChangeOperation::Edit(e) if e.text_document.version == Some(3))
        );
        assert!(
            matches!(&ops[1], DocumentChangeOperation::Op(ResourceOp::Create(c)) if c.uri.as_str() == "file:///w/.dockerignore")
        );
    }
}
