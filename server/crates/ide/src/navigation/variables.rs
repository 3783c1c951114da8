//! Which `ARG`/`ENV` definition each `$X` use refers to, and which definitions are "the same
//! variable" for references and rename.
//!
//! One forward pass over the instructions keeps, per stage, the definition in force for each
//! name (BuildKit's rule: the latest `ENV` of a name wins over any `ARG`, else the latest
//! definition). That is linear in the file, unlike asking the model for the scope before every
//! instruction. Definitions are grouped with a union-find:
//! - a global `ARG` and every stage's `ARG` that redeclares it are one variable;
//! - definitions of one name in one stage are one variable (a redefinition is an assignment);
//! - a stage built `FROM` another continues that stage's `ENV` variables.
//!
//! Where a use is looked up:
//! - `FROM` lines and global `ARG` values: the global `ARG`s;
//! - `CMD`, `ENTRYPOINT`, `HEALTHCHECK`: only `ENV` (they run in the container, where build
//!   args are gone);
//! - everything else (builder-expanded instructions and `RUN` shell text): `ARG` and `ENV`;
//! - `ONBUILD` text runs in another build and is not looked up here; neither are comment lines
//!   inside an instruction nor the bodies of quoted-delimiter `COPY`/`ADD` here-documents.

use std::collections::HashMap;

use layerwise_analysis::Base;
use layerwise_syntax::{expand, InstructionKind, ItemRef, TextRange, TokenKind};

use crate::Analysis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DefSite {
    pub name: String,
    pub range: TextRange,
    /// `None` for global `ARG`s.
    pub stage: Option<usize>,
    pub is_arg: bool,
    /// `ARG X` without a value.
    pub bare: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UseSite {
    pub range: TextRange,
    pub def: Option<usize>,
}

/// Every definition and use in the file, resolved and grouped.
pub(crate) struct VarIndex {
    pub defs: Vec<DefSite>,
    pub uses: Vec<UseSite>,
    parent: Vec<usize>,
    /// For a bare stage `ARG` redeclaring a global one: that global definition.
    pub redeclares: HashMap<usize, usize>,
}

/// The definitions in force for one name in one scope.
#[derive(Debug, Clone, Copy, Default)]
struct InForce {
    last_env: Option<usize>,
    last_any: Option<usize>,
}

impl InForce {
    fn lookup(&self, env_only: bool) -> Option<usize> {
        if env_only {
            self.last_env
        } else {
            self.last_env.or(self.last_any)
        }
    }
}

impl VarIndex {
    pub fn build(a: &Analysis) -> Self {
        let mut ix = VarIndex {
            defs: Vec::new(),
            uses: Vec::new(),
            parent: Vec::new(),
            redeclares: HashMap::new(),
        };
        let escape = a.file.escape();
        let mut global: HashMap<String, InForce> = HashMap::new();
        let mut stages: Vec<HashMap<String, InForce>> = vec![HashMap::new(); a.model.stages.len()];
        for info in &a.model.instructions {
            let Some(r) = a.file.item(info.item) else {
                continue;
            };
            let Some(inst) = r.instruction() else {
                continue;
            };
            if info.kind == InstructionKind::From {
                if let Some(s) = info.stage {
                    if let Some(Base::Stage(b)) = a.model.stages.get(s).map(|st| &st.base) {
                        if *b < s {
                            let inherited: HashMap<String, InForce> = stages[*b]
                                .iter()
                                .filter_map(|(k, v)| {
                                    v.last_env.map(|e| {
                                        (
                                            k.clone(),
                                            InForce {
                                                last_env: Some(e),
                                                last_any: Some(e),
                                            },
                                        )
                                    })
                                })
                                .collect();
                            stages[s] = inherited;
                        }
                    }
                }
            }
            if info.kind == InstructionKind::Onbuild {
                continue;
            }
            // uses first: an instruction's own definitions are not visible to its own text
            let stage_scope = match (info.kind, info.stage) {
                (InstructionKind::From, _) | (_, None) => None,
                (_, Some(s)) => Some(s),
            };
            let env_only = matches!(
                info.kind,
                InstructionKind::Cmd | InstructionKind::Entrypoint | InstructionKind::Healthcheck
            );
            for range in use_ranges(r, escape) {
                let name = a.slice(range);
                let scope = match stage_scope {
                    Some(s) => stages.get(s),
                    None => Some(&global),
                };
                let def = scope
                    .and_then(|m| m.get(name))
                    .and_then(|f| f.lookup(env_only));
                ix.uses.push(UseSite { range, def });
            }
            if !matches!(info.kind, InstructionKind::Arg | InstructionKind::Env) {
                continue;
            }
            let is_arg = info.kind == InstructionKind::Arg;
            for kv in inst.pairs() {
                let id = ix.defs.len();
                let name = kv.key.text.to_string();
                ix.defs.push(DefSite {
                    name: name.clone(),
                    range: r.abs(kv.key.range),
                    stage: info.stage,
                    is_arg,
                    bare: kv.value.is_none(),
                });
                ix.parent.push(id);
                let scope = match info.stage {
                    Some(s) => match stages.get_mut(s) {
                        Some(m) => m,
                        None => continue,
                    },
                    None => &mut global,
                };
                let entry = scope.entry(name.clone()).or_default();
                if let Some(prev) = entry.last_any {
                    ix.union(prev, id);
                }
                entry.last_any = Some(id);
                if !is_arg {
                    entry.last_env = Some(id);
                }
                if is_arg && info.stage.is_some() {
                    if let Some(g) = global.get(&name).and_then(|f| f.last_any) {
                        ix.union(g, id);
                        if kv.value.is_none() {
                            ix.redeclares.insert(id, g);
                        }
                    }
                }
            }
        }
        ix
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[rb.max(ra)] = rb.min(ra);
        }
    }

    /// The definition under `offset`, or the definition a use under `offset` resolves to.
    /// `Err(())` when the offset is on a use that resolves to nothing in the file.
    pub fn def_at(&self, offset: u32) -> Option<Result<usize, ()>> {
        if let Some(d) = self.defs.iter().position(|d| d.range.touches(offset)) {
            return Some(Ok(d));
        }
        self.uses
            .iter()
            .find(|u| u.range.touches(offset))
            .map(|u| u.def.ok_or(()))
    }

    /// Every definition and use of the variable `def` belongs to, in file order:
    /// `(range, is_definition)`.
    pub fn occurrences(&mut self, def: usize) -> Vec<(TextRange, bool)> {
        let root = self.find(def);
        let mut out = Vec::new();
        for d in 0..self.defs.len() {
            if self.find(d) == root {
                out.push((self.defs[d].range, true));
            }
        }
        for u in 0..self.uses.len() {
            if let Some(d) = self.uses[u].def {
                if self.find(d) == root {
                    out.push((self.uses[u].range, false));
                }
            }
        }
        out.sort_by_key(|(r, _)| (r.start, r.end));
        out.dedup();
        out
    }

    /// The stages (`None`: the global scope) the variable of `def` is defined in.
    pub fn scopes_of(&mut self, def: usize) -> Vec<Option<usize>> {
        let root = self.find(def);
        let mut out: Vec<Option<usize>> = Vec::new();
        for d in 0..self.defs.len() {
            if self.find(d) == root && !out.contains(&self.defs[d].stage) {
                out.push(self.defs[d].stage);
            }
        }
        out
    }
}

/// The name ranges (file offsets) of the `$X` / `${X...}` uses of one instruction item.
fn use_ranges(r: ItemRef<'_>, escape: char) -> Vec<TextRange> {
    let Some(inst) = r.instruction() else {
        return Vec::new();
    };
    let start = inst.keyword.range.end as usize;
    let Some(text) = r.text().get(start..) else {
        return Vec::new();
    };
    if !text.contains('$') {
        return Vec::new();
    }
    let mut skip: Vec<TextRange> = Vec::new();
    if r.item.newlines() > 1 {
        skip.extend(
            r.item
                .tokens()
                .iter()
                .filter(|t| t.kind == TokenKind::Comment)
                .map(|t| t.range),
        );
    }
    let effective = inst.effective();
    if matches!(effective.kind, InstructionKind::Copy | InstructionKind::Add) {
        skip.extend(
            effective
                .heredocs
                .iter()
                .filter(|h| !h.expand)
                .map(|h| h.body),
        );
    }
    expand::references(text, escape)
        .into_iter()
        .filter(|v| !v.name.is_empty())
        .map(|v| TextRange::from_usize(v.name_range.start + start, v.name_range.end + start))
        .filter(|rel| !skip.iter().any(|s| s.contains_range(*rel)))
        .map(|rel| r.abs(rel))
        .collect()
}
