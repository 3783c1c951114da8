//! A readable dump of the lossless tree (`layerwise parse --format tree`), for bug reports.

use std::fmt::Write;

use crate::Dockerfile;

pub fn tree_dump(file: &Dockerfile) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "DOCKERFILE@0..{} escape={:?}",
        file.len(),
        file.escape()
    );
    for r in file.items() {
        let range = r.range();
        let _ = writeln!(out, "  {:?}@{}..{}", r.item.kind, range.start, range.end);
        if let Some(inst) = r.instruction() {
            let _ = writeln!(
                out,
                "    instruction {:?} flags={} args={}",
                inst.kind,
                inst.flags.len(),
                args_label(&inst.args)
            );
            for h in &inst.effective().heredocs {
                let _ = writeln!(out, "    heredoc {:?} body@{:?}", h.name, r.abs(h.body));
            }
        }
        for t in r.item.tokens() {
            let abs = r.abs(t.range);
            let _ = writeln!(
                out,
                "    {:?}@{}..{} {:?}",
                t.kind,
                abs.start,
                abs.end,
                r.slice(t.range)
            );
        }
        for e in r.item.errors() {
            let abs = r.abs(e.range);
            let _ = writeln!(out, "    ERROR@{}..{} {}", abs.start, abs.end, e.message);
        }
    }
    out
}

fn args_label(a: &crate::Args) -> &'static str {
    match a {
        crate::Args::None => "none",
        crate::Args::Exec { .. } => "exec",
        crate::Args::Text(_) => "text",
        crate::Args::Words(_) => "words",
        crate::Args::Pairs { .. } => "pairs",
        crate::Args::Healthcheck { .. } => "healthcheck",
        crate::Args::Onbuild(_) => "onbuild",
        crate::Args::Ignored(_) => "ignored",
    }
}
