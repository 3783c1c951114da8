//! What is at an offset, in terms the features share: hover, go to definition, references,
//! highlights and rename all start here.

use layerwise_analysis::RefTarget;
use layerwise_syntax::{expand, InstructionKind, ItemKind, TextRange};

use crate::Analysis;

/// Where a variable is mentioned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarSite {
    /// In a `FROM` line: the global scope.
    Global,
    /// Used in instruction `i` (value before it runs).
    Use(usize),
    /// Defined by instruction `i` (value after it runs).
    Def(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Symbol {
    Keyword(InstructionKind),
    Flag {
        kind: InstructionKind,
        name: String,
    },
    /// A variable reference or definition, and where its value is looked up.
    Variable {
        name: String,
        site: VarSite,
    },
    /// The `AS name` of a stage.
    StageName(usize),
    /// A `COPY --from=`, `--mount from=` or `FROM <stage>` reference.
    StageRef(RefTarget),
    /// The image of a `FROM` that is not a stage.
    BaseImage(usize),
    /// A rule name or code in a suppression comment.
    Rule(String),
    Directive(String),
}

pub fn symbol_at(a: &Analysis, offset: u32) -> Option<(TextRange, Symbol)> {
    let r = a.item_at(offset)?;
    match r.item.kind {
        ItemKind::Directive => {
            let d = r.item.directive()?;
            let range = r.abs(d.name_range);
            range
                .touches(offset)
                .then(|| (range, Symbol::Directive(d.name.to_string())))
        }
        ItemKind::Comment => rule_in_comment(r.text(), r.start, offset),
        ItemKind::Blank => None,
        ItemKind::Instruction => instruction_symbol(a, r, offset),
    }
}

fn rule_in_comment(text: &str, base: u32, offset: u32) -> Option<(TextRange, Symbol)> {
    let body = text.trim_start();
    let lead = (text.len() - body.len()) as u32;
    if !(body.contains("hadolint") || body.contains("check=") || body.contains("layerwise:")) {
        return None;
    }
    let mut start = None;
    for (i, c) in body
        .char_indices()
        .chain(std::iter::once((body.len(), ' ')))
    {
        let sep = c.is_whitespace() || matches!(c, ',' | '=' | '[' | ']' | ';' | '#');
        match (sep, start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                let range = TextRange::from_usize(s, i).shifted(base + lead);
                let word = &body[s..i];
                if range.touches(offset) && layerwise_lint::rules::find(word).is_some() {
                    return Some((range, Symbol::Rule(word.to_string())));
                }
                start = None;
            }
            _ => {}
        }
    }
    None
}

fn instruction_symbol(
    a: &Analysis,
    r: layerwise_syntax::ItemRef<'_>,
    offset: u32,
) -> Option<(TextRange, Symbol)> {
    let index = a.model.instruction_of_item(r.index)?;
    let outer = r.instruction()?;
    let inst = outer.effective();
    for k in [&outer.keyword, &inst.keyword] {
        let range = r.abs(k.range);
        if range.touches(offset) && !range.is_empty() {
            return Some((
                range,
                Symbol::Keyword(if std::ptr::eq(k, &outer.keyword) {
                    outer.kind
                } else {
                    inst.kind
                }),
            ));
        }
    }
    // variables come before stage and image words, which may contain them
    if let Some(hit) = variable_at(a, r, index, offset) {
        return Some(hit);
    }
    for rf in a.model.refs.iter().filter(|rf| rf.instruction == index) {
        if rf.range.touches(offset) {
            return Some((rf.range, Symbol::StageRef(rf.target.clone())));
        }
    }
    for st in a.model.stages.iter().filter(|s| s.from == index) {
        if let Some(nr) = st.name_range.filter(|nr| nr.touches(offset)) {
            return Some((nr, Symbol::StageName(st.index)));
        }
        if st.base_range.touches(offset) && !st.base_range.is_empty() {
            return Some((st.base_range, Symbol::BaseImage(st.index)));
        }
    }
    for f in &inst.flags {
        let range = r.abs(f.name_range);
        if TextRange::new(r.abs(f.range).start, range.end).touches(offset) {
            return Some((
                r.abs(f.range),
                Symbol::Flag {
                    kind: inst.kind,
                    name: f.name().to_ascii_lowercase(),
                },
            ));
        }
    }
    None
}

fn variable_at(
    a: &Analysis,
    r: layerwise_syntax::ItemRef<'_>,
    index: usize,
    offset: u32,
) -> Option<(TextRange, Symbol)> {
    let inst = r.instruction()?.effective();
    // definitions: ARG/ENV keys
    if matches!(inst.kind, InstructionKind::Arg | InstructionKind::Env) {
        for kv in inst.pairs() {
            let range = r.abs(kv.key.range);
            if range.touches(offset) {
                return Some((
                    range,
                    Symbol::Variable {
                        name: kv.key.text.to_string(),
                        site: VarSite::Def(index),
                    },
                ));
            }
        }
    }
    // uses: $NAME / ${NAME...} anywhere after the keyword
    let start = inst.keyword.range.end as usize;
    let text = r.text().get(start..)?;
    for v in expand::references(text, a.file.escape()) {
        let range = TextRange::from_usize(v.name_range.start + start, v.name_range.end + start)
            .shifted(r.start);
        let whole =
            TextRange::from_usize(v.range.start + start, v.range.end + start).shifted(r.start);
        if whole.touches(offset) && range.touches(offset) {
            let site = if inst.kind == InstructionKind::From {
                VarSite::Global
            } else {
                VarSite::Use(index)
            };
            return Some((range, Symbol::Variable { name: v.name, site }));
        }
    }
    None
}
