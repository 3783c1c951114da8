//! Rendering the plan: the builder's named `FROM` and entries, a blank line, then the runtime
//! stage's slots in order (`USER` right before the container's command).

use layerwise_syntax::InstructionKind;

use super::super::view::push_line;
use super::{Entry, Plan};

impl Plan<'_, '_> {
    /// The `FROM` line of the builder, named.
    fn builder_from(&self) -> String {
        let Some(item) = self.v.a.file.item(self.v.from_item) else {
            return String::new();
        };
        let text = item.text();
        let Some(inst) = item.instruction() else {
            return text.to_string();
        };
        let has_name = inst.from_parts().is_some_and(|p| p.name.is_some());
        if has_name {
            let mut s = String::new();
            push_line(&mut s, text, self.style);
            return s;
        }
        let end = inst
            .arg_words()
            .last()
            .map_or(text.trim_end().len(), |w| w.range.end as usize);
        let mut s = String::new();
        s.push_str(&text[..end]);
        s.push_str(" AS ");
        s.push_str(&self.builder_name);
        push_line(&mut s, &text[end..], self.style);
        s
    }

    fn render_entries(&self, out: &mut String, entries: &[Entry]) {
        for e in entries {
            match e {
                Entry::Unit(i) => {
                    let u = self.unit(*i);
                    for &c in &u.comments {
                        push_line(out, self.v.item_text(c), self.style);
                    }
                    if let Some(item) = u.item {
                        push_line(out, &self.edited_item_text(*i, item), self.style);
                    }
                }
                Entry::Part {
                    unit,
                    text,
                    comments,
                } => {
                    if *comments {
                        for &c in &self.unit(*unit).comments {
                            push_line(out, self.v.item_text(c), self.style);
                        }
                    }
                    // an empty part keeps only the comments (its instruction merged away)
                    if !text.is_empty() {
                        push_line(out, text, self.style);
                    }
                }
                Entry::Gen(t) => push_line(out, t, self.style),
                Entry::Blank => {
                    if !out.is_empty() && !ends_with_blank(out) {
                        out.push_str(self.nl());
                    }
                }
            }
        }
    }

    /// The text that replaces the stage: builder, a blank line, runtime.
    pub fn render(&self, runtime_from: &str) -> String {
        let nl = self.nl();
        let mut out = String::new();
        for &c in &self.v.from_comments {
            push_line(&mut out, self.v.item_text(c), self.style);
        }
        out.push_str(&self.builder_from());
        let mut body = String::new();
        self.render_entries(&mut body, &self.b);
        out.push_str(body.trim_end_matches(['\n', '\r']));
        if !body.trim().is_empty() {
            out.push_str(nl);
        }
        out.push_str(nl);
        push_line(&mut out, &format!("FROM {runtime_from}"), self.style);
        let mut rt = String::new();
        self.render_entries(&mut rt, &self.rt_args);
        self.render_entries(&mut rt, &self.rt_setup);
        self.render_entries(&mut rt, &self.rt_env);
        self.render_entries(&mut rt, self.rt_workdir.as_slice());
        self.render_entries(&mut rt, &self.rt_copies);
        // USER goes right before the first CMD/ENTRYPOINT (or at the end)
        let first_exec = self.rt_tail.iter().position(|e| match e {
            Entry::Unit(i) | Entry::Part { unit: i, .. } => matches!(
                self.unit(*i).kind,
                InstructionKind::Cmd | InstructionKind::Entrypoint
            ),
            _ => false,
        });
        let split_at = first_exec.unwrap_or(self.rt_tail.len());
        let tail_units: Vec<Entry> = self.rt_tail[..split_at].to_vec();
        self.render_entries(&mut rt, &tail_units);
        self.render_entries(&mut rt, self.rt_user.as_slice());
        self.render_entries(&mut rt, &self.rt_tail[split_at..]);
        for &c in &self.v.trailing {
            push_line(&mut rt, self.v.item_text(c), self.style);
        }
        out.push_str(&rt);
        out
    }
}

fn ends_with_blank(s: &str) -> bool {
    s.ends_with("\n\n") || s.ends_with("\r\n\r\n")
}
