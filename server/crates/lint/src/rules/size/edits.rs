//! Small text edits the size and cache fixes share: add an argument after a word of a `RUN`
//! command, append a command to a `RUN`, add a flag to a `RUN`. Each keeps the instruction's
//! form (shell or exec) so the file still parses.

use layerwise_analysis::shell::{ShellCommand, ShellWord};
use layerwise_syntax::{Args, TextRange};

use crate::context::{to_range, InstRef};
use crate::diagnostic::Edit;
use crate::shell_append::{appends_cleanly, script_ending_at};

/// Inserts `arg` right after `word` (a word of a command of `run`).
pub(crate) fn insert_arg_after(run: &InstRef<'_>, word: &ShellWord, arg: &str) -> Edit {
    let at = TextRange::empty(word.range.end as u32);
    let text = if matches!(run.inst.args, Args::Exec { .. }) {
        format!(", {}", json_string(arg))
    } else {
        format!(" {arg}")
    };
    Edit {
        range: at,
        text: text.into(),
    }
}

/// Appends `command` after the last command of a shell-form `RUN` (` && command`). `None` for
/// the exec form, which runs one program and cannot chain, and when the script ends inside
/// something left open (a quote, `$(`, an escape): the command would become part of it, the
/// finding would stay, and "fix all" would append it again every round.
pub(crate) fn append_command(
    run: &InstRef<'_>,
    commands: &[ShellCommand],
    command: &str,
) -> Option<Edit> {
    if !matches!(run.inst.args, Args::Text(_)) {
        return None;
    }
    let last = commands.last()?;
    let end = to_range(&last.range).end;
    // With here-documents, chain only inside a script body (`RUN <<EOF`), not on the opener line.
    if !run.inst.heredocs.is_empty()
        && !run
            .inst
            .heredocs
            .iter()
            .any(|h| run.abs(h.body).contains_range(TextRange::empty(end)))
    {
        return None;
    }
    // After `cmd &` or `cmd |` the script would read differently: only chain after a command
    // that ends the script (or a `;`/newline-terminated last command).
    if matches!(last.terminator, "&" | "|" | "&&" | "||") {
        return None;
    }
    // A script that ends inside an open quote, `$(` or escape would swallow the command.
    if !script_ending_at(run, end).is_some_and(|s| appends_cleanly(s, command)) {
        return None;
    }
    Some(Edit {
        range: TextRange::empty(end),
        text: format!(" && {command}").into(),
    })
}

/// Adds a flag (`--mount=...`) to a `RUN`, right after the keyword.
pub(crate) fn add_run_flag(run: &InstRef<'_>, flag: &str) -> Edit {
    Edit {
        range: TextRange::empty(run.keyword_range().end),
        text: format!(" {flag}").into(),
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
