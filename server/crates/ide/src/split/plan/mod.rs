//! The plan of a split: the builder stage as a list of entries (original units, rewritten
//! pieces of units, generated lines) and the runtime stage in slots, filled by the steps all
//! stacks share and rendered to text.
//!
//! One file a job: `classify` (which instructions build, which describe the container, which
//! both stages need) and `distribute`; `builder` (the builder's own rewrites: the app
//! directory, moving an install ahead of the broad `COPY`, merging `apt-get update`);
//! `runtime` (runtime packages, `ARG` redeclarations, files copied from the builder);
//! `user` (who the runtime runs as); `render` (the text). This file holds the plan itself
//! and the edits inside original units that every step goes through.

mod builder;
mod classify;
mod render;
mod runtime;
mod user;

use std::collections::{BTreeSet, HashMap};

use layerwise_syntax::TextRange;

use super::images::RuntimeImage;
use super::text::Style;
use super::view::{Unit, View};
use classify::{classify, Class};

/// A `CMD` or `ENTRYPOINT`: its unit and its words.
pub(crate) type EntryWords = (usize, Vec<String>);

/// One piece of a stage.
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    /// An original unit (comments and instruction), with its edits applied if it has any.
    Unit(usize),
    /// A rewritten piece of a unit (its instruction is replaced on purpose); `comments`
    /// says whether the unit's comments go with this piece.
    Part {
        unit: usize,
        text: String,
        comments: bool,
    },
    /// Generated lines (an instruction or a comment), without the final line break.
    Gen(String),
    Blank,
}

pub(crate) struct Plan<'v, 'a> {
    pub v: &'v View<'a>,
    pub style: Style,
    pub classes: Vec<Class>,
    pub builder_name: String,
    /// Builder entries after its `FROM`.
    pub b: Vec<Entry>,
    /// Text edits inside original units (file ranges), applied when they are rendered.
    pub unit_edits: HashMap<usize, Vec<(TextRange, String)>>,
    pub rt: RuntimeImage,
    /// The directory the app lives in, in both stages.
    pub app_dir: String,
    pub rt_args: Vec<Entry>,
    pub rt_setup: Vec<Entry>,
    pub rt_env: Vec<Entry>,
    pub rt_workdir: Option<Entry>,
    pub rt_copies: Vec<Entry>,
    pub rt_tail: Vec<Entry>,
    pub rt_user: Option<Entry>,
    /// Units whose `CMD`/`ENTRYPOINT` the stack rewrote: unit → new text.
    pub replaced: BTreeSet<usize>,
    pub notes: Vec<String>,
    /// The user the runtime stage runs as (for `--chown`).
    pub user_name: Option<String>,
    /// Files the stack's runtime copies from the builder: (path there, path in the runtime).
    pub artifacts: Vec<(String, String)>,
    /// A new container command (exec-form words) replacing one that needs the toolchain,
    /// and why.
    pub new_command: Option<(Vec<String>, String)>,
}

impl<'v, 'a> Plan<'v, 'a> {
    pub fn new(v: &'v View<'a>, rt: RuntimeImage, builder_name: String) -> Self {
        let classes = v.units.iter().map(|u| classify(v, u)).collect();
        Plan {
            v,
            style: v.style,
            classes,
            builder_name,
            b: Vec::new(),
            unit_edits: HashMap::new(),
            notes: rt.notes.clone(),
            rt,
            app_dir: "/".into(),
            rt_args: Vec::new(),
            rt_setup: Vec::new(),
            rt_env: Vec::new(),
            rt_workdir: None,
            rt_copies: Vec::new(),
            rt_tail: Vec::new(),
            rt_user: None,
            replaced: BTreeSet::new(),
            user_name: None,
            artifacts: Vec::new(),
            new_command: None,
        }
    }

    pub fn unit(&self, i: usize) -> &'v Unit {
        &self.v.units[i]
    }

    pub fn nl(&self) -> &'static str {
        self.style.nl()
    }

    /// The instruction's own text (no comments), as one or more lines without the final
    /// line break.
    pub fn instruction_text(&self, i: usize) -> String {
        let u = self.unit(i);
        let Some(item) = u.item else {
            return String::new();
        };
        let text = self.edited_item_text(i, item);
        text.trim_end_matches(['\n', '\r']).to_string()
    }

    pub(super) fn edited_item_text(&self, i: usize, item: usize) -> String {
        let text = self.v.item_text(item);
        let Some(edits) = self.unit_edits.get(&i) else {
            return text.to_string();
        };
        let start = self.v.item_range(item).start;
        let mut edits: Vec<&(TextRange, String)> = edits.iter().collect();
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        let mut out = String::new();
        let mut pos = 0usize;
        for (r, t) in edits {
            let a = r.start.saturating_sub(start) as usize;
            let b = r.end.saturating_sub(start) as usize;
            if a < pos || b > text.len() || !text.is_char_boundary(a) || !text.is_char_boundary(b) {
                continue;
            }
            out.push_str(&text[pos..a]);
            out.push_str(t);
            pos = b;
        }
        out.push_str(&text[pos..]);
        out
    }

    /// The text of a file range inside unit `i`, with the unit's edits in it applied.
    pub fn slice_edited(&self, i: usize, range: TextRange) -> String {
        let mut edits: Vec<&(TextRange, String)> = self
            .unit_edits
            .get(&i)
            .map(|e| e.iter().filter(|(r, _)| range.contains_range(*r)).collect())
            .unwrap_or_default();
        edits.sort_by_key(|(r, _)| (r.start, r.end));
        let mut out = String::new();
        let mut pos = range.start;
        for (r, t) in edits {
            if r.start < pos {
                continue;
            }
            out.push_str(self.v.slice(TextRange::new(pos, r.start)));
            out.push_str(t);
            pos = r.end;
        }
        out.push_str(self.v.slice(TextRange::new(pos, range.end)));
        out
    }

    /// Adds an edit inside unit `i`'s instruction (marks it as replaced on purpose).
    pub fn edit_unit(&mut self, i: usize, range: TextRange, text: impl Into<String>) {
        self.unit_edits
            .entry(i)
            .or_default()
            .push((range, text.into()));
    }

    /// Position in `b` of the entry holding unit `i`.
    pub fn pos_in_b(&self, i: usize) -> Option<usize> {
        self.b.iter().position(|e| match e {
            Entry::Unit(u) => *u == i,
            Entry::Part { unit, .. } => *unit == i,
            _ => false,
        })
    }

    /// Units in the builder, in builder order.
    pub fn b_units(&self) -> Vec<usize> {
        self.b
            .iter()
            .filter_map(|e| match e {
                Entry::Unit(u) => Some(*u),
                _ => None,
            })
            .collect()
    }
}
