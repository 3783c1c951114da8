//! Go to definition, find references, document highlights and rename for the three kinds of
//! names a Dockerfile has: stage names, `ARG`/`ENV` variables, and here-document delimiters.
//!
//! Every request starts by asking what is under the cursor ([`target_at`]); each kind then
//! lists its occurrences (`stages`, `variables`, `heredocs`), and the requests are views of
//! that list. Rename checks the new name first and fails with a message instead of producing
//! a Dockerfile that means something else.

mod heredocs;
mod stages;
mod variables;

use layerwise_analysis::vars::{AUTOMATIC_PLATFORM_ARGS, PREDEFINED_ARGS};
use layerwise_syntax::TextRange;

use crate::symbols_at::{symbol_at, Symbol};
use crate::Analysis;
use heredocs::Delimiter;
use variables::VarIndex;

/// What a name under the cursor is.
enum Target {
    Stage(usize),
    Variable { index: VarIndex, def: usize },
    Heredoc(Delimiter),
}

/// How a highlighted occurrence is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Defines (or names) the symbol: `AS name`, `ARG X`, `<<EOF`.
    Write,
    Read,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub range: TextRange,
    pub access: Access,
}

/// One replacement of a rename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: TextRange,
    pub new_text: String,
}

/// Why a rename cannot be done; the message is shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenameError(pub String);

impl std::fmt::Display for RenameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn target_at(a: &Analysis, offset: u32) -> Option<(TextRange, Target)> {
    if let Some((range, d)) = heredocs::delimiter_at(a, offset) {
        return Some((range, Target::Heredoc(d)));
    }
    match symbol_at(a, offset)?.1 {
        Symbol::Variable { .. } => {
            let index = VarIndex::build(a);
            let def = index.def_at(offset)?.ok()?;
            let range = index
                .defs
                .iter()
                .map(|d| d.range)
                .chain(index.uses.iter().map(|u| u.range))
                .find(|r| r.touches(offset))?;
            Some((range, Target::Variable { index, def }))
        }
        Symbol::StageName(_) | Symbol::StageRef(_) | Symbol::BaseImage(_) => {
            let (range, stage) = stages::stage_at(a, offset)?;
            Some((range, Target::Stage(stage)))
        }
        _ => None,
    }
}

fn occurrences(a: &Analysis, target: &mut Target) -> Vec<Occurrence> {
    let access = |def: bool| if def { Access::Write } else { Access::Read };
    match target {
        Target::Stage(i) => stages::occurrences(a, *i)
            .into_iter()
            .map(|o| Occurrence {
                range: o.range,
                access: access(o.is_definition),
            })
            .collect(),
        Target::Variable { index, def } => index
            .occurrences(*def)
            .into_iter()
            .map(|(range, d)| Occurrence {
                range,
                access: access(d),
            })
            .collect(),
        Target::Heredoc(d) => {
            let mut out = vec![Occurrence {
                range: d.opener.unwrap_or(d.opener_word),
                access: Access::Write,
            }];
            out.extend(d.terminator.map(|range| Occurrence {
                range,
                access: Access::Read,
            }));
            out
        }
    }
}

/// Where the symbol under `offset` is defined. For a heredoc delimiter: the other end (opener
/// ↔ terminator). For a stage `ARG X` without a value: the global `ARG X` it takes its
/// default from.
pub fn definition(a: &Analysis, offset: u32) -> Option<TextRange> {
    let (range, target) = target_at(a, offset)?;
    match target {
        Target::Stage(i) => stages::definition(a, i),
        Target::Variable { index, def } => {
            let at_def = index.defs[def].range == range;
            match index.redeclares.get(&def) {
                Some(&g) if at_def => Some(index.defs[g].range),
                _ => Some(index.defs[def].range),
            }
        }
        Target::Heredoc(d) => {
            let opener = d.opener.unwrap_or(d.opener_word);
            if opener == range {
                d.terminator.or(Some(opener))
            } else {
                Some(opener)
            }
        }
    }
}

/// Every occurrence of the symbol under `offset`; definitions only if `include_declaration`.
pub fn references(a: &Analysis, offset: u32, include_declaration: bool) -> Vec<TextRange> {
    let Some((_, mut target)) = target_at(a, offset) else {
        return Vec::new();
    };
    occurrences(a, &mut target)
        .into_iter()
        .filter(|o| include_declaration || o.access == Access::Read)
        .map(|o| o.range)
        .collect()
}

/// The occurrences to highlight for the symbol under `offset`.
pub fn highlights(a: &Analysis, offset: u32) -> Vec<Occurrence> {
    match target_at(a, offset) {
        Some((_, mut target)) => occurrences(a, &mut target),
        None => Vec::new(),
    }
}

/// The range to rename and the current name, or why the symbol cannot be renamed. `Ok(None)`:
/// nothing renamable under the cursor.
pub fn prepare_rename(
    a: &Analysis,
    offset: u32,
) -> Result<Option<(TextRange, String)>, RenameError> {
    let Some((range, target)) = target_at(a, offset) else {
        return Ok(None);
    };
    let old = current_name(a, &target);
    check_renamable(a, &target, &old)?;
    let range = match &target {
        Target::Stage(_) => stages::name_part(a, range, &old).unwrap_or(range),
        _ => range,
    };
    let text = a.slice(range);
    let placeholder = if text.eq_ignore_ascii_case(&old) {
        text.to_string()
    } else {
        old
    };
    Ok(Some((range, placeholder)))
}

/// The edits that rename the symbol under `offset` to `new_name`.
pub fn rename(a: &Analysis, offset: u32, new_name: &str) -> Result<Vec<Edit>, RenameError> {
    let Some((_, mut target)) = target_at(a, offset) else {
        return Err(RenameError("nothing to rename here".into()));
    };
    let old = current_name(a, &target);
    check_renamable(a, &target, &old)?;
    check_new_name(a, &mut target, new_name)?;
    let edit = |range| Edit {
        range,
        new_text: new_name.to_string(),
    };
    let edits = match &mut target {
        Target::Stage(i) => stages::occurrences(a, *i)
            .into_iter()
            .filter(|o| o.by_name)
            .filter_map(|o| stages::name_part(a, o.range, &old))
            .map(edit)
            .collect(),
        Target::Variable { .. } | Target::Heredoc(_) => occurrences(a, &mut target)
            .into_iter()
            .map(|o| edit(o.range))
            .collect(),
    };
    Ok(edits)
}

fn current_name(a: &Analysis, target: &Target) -> String {
    match target {
        Target::Stage(i) => a
            .model
            .stages
            .get(*i)
            .and_then(|s| s.name.clone())
            .unwrap_or_default(),
        Target::Variable { index, def } => index.defs[*def].name.clone(),
        Target::Heredoc(d) => d.name.clone(),
    }
}

fn check_renamable(a: &Analysis, target: &Target, old: &str) -> Result<(), RenameError> {
    match target {
        Target::Stage(i) if old.is_empty() => Err(RenameError(format!(
            "stage {i} has no name to rename: add `AS <name>` to its FROM line first"
        ))),
        Target::Variable { .. } if is_builtin(old) => Err(RenameError(format!(
            "`{old}` is set by the builder; under another name it would lose that value"
        ))),
        Target::Heredoc(d) if d.opener.is_none() => Err(RenameError(format!(
            "the delimiter `{}` is written with escapes; rename it by hand",
            d.name
        ))),
        Target::Heredoc(d) if d.terminator.is_none() => Err(RenameError(format!(
            "the here-document `{}` has no terminator line",
            d.name
        ))),
        _ => {
            let _ = a;
            Ok(())
        }
    }
}

fn is_builtin(name: &str) -> bool {
    AUTOMATIC_PLATFORM_ARGS.iter().any(|(n, _)| *n == name) || PREDEFINED_ARGS.contains(&name)
}

/// BuildKit's rule for stage names (checked on the lower-cased name, as BuildKit does).
fn valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'))
}

fn valid_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn valid_delimiter(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn check_new_name(a: &Analysis, target: &mut Target, new: &str) -> Result<(), RenameError> {
    match target {
        Target::Stage(i) => {
            let lower = new.to_ascii_lowercase();
            if !valid_stage_name(&lower) {
                return Err(RenameError(format!(
                    "`{new}` is not a valid stage name: it must match [a-z][a-z0-9-_.]* (letters in any case)"
                )));
            }
            if let Some(other) = a
                .model
                .stages
                .iter()
                .find(|s| s.index != *i && s.name.as_deref() == Some(lower.as_str()))
            {
                return Err(RenameError(format!(
                    "stage {} is already named `{}`",
                    other.index, lower
                )));
            }
            Ok(())
        }
        Target::Variable { index, def } => {
            if !valid_variable_name(new) {
                return Err(RenameError(format!(
                    "`{new}` is not a valid variable name: it must match [A-Za-z_][A-Za-z0-9_]*"
                )));
            }
            if is_builtin(new) {
                return Err(RenameError(format!(
                    "`{new}` is set by the builder; choose another name"
                )));
            }
            let scopes = index.scopes_of(*def);
            let own = index.defs[*def].name.clone();
            if let Some(clash) = index
                .defs
                .iter()
                .find(|d| d.name == new && new != own && scopes.contains(&d.stage))
            {
                let where_ = match clash.stage {
                    Some(s) => format!("in stage {s}"),
                    None => "globally".to_string(),
                };
                return Err(RenameError(format!("`{new}` is already defined {where_}")));
            }
            Ok(())
        }
        Target::Heredoc(d) => {
            if !valid_delimiter(new) {
                return Err(RenameError(format!(
                    "`{new}` is not a usable delimiter: use letters, digits, `_`, `-` or `.`"
                )));
            }
            if heredocs::body_has_line(a, d, new) {
                return Err(RenameError(format!(
                    "the here-document body has a line `{new}`, which would end it early"
                )));
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests;
