//! Whether a fix can chain a command onto the end of a `RUN`'s shell script.
//!
//! Fixes that clean up after an install append ` && <command>` after the script's last
//! command. That is right only when the script ends at the top level of the shell: after an
//! unclosed quote, an open `$(`, a backquote or a trailing escape, the appended text becomes
//! part of the last word instead of a new command — the rule still sees nothing cleaned up,
//! offers the same fix again, and "fix all" never converges.
//!
//! Rather than re-deriving every way a script can end open, the check appends for real and
//! splits the result with the same splitter the rules read scripts with: the append is clean
//! when the old commands are unchanged and exactly the appended ones follow.

use layerwise_analysis::shell::{split_script, ShellCommand};
use layerwise_syntax::Args;

use crate::context::InstRef;

/// The shell script a `RUN` runs whose last command ends at `end` (a file offset): the shell
/// form's text, or the body of the here-document that contains `end`. `None` for the exec
/// form and anything else.
pub fn script_ending_at<'a>(run: &InstRef<'a>, end: u32) -> Option<&'a str> {
    let inst = run.inst;
    let Args::Text(w) = &inst.args else {
        return None;
    };
    if inst.heredocs.is_empty() {
        return Some(&w.text);
    }
    inst.heredocs
        .iter()
        .find(|h| run.abs(h.body).start <= end && end <= run.abs(h.body).end)
        .map(|h| run.item.slice(h.body))
}

/// Whether ` && {command}` placed right after the last command of `script` runs as a command
/// of its own, after every command the script already has, which stay as they are.
pub fn appends_cleanly(script: &str, command: &str) -> bool {
    let before = split_script(script);
    let Some(last) = before.last() else {
        return false;
    };
    let at = last.range.end.min(script.len());
    if !script.is_char_boundary(at) {
        return false;
    }
    let mut joined = String::with_capacity(script.len() + command.len() + 4);
    joined.push_str(&script[..at]);
    joined.push_str(" && ");
    joined.push_str(command);
    joined.push_str(&script[at..]);
    only_added(&before, command, &joined)
}

/// Whether `first && second` — `second` placed after the *whole* of `first`, as joining two
/// `RUN`s does — runs `first`'s commands unchanged and then `second`'s. Not when `first` ends
/// with `;` or `&` (`a; && b` is a syntax error), inside a quote, or in a comment (`a # c && b`
/// would comment `b` out).
pub fn joins_cleanly(first: &str, second: &str) -> bool {
    let before = split_script(first);
    let Some(last) = before.last() else {
        return false;
    };
    if !last.terminator.is_empty() {
        return false;
    }
    let mut joined = String::with_capacity(first.len() + second.len() + 4);
    joined.push_str(first);
    joined.push_str(" && ");
    joined.push_str(second);
    only_added(&before, second, &joined)
}

/// Whether `joined` splits into exactly the commands `before` had, unchanged, followed by
/// those of `added`.
fn only_added(before: &[ShellCommand], added: &str, joined: &str) -> bool {
    let after = split_script(joined);
    let added = split_script(added);
    after.len() == before.len() + added.len()
        && before.iter().zip(&after).all(|(a, b)| same_words(a, b))
        && added
            .iter()
            .zip(&after[before.len()..])
            .all(|(a, b)| same_words(a, b))
}

fn same_words(a: &ShellCommand, b: &ShellCommand) -> bool {
    a.words.len() == b.words.len() && a.words.iter().zip(&b.words).all(|(x, y)| x.text == y.text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_only_scripts_that_end_at_the_top_level() {
        assert!(joins_cleanly("mkdir /d", "chown x /d"));
        assert!(joins_cleanly("a && b", "c | d"));
        for first in [
            "mkdir /d # c",
            "mkdir /d;",
            "sleep 1 &",
            "echo \"open",
            "echo $(date",
        ] {
            assert!(!joins_cleanly(first, "chown x /d"), "{first}");
        }
    }

    #[test]
    fn appends_after_a_script_that_ends_at_the_top_level() {
        for script in [
            "apt-get update && apt-get install -y curl",
            "apt-get install -y \"curl\" 'git'",
            "apt-get install -y curl # a comment",
            "apt-get install -y curl;",
            "echo \"$(date)\" `id -u`",
            "apt-get install -y \\\n    curl",
        ] {
            assert!(
                appends_cleanly(script, "rm -rf /var/lib/apt/lists/*"),
                "{script}"
            );
        }
    }

    #[test]
    fn no_append_inside_something_left_open() {
        for script in [
            "apt-get update && apt-get install -y \"curl",
            "apt-get install -y 'curl",
            "apt-get install -y $(cat pkgs",
            "apt-get install -y `cat pkgs",
            "apt-get install -y curl\\",
            "",
        ] {
            assert!(!appends_cleanly(script, "zypper clean --all"), "{script:?}");
        }
    }
}
