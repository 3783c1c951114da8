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
    capped_symbols(a, usize::MAX).symbols
}

/// At most `max` outline symbols and what was left out (see [`capped_symbols`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CappedOutline {
    pub symbols: Vec<OutlineSymbol>,
    /// How many symbols come after them, nested ones included (counted, not built).
    pub left_out: usize,
    /// Where the first of those starts; `None` when nothing was left out.
    pub first_left_out: Option<u32>,
}

/// The first `max` symbols of [`document_symbols`] in outline order (a stage, then its
/// instructions, then the next stage; a stage whose instructions do not all fit keeps those
/// that do), and a count of the others that names nothing: a server caps its answer anyway,
/// and a name and detail per instruction of a 4 MB file is hundreds of MB (F16).
pub fn capped_symbols(a: &Analysis, max: usize) -> CappedOutline {
    let mut out = Outline {
        symbols: Vec::new(),
        room: max,
        left_out: 0,
        first_left_out: None,
        in_stage: false,
    };
    for (index, info) in a.model.instructions.iter().enumerate() {
        let Some(r) = a.file.item(info.item) else {
            continue;
        };
        match info.stage {
            None => {
                if out.instruction(a, r, false) > 0 {
                    out.in_stage = false;
                }
            }
            Some(s) => {
                let Some(stage) = a.model.stages.get(s) else {
                    continue;
                };
                if stage.from == index {
                    out.in_stage = true;
                    if out.room == 0 {
                        out.leave_out(1, stage.range.start);
                    } else {
                        out.room -= 1;
                        out.symbols.push(stage_symbol(a, s));
                    }
                } else if out.in_stage {
                    out.instruction(a, r, true);
                }
            }
        }
    }
    CappedOutline {
        symbols: out.symbols,
        left_out: out.left_out,
        first_left_out: out.first_left_out,
    }
}

/// The outline being built: what is kept, the room left, and what was only counted.
struct Outline {
    symbols: Vec<OutlineSymbol>,
    room: usize,
    left_out: usize,
    first_left_out: Option<u32>,
    /// Whether the last top-level symbol (kept or left out) is a stage, which takes the
    /// instructions that follow as its children.
    in_stage: bool,
}

impl Outline {
    fn leave_out(&mut self, count: usize, start: u32) {
        if count > 0 {
            self.left_out += count;
            self.first_left_out.get_or_insert(start);
        }
    }

    /// The symbols of one instruction, at the top or in the current stage; how many it has.
    /// With room left the stage being filled is the last kept symbol: room only shrinks.
    fn instruction(&mut self, a: &Analysis, r: ItemRef<'_>, child: bool) -> usize {
        if self.room == 0 {
            let (count, start) = count_instruction_symbols(a, r);
            self.leave_out(count, start);
            return count;
        }
        let mut syms = instruction_symbols(a, r);
        let count = syms.len();
        if syms.len() > self.room {
            let rest = syms.split_off(self.room);
            if let Some(first) = rest.first() {
                self.leave_out(rest.len(), first.range.start);
            }
        }
        self.room -= syms.len();
        let to = match self.symbols.last_mut() {
            Some(parent) if child => &mut parent.children,
            _ => &mut self.symbols,
        };
        to.extend(syms);
        count
    }
}

/// How many symbols [`instruction_symbols`] gives and where the first starts, naming nothing.
fn count_instruction_symbols(a: &Analysis, r: ItemRef<'_>) -> (usize, u32) {
    let Some(inst) = r.instruction() else {
        return (0, r.start);
    };
    if matches!(inst.kind, InstructionKind::Arg | InstructionKind::Env) && !inst.pairs().is_empty()
    {
        let mut named = inst.pairs().iter().filter(|kv| !kv.key.text.is_empty());
        let start = named.next().map(|kv| r.abs(kv.key.range).start);
        let count = start.map_or(0, |_| 1 + named.count());
        return (count, start.unwrap_or(r.start));
    }
    (1, trim(a, r.range()).start)
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

    /// The full outline cut after `max` symbols in outline order (the handler's cut before
    /// the ide stopped early): the kept symbols, how many went, where the first of them starts.
    fn cut_after(syms: &[OutlineSymbol], max: usize) -> (Vec<OutlineSymbol>, usize, Option<u32>) {
        fn walk(
            syms: &[OutlineSymbol],
            room: &mut usize,
            gone: &mut usize,
            first: &mut Option<u32>,
        ) -> Vec<OutlineSymbol> {
            let mut kept = Vec::new();
            for s in syms {
                if *room == 0 {
                    first.get_or_insert(s.range.start);
                    *gone += 1 + count(&s.children);
                    continue;
                }
                *room -= 1;
                let children = walk(&s.children, room, gone, first);
                kept.push(OutlineSymbol {
                    children,
                    ..s.clone()
                });
            }
            kept
        }
        fn count(syms: &[OutlineSymbol]) -> usize {
            syms.iter().map(|s| 1 + count(&s.children)).sum()
        }
        let (mut room, mut gone, mut first) = (max, 0, None);
        let kept = walk(syms, &mut room, &mut gone, &mut first);
        (kept, gone, first)
    }

    /// Stopping early gives the full outline's first symbols, and counts the rest exactly.
    #[test]
    fn capped_outline_is_the_full_outline_cut() {
        for text in [
            TEXT,
            "ARG V=1\nFROM a AS one\nRUN x\nRUN y\nFROM b AS two\nRUN z\n",
            "ARG A=1 B=2 C=3\nFROM a\nENV X=1 Y=2 Z=3\nARG P Q\nFROM b\nRUN y\n",
            "RUN before\nARG =x\nFROM a\nARG =y\nRUN z\n",
            "",
        ] {
            let a = Analysis::from_text(text);
            let full = document_symbols(&a);
            let total = cut_after(&full, 0).1;
            for max in 0..=total + 1 {
                let (kept, gone, first) = cut_after(&full, max);
                let got = capped_symbols(&a, max);
                assert_eq!(got.symbols, kept, "{text:?} max {max}");
                assert_eq!(got.left_out, gone, "{text:?} max {max}");
                assert_eq!(got.first_left_out, first, "{text:?} max {max}");
            }
        }
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
