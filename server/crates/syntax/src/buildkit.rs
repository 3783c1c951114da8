//! BuildKit's views of a parse, for conformance tests and bug reports:
//! the AST dump of BuildKit's parser tests (`(from "image")`) and one JSON-able record per
//! instruction with the fields of BuildKit's `parser.Node` (as PyPI `dockerfile` exposes them).

use serde::Serialize;

use crate::ast::{Args, Instruction, InstructionKind};
use crate::go_quote;
use crate::{Dockerfile, ItemRef, SyntaxError};

/// BuildKit's `Node.Dump()` of the whole file, with the final newline its tests add.
/// Fails, like BuildKit's parser, when the file has a syntax error.
pub fn dump(file: &Dockerfile) -> Result<String, SyntaxError> {
    if let Some(e) = file.errors().into_iter().next() {
        return Err(e);
    }
    let mut out = String::new();
    for (_, inst) in file.instructions() {
        out.push('(');
        out.push_str(&dump_instruction(inst));
        out.push_str(")\n");
    }
    Ok(out)
}

fn dump_instruction(inst: &Instruction) -> String {
    let mut s = inst.keyword.text.as_str().to_lowercase();
    if !inst.flags.is_empty() {
        let flags: Vec<String> = inst
            .flags
            .iter()
            .map(|f| go_quote(&buildkit_flag_text(&f.text)))
            .collect();
        s.push_str(&format!(" [{}]", flags.join(" ")));
    }
    match &inst.args {
        Args::Onbuild(inner) => {
            s.push_str(" (");
            s.push_str(&dump_instruction(inner));
            s.push(')');
        }
        args => {
            for v in values(inst.kind, args, true) {
                s.push(' ');
                s.push_str(&go_quote(&v));
            }
        }
    }
    s
}

/// BuildKit reads flag words byte by byte and appends each byte as a rune, so non-ASCII text in
/// a flag comes out as one Latin-1 character per byte. Reproduced for byte-exact dumps.
fn buildkit_flag_text(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

/// The `Next` chain of a node as strings. `with_separators` keeps the third "separator" node
/// of each `ENV`/`LABEL` pair (`"="`, or `""` in the legacy form), which the dump shows.
fn values(kind: InstructionKind, args: &Args, with_separators: bool) -> Vec<String> {
    match args {
        Args::None => Vec::new(),
        Args::Ignored(_) => vec![String::new()],
        Args::Exec { items, .. } => items.iter().map(|w| w.text.to_string()).collect(),
        Args::Text(w) => vec![w.text.to_string()],
        Args::Words(ws) => ws.iter().map(|w| w.text.to_string()).collect(),
        Args::Pairs { legacy, pairs } => {
            let mut out = Vec::new();
            for p in pairs {
                if kind == InstructionKind::Arg {
                    let mut word = p.key.text.to_string();
                    if let Some(v) = &p.value {
                        word.push('=');
                        word.push_str(&v.text);
                    }
                    out.push(word);
                    continue;
                }
                out.push(p.key.text.to_string());
                out.push(
                    p.value
                        .as_ref()
                        .map_or(String::new(), |v| v.text.to_string()),
                );
                if with_separators {
                    out.push(if *legacy { String::new() } else { "=".into() });
                }
            }
            out
        }
        Args::Healthcheck { kind: k, cmd } => {
            let mut out = vec![k.text.to_string()];
            out.extend(values(kind, cmd, with_separators));
            out
        }
        Args::Onbuild(inner) => values(inner.kind, &inner.args, with_separators),
    }
}

/// One instruction as BuildKit's parser sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeRecord {
    /// Lower-case instruction name.
    pub cmd: String,
    /// For `ONBUILD`: the wrapped instruction, lower case.
    pub sub_cmd: Option<String>,
    /// Exec (JSON) form.
    pub json: bool,
    /// Raw flag strings (`--from=build`).
    pub flags: Vec<String>,
    pub value: Vec<String>,
    /// 1-based physical lines.
    pub start_line: u32,
    pub end_line: u32,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub heredocs: Vec<HeredocRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeredocRecord {
    pub name: String,
    pub content: String,
}

/// The records of every instruction, or BuildKit's parse error.
pub fn records(file: &Dockerfile) -> Result<Vec<NodeRecord>, SyntaxError> {
    if let Some(e) = file.errors().into_iter().next() {
        return Err(e);
    }
    let mut out = Vec::new();
    let mut line = 1u32;
    for r in file.items() {
        if let Some(inst) = r.instruction() {
            out.push(record(r, inst, line));
        }
        line += r.item.newlines();
    }
    Ok(out)
}

fn record(r: ItemRef<'_>, inst: &Instruction, start_line: u32) -> NodeRecord {
    let trailing = u32::from(r.text().ends_with('\n'));
    let end_line = start_line + r.item.newlines() - trailing.min(r.item.newlines());
    let (sub_cmd, json, heredocs) = match &inst.args {
        // BuildKit attaches ONBUILD heredocs to the outer node; the records report the inner
        // node's (none), as the Python binding does.
        Args::Onbuild(inner) => (
            Some(inner.keyword.text.as_str().to_lowercase()),
            inner.is_exec_form(),
            Vec::new(),
        ),
        _ => (
            None,
            inst.is_exec_form(),
            inst.heredocs
                .iter()
                .map(|h| HeredocRecord {
                    name: h.name.to_string(),
                    content: r.slice(h.body).to_string(),
                })
                .collect(),
        ),
    };
    NodeRecord {
        cmd: inst.keyword.text.as_str().to_lowercase(),
        sub_cmd,
        json,
        flags: inst
            .flags
            .iter()
            .map(|f| buildkit_flag_text(&f.text))
            .collect(),
        value: values(inst.kind, &inst.args, false),
        start_line,
        end_line,
        heredocs,
    }
}
