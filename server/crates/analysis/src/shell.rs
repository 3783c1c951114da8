//! A small, span-keeping splitter for the shell scripts in `RUN`: commands (split at `&&`,
//! `||`, `;`, `|`, `&` and line breaks) made of words (quotes removed, positions kept). It is
//! not a shell; it is enough for rules to ask "which commands run, with which arguments".

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellWord {
    /// The word with quotes and escapes removed.
    pub text: String,
    /// Byte range in the script.
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellCommand {
    /// Words, environment assignments (`A=b cmd`) included.
    pub words: Vec<ShellWord>,
    pub range: Range<usize>,
    /// The operator that ends this command (`&&`, `|`, `;`...), empty at the end.
    pub terminator: &'static str,
}

impl ShellCommand {
    /// Words after leading `VAR=value` assignments and `sudo`/`env`-like wrappers.
    pub fn argv(&self) -> &[ShellWord] {
        let mut i = 0;
        while i < self.words.len() {
            let w = &self.words[i].text;
            let is_assign = w.split_once('=').is_some_and(|(k, _)| {
                !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
            // shell keywords that precede a command (`if apk add ...; then apt-get ...`)
            let keyword = matches!(
                w.as_str(),
                "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "{"
            );
            if is_assign
                || keyword
                || matches!(w.as_str(), "sudo" | "exec" | "time" | "nohup" | "command")
            {
                i += 1;
            } else {
                break;
            }
        }
        &self.words[i..]
    }

    /// The program name (`apt-get`, `npm`...), path stripped.
    pub fn program(&self) -> Option<&str> {
        self.argv()
            .first()
            .map(|w| w.text.rsplit('/').next().unwrap_or(&w.text))
    }

    /// `true` if any argument equals one of `flags`.
    pub fn has_arg(&self, flags: &[&str]) -> bool {
        self.argv()
            .iter()
            .skip(1)
            .any(|w| flags.contains(&w.text.as_str()))
    }

    /// Non-flag arguments after the program and the given subcommand words.
    pub fn positional(&self) -> impl Iterator<Item = &ShellWord> {
        self.argv()
            .iter()
            .skip(1)
            .filter(|w| !w.text.starts_with('-'))
    }

    /// `argv[1]`, the subcommand for tools like `apt-get install`, `npm ci`.
    pub fn subcommand(&self) -> Option<&str> {
        self.argv()
            .iter()
            .skip(1)
            .find(|w| !w.text.starts_with('-'))
            .map(|w| w.text.as_str())
    }
}

/// Splits a script. Never fails; unterminated quotes run to the end.
pub fn split_script(script: &str) -> Vec<ShellCommand> {
    let b = script.as_bytes();
    let mut commands = Vec::new();
    let mut words: Vec<ShellWord> = Vec::new();
    let mut cmd_start: Option<usize> = None;
    let mut i = 0;
    let finish = |words: &mut Vec<ShellWord>,
                  commands: &mut Vec<ShellCommand>,
                  start: Option<usize>,
                  _at: usize,
                  term: &'static str| {
        if let Some(last) = words.last() {
            let end = last.range.end;
            commands.push(ShellCommand {
                words: std::mem::take(words),
                range: start.unwrap_or(0)..end,
                terminator: term,
            });
        }
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if matches!(b.get(i + 1), Some(b'\n')) => i += 2,
            b'\n' | b';' => {
                finish(
                    &mut words,
                    &mut commands,
                    cmd_start,
                    i,
                    if c == b';' { ";" } else { "\n" },
                );
                cmd_start = None;
                i += 1;
            }
            b'&' | b'|' => {
                let double = b.get(i + 1) == Some(&c);
                let term = match (c, double) {
                    (b'&', true) => "&&",
                    (b'&', false) => "&",
                    (b'|', true) => "||",
                    _ => "|",
                };
                finish(&mut words, &mut commands, cmd_start, i, term);
                cmd_start = None;
                i += if double { 2 } else { 1 };
            }
            b'(' | b')' | b'{' | b'}' if words.is_empty() || c == b')' || c == b'}' => {
                // subshells and groups: treat as separators
                finish(&mut words, &mut commands, cmd_start, i, ";");
                cmd_start = None;
                i += 1;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {
                let (w, end) = word(script, i);
                cmd_start.get_or_insert(i);
                words.push(w);
                i = end;
            }
        }
    }
    finish(&mut words, &mut commands, cmd_start, b.len(), "");
    commands
}

/// Bytes that end a run of ordinary word characters: separators, quotes, escapes, `$(`, `)`.
const PLAIN_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let stops = b" \t\r\n;&|)\\'\"$";
    let mut k = 0;
    while k < stops.len() {
        t[stops[k] as usize] = true;
        k += 1;
    }
    t
};

/// One word from `start`: returns it and where it ends.
fn word(s: &str, start: usize) -> (ShellWord, usize) {
    let b = s.as_bytes();
    let mut text = String::new();
    let mut i = start;
    let mut depth = 0usize; // inside $( ... )
    while i < b.len() {
        let c = b[i];
        if depth == 0 && matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b')') {
            break;
        }
        match c {
            b'\\' => {
                if b.get(i + 1) == Some(&b'\n') {
                    i += 2;
                    continue;
                }
                i += 1;
                if let Some(ch) = s.get(i..).and_then(|r| r.chars().next()) {
                    text.push(ch);
                    i += ch.len_utf8();
                }
            }
            b'\'' => {
                let end = s[i + 1..].find('\'').map_or(b.len(), |k| i + 1 + k);
                text.push_str(&s[i + 1..end]);
                i = (end + 1).min(b.len());
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\'
                        && i + 1 < b.len()
                        && matches!(b[i + 1], b'"' | b'\\' | b'$' | b'`')
                    {
                        i += 1;
                    }
                    // copy up to the next quote or backslash in one go (both are ASCII, so
                    // the cut is on a character boundary)
                    let run = b[i + 1..]
                        .iter()
                        .position(|&c| c == b'"' || c == b'\\')
                        .map_or(b.len(), |k| i + 1 + k);
                    text.push_str(s.get(i..run).unwrap_or(""));
                    i = run;
                }
                i = (i + 1).min(b.len());
            }
            b'$' if b.get(i + 1) == Some(&b'(') => {
                depth += 1;
                text.push_str("$(");
                i += 2;
            }
            b')' => {
                depth = depth.saturating_sub(1);
                text.push(')');
                i += 1;
            }
            _ => {
                // a run of ordinary bytes, copied at once; it stops only at ASCII bytes, so
                // the cut is on a character boundary
                let run = b[i + 1..]
                    .iter()
                    .position(|&c| PLAIN_STOP[c as usize])
                    .map_or(b.len(), |k| i + 1 + k);
                text.push_str(s.get(i..run).unwrap_or(""));
                i = run;
            }
        }
    }
    (
        ShellWord {
            text,
            range: start..i.max(start + 1).min(b.len()),
        },
        i.max(start + 1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_commands_and_words() {
        let s = "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \"curl\" ca-certificates \\\n && rm -rf /var/lib/apt/lists/*; echo $(date +%s) | tee x";
        let c = split_script(s);
        let progs: Vec<_> = c.iter().map(|c| c.program().unwrap()).collect();
        assert_eq!(progs, ["apt-get", "apt-get", "rm", "echo", "tee"]);
        assert_eq!(c[1].subcommand(), Some("install"));
        assert!(c[1].has_arg(&["--no-install-recommends"]));
        let pos: Vec<_> = c[1].positional().map(|w| w.text.as_str()).collect();
        assert_eq!(pos, ["install", "curl", "ca-certificates"]);
        assert_eq!(&s[c[1].words[5].range.clone()], "\"curl\"");
        assert_eq!(c[3].words[1].text, "$(date +%s)");
        assert_eq!(c[0].terminator, "&&");
    }

    #[test]
    fn shell_keywords_are_not_programs() {
        let c = split_script("if true; then apk add curl; else ! apt-get install -y x; fi");
        let progs: Vec<_> = c.iter().filter_map(|c| c.program()).collect();
        assert_eq!(progs, ["true", "apk", "apt-get", "fi"]);
    }

    #[test]
    fn survives_junk() {
        for s in [
            "'unterminated",
            "\"x",
            "$(",
            "\\",
            "&&&&||;;",
            "#only comment",
            "",
        ] {
            let _ = split_script(s);
        }
    }
}
