//! "Ignore <rule> for this instruction / in this file", written in the suppression style the
//! file already uses, so a team's hadolint or BuildKit comments keep working:
//!
//! - the file has `# hadolint` comments and the rule has a DL code: `# hadolint ignore=DL3008`
//!   above the instruction, `# hadolint global ignore=DL3008` for the file;
//! - the file has a `# check=` directive and the rule is a BuildKit check: `# check=skip=Name`
//!   above the instruction, or the name added to the directive's `skip` list;
//! - otherwise ours: `# layerwise: ignore[rule]` / `# layerwise: ignore-file[rule]`.
//!
//! An existing suppression comment of that style right above the instruction (or for the
//! whole file) gets the code added instead of a second comment.

use std::collections::HashSet;

use layerwise_lint::{Diagnostic, Edit};
use layerwise_syntax::{ItemKind, TextRange};

use super::{ActionKind, CodeAction};
use crate::Analysis;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    Hadolint,
    Check,
    Layerwise,
}

/// Whether the file already has `# hadolint ...` comments.
fn uses_hadolint(a: &Analysis) -> bool {
    a.file.items().any(|r| {
        r.item.kind == ItemKind::Comment
            && r.text()
                .trim_start()
                .trim_start_matches('#')
                .trim_start()
                .starts_with("hadolint ")
    })
}

/// The style for `d` in this file, and the code to write.
fn style_for(a: &Analysis, uses_hadolint: bool, d: &Diagnostic) -> (Style, String) {
    if uses_hadolint {
        if let Some(code) = d.rule.hadolint.first() {
            return (Style::Hadolint, (*code).to_string());
        }
    }
    if a.model.check.range.is_some() {
        if let Some(name) = d.rule.buildkit {
            return (Style::Check, name.to_string());
        }
    }
    (Style::Layerwise, d.rule.name.to_string())
}

pub(super) fn actions(a: &Analysis, here: &[(usize, &Diagnostic)]) -> Vec<CodeAction> {
    let mut out: Vec<CodeAction> = Vec::new();
    let mut seen: HashSet<(&str, Option<usize>)> = HashSet::new();
    let mut file_done: HashSet<&str> = HashSet::new();
    let hadolint = !here.is_empty() && uses_hadolint(a);
    for (i, d) in here {
        if d.rule.name == "unused-suppression" {
            continue;
        }
        let inst = a.model.instruction_at(d.range.start);
        if !seen.insert((d.rule.name, inst)) {
            continue;
        }
        let (style, code) = style_for(a, hadolint, d);
        if let Some(inst) = inst {
            if let Some(edit) = for_instruction(a, inst, style, &code) {
                let mut act = CodeAction::new(
                    format!("Ignore {} for this instruction", d.rule.name),
                    ActionKind::QuickFix,
                    vec![edit],
                );
                act.diagnostics = vec![*i];
                out.push(act);
            }
        }
        if !file_done.insert(d.rule.name) {
            continue;
        }
        if let Some(edit) = for_file(a, style, &code) {
            let mut act = CodeAction::new(
                format!("Ignore {} in this file", d.rule.name),
                ActionKind::QuickFix,
                vec![edit],
            );
            act.diagnostics = vec![*i];
            out.push(act);
        }
    }
    out
}

/// The comment line for one instruction.
fn instruction_comment(style: Style, code: &str) -> String {
    match style {
        Style::Hadolint => format!("# hadolint ignore={code}"),
        Style::Check => format!("# check=skip={code}"),
        Style::Layerwise => format!("# layerwise: ignore[{code}]"),
    }
}

/// Adds `code` to an existing suppression comment of `style` (its text without `#`), or
/// `None` when the comment is not one.
fn extend(comment: &str, style: Style, code: &str, file: bool) -> Option<String> {
    let body = comment.trim_start().strip_prefix('#')?.trim();
    let (prefix, codes, suffix) = match style {
        Style::Hadolint => {
            let rest = body.strip_prefix("hadolint")?.trim_start();
            let (is_global, rest) = match rest.strip_prefix("global") {
                Some(r) => (true, r.trim_start()),
                None => (false, rest),
            };
            if is_global != file {
                return None;
            }
            let codes = rest.strip_prefix("ignore=")?;
            let prefix = if file {
                "# hadolint global ignore="
            } else {
                "# hadolint ignore="
            };
            (prefix.to_string(), codes.to_string(), String::new())
        }
        Style::Check => {
            let rest = body.strip_prefix("check=")?.trim_start();
            let codes = rest.strip_prefix("skip=")?;
            let (codes, tail) = match codes.split_once(';') {
                Some((c, t)) => (c, format!(";{t}")),
                None => (codes, String::new()),
            };
            ("# check=skip=".to_string(), codes.to_string(), tail)
        }
        Style::Layerwise => {
            let rest = body.strip_prefix("layerwise:")?.trim_start();
            let open = if file { "ignore-file[" } else { "ignore[" };
            let inner = rest.strip_prefix(open)?;
            let (codes, tail) = inner.split_once(']')?;
            (
                format!("# layerwise: {open}"),
                codes.to_string(),
                format!("]{tail}"),
            )
        }
    };
    let list: Vec<&str> = codes
        .split([',', ' '])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if list
        .iter()
        .any(|c| c.eq_ignore_ascii_case(code) || c.eq_ignore_ascii_case("all"))
    {
        return None;
    }
    let sep = if style == Style::Layerwise { ", " } else { "," };
    let joined = if list.is_empty() {
        code.to_string()
    } else {
        format!("{}{sep}{code}", list.join(sep))
    };
    Some(format!("{prefix}{joined}{suffix}"))
}

/// The edit that silences `code` for instruction `inst`.
fn for_instruction(a: &Analysis, inst: usize, style: Style, code: &str) -> Option<Edit> {
    let info = a.model.instructions.get(inst)?;
    let item = a.file.item(info.item)?;
    // extend a suppression comment in the comment block right above
    let mut k = info.item;
    while k > 0 {
        let prev = a.file.item(k - 1)?;
        if prev.item.kind != ItemKind::Comment {
            break;
        }
        let line = prev.text().trim_end_matches(['\n', '\r']);
        if let Some(new) = extend(line, style, code, false) {
            let r = prev.range();
            let eol = &prev.text()[line.len()..];
            let _ = eol;
            return Some(Edit {
                range: TextRange::new(r.start, r.start + line.len() as u32),
                text: new.into(),
            });
        }
        k -= 1;
    }
    // `# check=skip=` as the first line after the directives would itself be the directive
    let first_after_header = a
        .file
        .items()
        .find(|r| r.item.kind != ItemKind::Directive)
        .is_some_and(|r| r.index == info.item);
    let style = if style == Style::Check && first_after_header {
        return for_instruction(a, inst, Style::Layerwise, a_name(a, code));
    } else {
        style
    };
    let text = item.text();
    let indent: String = text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let nl = super::line_break(&a.text);
    Some(Edit {
        range: TextRange::empty(item.start),
        text: format!("{indent}{}{nl}", instruction_comment(style, code)).into(),
    })
}

/// Our rule name for a BuildKit check name (falls back to the code itself).
fn a_name<'x>(a: &Analysis, code: &'x str) -> &'x str {
    let _ = a;
    match layerwise_lint::rules::find(code) {
        Some(r) => r.meta().name,
        None => code,
    }
}

/// The edit that silences `code` in the whole file.
fn for_file(a: &Analysis, style: Style, code: &str) -> Option<Edit> {
    let nl = super::line_break(&a.text);
    if style == Style::Check {
        let r = a.model.check.range?;
        let value = a.slice(r);
        let new = if let Some(rest) = value.strip_prefix("skip=") {
            let (codes, tail) = match rest.split_once(';') {
                Some((c, t)) => (c, format!(";{t}")),
                None => (rest, String::new()),
            };
            let list: Vec<&str> = codes
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .collect();
            if list
                .iter()
                .any(|c| c.eq_ignore_ascii_case(code) || c.eq_ignore_ascii_case("all"))
            {
                return None;
            }
            let mut list: Vec<String> = list.iter().map(|s| s.to_string()).collect();
            list.push(code.to_string());
            format!("skip={}{tail}", list.join(","))
        } else if value.contains("skip=") {
            // `error=true;skip=A`
            let (head, rest) = value.split_once("skip=")?;
            let (codes, tail) = match rest.split_once(';') {
                Some((c, t)) => (c, format!(";{t}")),
                None => (rest, String::new()),
            };
            if codes
                .split(',')
                .any(|c| c.trim().eq_ignore_ascii_case(code))
            {
                return None;
            }
            format!("{head}skip={codes},{code}{tail}")
        } else if value.trim().is_empty() {
            format!("skip={code}")
        } else {
            format!("skip={code};{value}")
        };
        return Some(Edit {
            range: r,
            text: new.into(),
        });
    }
    // extend an existing file-wide suppression
    for r in a.file.items() {
        if r.item.kind != ItemKind::Comment {
            continue;
        }
        let line = r.text().trim_end_matches(['\n', '\r']);
        if let Some(new) = extend(line, style, code, true) {
            return Some(Edit {
                range: TextRange::new(r.start, r.start + line.len() as u32),
                text: new.into(),
            });
        }
    }
    let line = match style {
        Style::Hadolint => format!("# hadolint global ignore={code}"),
        _ => format!("# layerwise: ignore-file[{code}]"),
    };
    // after the parser directives (a comment there would end them anyway)
    let at = a
        .file
        .items()
        .find(|r| r.item.kind != ItemKind::Directive)
        .map_or(a.file.len(), |r| r.start);
    let needs_nl = at > 0 && !a.text[..at as usize].ends_with('\n');
    Some(Edit {
        range: TextRange::empty(at),
        text: if needs_nl {
            format!("{nl}{line}{nl}").into()
        } else {
            format!("{line}{nl}").into()
        },
    })
}
