//! The outline: stages as the top level (named or by index, base image as detail) containing
//! their instructions, and global `ARG`s beside them. `ARG`/`ENV` instructions show up as one
//! entry per variable, since a variable is what people look for in an outline. Also the stage
//! list used by workspace symbols.

use layerwise_syntax::{InstructionKind, ItemRef, TextRange};

use crate::Analysis;

/// What an outline entry is; `lsp` picks the symbol kind (and icon) from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutlineKind {
    Stage { named: bool },
    Variable,
    Instruction(InstructionKind),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutlineSymbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: OutlineKind,
    /// Everything the symbol covers (no trailing line break).
    pub range: TextRange,
    /// The part to reveal when the symbol is picked (a name, a keyword).
    pub selection: TextRange,
    pub children: Vec<OutlineSymbol>,
}

/// Longest instruction summary shown as a name.
const NAME_CHARS: usize = 60;

pub fn document_symbols(a: &Analysis) -> Vec<OutlineSymbol> {
    let mut out = Vec::new();
    for (index, info) in a.model.instructions.iter().enumerate() {
        let Some(r) = a.file.item(info.item) else {
            continue;
        };
        match info.stage {
            None => out.extend(instruction_symbols(a, r)),
            Some(s) => {
                let Some(stage) = a.model.stages.get(s) else {
                    continue;
                };
                if stage.from == index {
                    out.push(stage_symbol(a, s));
                } else if let Some(parent) = out
                    .last_mut()
                    .filter(|p| matches!(p.kind, OutlineKind::Stage { .. }))
                {
                    parent.children.extend(instruction_symbols(a, r));
                }
            }
        }
    }
    out
}

/// The stages whose label matches `query` (case-insensitive, letters in order), for
/// `workspace/symbol`.
pub fn stage_symbols(a: &Analysis, query: &str) -> Vec<OutlineSymbol> {
    (0..a.model.stages.len())
        .map(|s| stage_symbol(a, s))
        .filter(|sym| fuzzy_match(query, &sym.name))
        .collect()
}

fn stage_symbol(a: &Analysis, s: usize) -> OutlineSymbol {
    let stage = &a.model.stages[s];
    let range = trim(a, stage.range);
    let selection = stage
        .name_range
        .or_else(|| (!stage.base_range.is_empty()).then_some(stage.base_range))
        .unwrap_or(TextRange::empty(range.start));
    let mut detail = stage.base_text.clone();
    if let Some(p) = &stage.platform {
        detail.push_str(&format!(" ({p})"));
    }
    OutlineSymbol {
        name: match &stage.name {
            Some(n) => match stage.name_range.map(|r| a.slice(r)) {
                Some(written) if !written.is_empty() => written.to_string(),
                _ => n.clone(),
            },
            None => format!("stage {}", stage.index),
        },
        detail: (!detail.is_empty()).then_some(detail),
        kind: OutlineKind::Stage {
            named: stage.name.is_some(),
        },
        range,
        selection,
        children: Vec::new(),
    }
}

fn instruction_symbols(a: &Analysis, r: ItemRef<'_>) -> Vec<OutlineSymbol> {
    let Some(inst) = r.instruction() else {
        return Vec::new();
    };
    let range = trim(a, r.range());
    if matches!(inst.kind, InstructionKind::Arg | InstructionKind::Env) && !inst.pairs().is_empty()
    {
        let global = a.model.stage_at(r.start).is_none();
        return inst
            .pairs()
            .iter()
            .map(|kv| {
                let key = r.abs(kv.key.range);
                let whole = kv.value.as_ref().map_or(key, |v| key.cover(r.abs(v.range)));
                let kind = match (inst.kind, global) {
                    (InstructionKind::Env, _) => "ENV",
                    (_, true) => "global ARG",
                    _ => "ARG",
                };
                let detail = match &kv.value {
                    Some(v) => format!("{kind} = {}", one_line(&v.text)),
                    None => kind.to_string(),
                };
                OutlineSymbol {
                    name: kv.key.text.to_string(),
                    detail: Some(detail),
                    kind: OutlineKind::Variable,
                    range: whole,
                    selection: key,
                    children: Vec::new(),
                }
            })
            .filter(|s| !s.name.is_empty())
            .collect();
    }
    let keyword = r.abs(inst.keyword.range);
    let mut name = inst.keyword.text.to_ascii_uppercase();
    let end = inst
        .args_range
        .map(|r| r.end)
        .into_iter()
        .chain(inst.flags.iter().map(|f| f.range.end))
        .max();
    if let Some(end) = end.filter(|&e| e > inst.keyword.range.end) {
        // a name shows a few dozen characters: never read more than a few hundred bytes
        let mut cut = (inst.keyword.range.end + 4 * NAME_CHARS as u32).min(end);
        while !r.text().is_char_boundary(cut as usize) {
            cut -= 1;
        }
        let summary = one_line(r.slice(TextRange::new(inst.keyword.range.end, cut)));
        if !summary.is_empty() {
            name.push(' ');
            name.push_str(&summary);
        }
    }
    vec![OutlineSymbol {
        name: truncate(&name),
        detail: None,
        kind: OutlineKind::Instruction(inst.kind),
        range,
        selection: keyword,
        children: Vec::new(),
    }]
}

/// Collapses line continuations and runs of white space.
fn one_line(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = line.trim_end_matches('\r').trim();
        if line.starts_with('#') {
            continue;
        }
        let line = line
            .strip_suffix('\\')
            .or_else(|| line.strip_suffix('`'))
            .unwrap_or(line);
        for word in line.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(word);
        }
    }
    out
}

fn truncate(s: &str) -> String {
    match s.char_indices().nth(NAME_CHARS) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_string(),
    }
}

/// `range` without trailing white space and line breaks.
fn trim(a: &Analysis, range: TextRange) -> TextRange {
    let text = a.slice(range);
    let kept = text.trim_end().len() as u32;
    TextRange::new(range.start, range.start + kept)
}

fn fuzzy_match(query: &str, name: &str) -> bool {
    let mut chars = name.chars().map(|c| c.to_ascii_lowercase());
    query
        .chars()
        .filter(|c| !c.is_whitespace())
        .all(|q| chars.any(|c| c == q.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(syms: &[OutlineSymbol]) -> Vec<String> {
        syms.iter().map(|s| s.name.clone()).collect()
    }

    const TEXT: &str = "# syntax=docker/dockerfile:1\nARG NODE=20\nFROM --platform=$BUILDPLATFORM node:${NODE} AS Build\nWORKDIR /app\nENV NODE_ENV=production \\\n    PORT=8080\nRUN npm ci && \\\n    npm run build\n\n# runtime\nFROM gcr.io/distroless/nodejs20\nCOPY --from=build /app/dist /app\nCMD [\"/app/main.js\"]\n";

    #[test]
    fn stages_contain_their_instructions_and_global_args_are_top_level() {
        let a = Analysis::from_text(TEXT);
        let syms = document_symbols(&a);
        assert_eq!(names(&syms), ["NODE", "Build", "stage 1"]);
        assert_eq!(syms[0].kind, OutlineKind::Variable);
        assert_eq!(syms[0].detail.as_deref(), Some("global ARG = 20"));
        assert_eq!(syms[1].kind, OutlineKind::Stage { named: true });
        assert_eq!(
            syms[1].detail.as_deref(),
            Some("node:${NODE} ($BUILDPLATFORM)")
        );
        assert_eq!(a.slice(syms[1].selection), "Build");
        assert_eq!(
            names(&syms[1].children),
            [
                "WORKDIR /app",
                "NODE_ENV",
                "PORT",
                "RUN npm ci && npm run build"
            ]
        );
        assert_eq!(syms[1].children[2].detail.as_deref(), Some("ENV = 8080"));
        assert_eq!(syms[2].kind, OutlineKind::Stage { named: false });
        assert_eq!(
            names(&syms[2].children),
            ["COPY --from=build /app/dist /app", "CMD [\"/app/main.js\"]"]
        );
    }

    #[test]
    fn ranges_nest_and_end_before_the_line_break() {
        let a = Analysis::from_text(TEXT);
        fn check(a: &Analysis, s: &OutlineSymbol) {
            assert!(s.range.contains_range(s.selection), "{s:?}");
            assert!(!a.slice(s.range).ends_with('\n'));
            for c in &s.children {
                assert!(s.range.contains_range(c.range), "{c:?} outside {s:?}");
                check(a, c);
            }
        }
        for s in document_symbols(&a) {
            check(&a, &s);
        }
        let run = &document_symbols(&a)[1].children[3];
        assert_eq!(a.slice(run.range), "RUN npm ci && \\\n    npm run build");
    }

    #[test]
    fn long_instructions_are_shortened() {
        let long = format!("FROM alpine:3.20\nRUN {}\n", "x".repeat(200));
        let a = Analysis::from_text(&long);
        let name = &document_symbols(&a)[0].children[0].name;
        assert!(name.ends_with('…'));
        assert_eq!(name.chars().count(), NAME_CHARS + 1);
    }

    #[test]
    fn workspace_query_matches_stage_labels() {
        let a = Analysis::from_text(TEXT);
        assert_eq!(names(&stage_symbols(&a, "")), ["Build", "stage 1"]);
        assert_eq!(names(&stage_symbols(&a, "bld")), ["Build"]);
        assert_eq!(names(&stage_symbols(&a, "BUILD")), ["Build"]);
        assert!(stage_symbols(&a, "zzz").is_empty());
    }

    #[test]
    fn odd_files_do_not_panic() {
        for t in [
            "",
            "ARG",
            "FROM",
            "ENV\n",
            "FROM a AS\nARG =x\n",
            "ONBUILD ENV a=b\n",
        ] {
            let a = Analysis::from_text(t);
            let _ = document_symbols(&a);
            let _ = stage_symbols(&a, "a");
        }
    }
}
