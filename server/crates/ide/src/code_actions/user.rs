//! "Run as a non-root user" for the final stage, the way the base image expects it: `USER
//! node` on Node images, `USER nonroot:nonroot` on distroless, a numeric user on `scratch`,
//! else a new `app` user (`useradd` on Debian/Ubuntu, `adduser` on Alpine).

use layerwise_analysis::Base;
use layerwise_lint::{Applicability, Edit};
use layerwise_syntax::{InstructionKind, TextRange};

use super::{meets, rule_fix_ranges, ActionKind, CodeAction};
use crate::Analysis;

pub(super) fn actions(a: &Analysis, range: TextRange) -> Vec<CodeAction> {
    let Some(stage) = a.model.stages.last() else {
        return Vec::new();
    };
    if range.end < stage.range.start || a.model.escape != '\\' {
        return Vec::new();
    }
    // any USER in the final stage is a decision the user made
    if stage
        .instructions
        .iter()
        .any(|&i| a.model.instructions[i].kind == InstructionKind::User)
    {
        return Vec::new();
    }
    if rule_fix_ranges(a, &["runs-as-root", "DL3002"], range)
        .iter()
        .any(|d| meets(*d, stage.range))
    {
        return Vec::new();
    }
    let lines: Vec<String> = match &stage.base {
        Base::Scratch => vec!["USER 65534:65534".into()],
        Base::Image(img) => {
            let repo = img.repository.to_ascii_lowercase();
            let tag = img.tag.as_deref().unwrap_or("").to_ascii_lowercase();
            let family = repo.rsplit('/').next().unwrap_or("");
            if repo.contains("distroless") || tag.contains("nonroot") || repo.contains("chainguard")
            {
                return Vec::new(); // already runs as nonroot
            } else if family == "node" {
                vec!["USER node".into()]
            } else if family == "alpine" || tag.contains("alpine") {
                vec!["RUN adduser -D -u 10001 app".into(), "USER app".into()]
            } else {
                vec![
                    "RUN useradd --no-log-init --create-home --uid 10001 app".into(),
                    "USER app".into(),
                ]
            }
        }
        _ => return Vec::new(),
    };
    // before the command that starts the program, else at the end
    let nl = super::line_break(&a.text);
    let at = stage
        .instructions
        .iter()
        .map(|&i| &a.model.instructions[i])
        .find(|i| matches!(i.kind, InstructionKind::Cmd | InstructionKind::Entrypoint))
        .map(|i| comments_start(a, i.item));
    let edit = match at {
        Some(at) => Edit {
            range: TextRange::empty(at),
            text: lines.iter().map(|l| format!("{l}{nl}")).collect(),
        },
        None => {
            let end = a.file.len();
            let lead = if a.text.ends_with('\n') || a.text.is_empty() {
                ""
            } else {
                nl
            };
            Edit {
                range: TextRange::empty(end),
                text: format!(
                    "{lead}{}",
                    lines.iter().map(|l| format!("{l}{nl}")).collect::<String>()
                )
                .into(),
            }
        }
    };
    // the lines must land as instructions of their own (not inside an open continuation)
    // (on the tree edited in place of a copy, not a second parse of the whole file)
    let before = a.file.instructions().count();
    let after = super::with_edits(a, std::slice::from_ref(&edit));
    if after.instructions().count() != before + lines.len()
        || super::syntax_errors(&after) > super::syntax_errors(&a.file)
    {
        return Vec::new();
    }
    let user = lines
        .last()
        .map(|l| l.trim_start_matches("USER ").to_string())
        .unwrap_or_default();
    let mut act = CodeAction::new(
        format!("Run the final stage as non-root user `{user}`"),
        ActionKind::RefactorRewrite,
        vec![edit],
    );
    act.applicability = Applicability::Unsafe;
    act.diagnostics = a
        .diagnostics()
        .iter()
        .enumerate()
        .filter(|(_, d)| d.rule.name == "runs-as-root")
        .map(|(i, _)| i)
        .collect();
    if !act.diagnostics.is_empty() {
        act.kind = ActionKind::QuickFix;
    }
    vec![act]
}

/// Where the comments right above item `item` start (the new lines go above them, so the
/// comments stay with their instruction).
fn comments_start(a: &Analysis, item: usize) -> u32 {
    let mut k = item;
    while k > 0 {
        match a.file.item(k - 1) {
            Some(p) if p.item.kind == layerwise_syntax::ItemKind::Comment => k -= 1,
            _ => break,
        }
    }
    a.file.item(k).map_or(0, |r| r.start)
}
