//! A small, span-keeping splitter for the shell scripts in `RUN`: commands (split at `&&`,
//! `||`, `;`, `|`, `&` and line breaks) made of words (quotes removed, positions kept). It is
//! not a shell; it is enough for rules to ask "which commands run, with which arguments".
//! Redirections (`> /dev/null`, `2>&1`, `&>log`, `<<<"$x"`, `<<EOF`) are not arguments: the
//! splitter skips them with their targets, so `apt-get install -y x >/dev/null 2>&1` has the
//! words `apt-get install -y x` (no caller needs the targets yet).

use std::ops::Range;

pub use compact_str::CompactString;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellWord {
    /// The word with quotes and escapes removed. A small string kept inline up to 24 bytes:
    /// nearly every word of a script is that short, and one heap block per word (13,000 on
    /// a 10,000-line file) was most of the cost of splitting a `RUN` and of freeing it.
    pub text: CompactString,
    /// Byte range in the script.
    pub range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellCommand {
    /// Words, environment assignments (`A=b cmd`) included, redirections left out.
    pub words: Vec<ShellWord>,
    /// From the first word or redirection to the last.
    pub range: Range<usize>,
    /// The operator that ends this command (`&&`, `|`, `;`...), empty at the end.
    pub terminator: &'static str,
    /// Where [`ShellCommand::argv`] starts in `words`, found once when the command is made:
    /// rules ask for `argv` and `program` ~15,000 times on a 10,000-line file, and finding
    /// it each time was ~130 instructions. Whoever changes `words` calls
    /// [`ShellCommand::words_changed`].
    argv_start: usize,
}

impl ShellCommand {
    /// A command of `words` (ranges as the caller wants them) ended by `terminator`.
    pub fn new(words: Vec<ShellWord>, range: Range<usize>, terminator: &'static str) -> Self {
        let argv_start = argv_start(&words);
        Self {
            words,
            range,
            terminator,
            argv_start,
        }
    }

    /// Finds where `argv` starts again, after `words` was changed (texts, order or number;
    /// ranges alone do not matter).
    pub fn words_changed(&mut self) {
        self.argv_start = argv_start(&self.words);
    }

    /// Words after leading `VAR=value` assignments and `sudo`/`env`-like wrappers.
    pub fn argv(&self) -> &[ShellWord] {
        debug_assert_eq!(
            self.argv_start,
            argv_start(&self.words),
            "`words` changed without `words_changed`"
        );
        self.words.get(self.argv_start..).unwrap_or_default()
    }

    /// The program name (`apt-get`, `npm`...), path stripped.
    pub fn program(&self) -> Option<&str> {
        self.argv().first().map(|w| {
            // a byte scan: names are short, and rules ask for this on every command
            let t: &str = &w.text;
            t.bytes()
                .rposition(|c| c == b'/')
                .map_or(t, |k| &t[k + 1..])
        })
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

/// The number of leading assignments and wrapper words (see [`ShellCommand::argv`]).
fn argv_start(words: &[ShellWord]) -> usize {
    words
        .iter()
        .take_while(|w| is_assignment(&w.text) || is_prefix_word(&w.text))
        .count()
}

/// `NAME=value`: a name of ASCII letters, digits and `_` before the first `=`. Rules ask
/// for `argv` on every command, so this is one scan of the name, not a split of the word.
pub fn is_assignment(w: &str) -> bool {
    let name = w
        .bytes()
        .take_while(|&c| c.is_ascii_alphanumeric() || c == b'_')
        .count();
    name > 0 && w.as_bytes().get(name) == Some(&b'=')
}

/// Shell reserved words that can stand right before a command, in the same simple command as
/// far as the splitter is concerned (it cuts at `;`, not at keywords): `if`, `then`, `else`,
/// `elif`, `do`, `while`, `until`, `!` and `{`, as in `then sudo make` or `! grep -q x f`.
/// The other POSIX reserved words are left out on purpose: `fi`, `done`, `esac` and `}` end
/// a compound command (a command follows them only after an operator, where the splitter
/// cuts anyway), and `for`, `case` and `in` are followed by a name or words, not a command.
/// The one list behind [`ShellCommand::argv`] and the lint crate's keyword stripping.
pub fn is_leading_keyword(w: &str) -> bool {
    w.len() <= 5
        && matches!(
            w,
            "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "!" | "{"
        )
}

/// Words that stand before the command they run: [`is_leading_keyword`]s and wrappers that
/// run the rest of the line as a command (`sudo`, `exec`, `time`, `nohup`, `command`).
/// `env` is not one: its arguments may be options (`env -u NAME`) or its own assignments.
fn is_prefix_word(w: &str) -> bool {
    is_leading_keyword(w)
        || (w.len() <= 7 && matches!(w, "sudo" | "exec" | "time" | "nohup" | "command"))
}

/// Splits a script. Never fails; unterminated quotes run to the end.
pub fn split_script(script: &str) -> Vec<ShellCommand> {
    let b = script.as_bytes();
    let mut commands = Vec::new();
    let mut words: Vec<ShellWord> = Vec::new();
    // where the command's first word or redirection starts and its last one ends
    let mut span: Option<Range<usize>> = None;
    let mut i = 0;
    // right after a group's `)` or `}`: the operator that follows the group ends the
    // group's last command too (`(a || true) | b` pipes the group, whose status is `true`'s)
    let mut group_closed = false;
    let finish = |words: &mut Vec<ShellWord>,
                  commands: &mut Vec<ShellCommand>,
                  span: &mut Option<Range<usize>>,
                  group_closed: &mut bool,
                  term: &'static str| {
        let range = span.take().unwrap_or(0..0);
        if !words.is_empty() {
            // moved into a vector of the exact size; `words` keeps its room for the next one
            // (taking it whole made every command grow its own from four words)
            let mut exact = Vec::with_capacity(words.len());
            exact.append(words);
            commands.push(ShellCommand::new(exact, range, term));
        } else if *group_closed {
            if let Some(last) = commands.last_mut() {
                last.terminator = term;
            }
        }
        *group_closed = false;
    };
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\r' => i += 1,
            b'\\' if matches!(b.get(i + 1), Some(b'\n')) => i += 2,
            b'\n' | b';' => {
                let term = if c == b';' { ";" } else { "\n" };
                finish(
                    &mut words,
                    &mut commands,
                    &mut span,
                    &mut group_closed,
                    term,
                );
                i += 1;
            }
            b'&' | b'|' if c == b'|' || b.get(i + 1) != Some(&b'>') => {
                let double = b.get(i + 1) == Some(&c);
                let term = match (c, double) {
                    (b'&', true) => "&&",
                    (b'&', false) => "&",
                    (b'|', true) => "||",
                    _ => "|",
                };
                finish(
                    &mut words,
                    &mut commands,
                    &mut span,
                    &mut group_closed,
                    term,
                );
                i += if double { 2 } else { 1 };
            }
            b'(' | b')' | b'{' | b'}' if words.is_empty() || c == b')' || c == b'}' => {
                // subshells and groups: treat as separators
                let closes = matches!(c, b')' | b'}');
                let nested = closes && group_closed && words.is_empty();
                finish(&mut words, &mut commands, &mut span, &mut group_closed, ";");
                group_closed = closes && (nested || commands.last().is_some());
                i += 1;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            _ => {
                let end = match redirection(script, i) {
                    Some(end) => end,
                    None => {
                        let (w, end) = word(script, i);
                        words.push(w);
                        end
                    }
                };
                let start = span.as_ref().map_or(i, |r| r.start);
                span = Some(start..end);
                group_closed &= words.is_empty();
                i = end;
            }
        }
    }
    finish(&mut words, &mut commands, &mut span, &mut group_closed, "");
    commands
}

/// The end of the redirection starting at `start`, target included, or `None` when none
/// starts there. Operators: `>`, `>>`, `>|`, `<`, `<>`, `>&`, `<&` (each after optional
/// descriptor digits: `2>`, `2>&1`), `&>`, `&>>`, here-strings `<<<` and here-documents
/// `<<`/`<<-` (their delimiter is the target; a body is not in `RUN`'s shell form).
/// `<(...)`/`>(...)` are process substitutions, words.
fn redirection(s: &str, start: usize) -> Option<usize> {
    let b = s.as_bytes();
    // asked before every word: most start with none of the bytes a redirection starts with
    if !matches!(b.get(start), Some(b'0'..=b'9' | b'<' | b'>' | b'&')) {
        return None;
    }
    let digits = b[start..].iter().take_while(|c| c.is_ascii_digit()).count();
    let j = start + digits;
    let at = |k: usize| b.get(j + k).copied();
    let op = match (at(0)?, at(1), at(2)) {
        (b'&', Some(b'>'), Some(b'>')) if digits == 0 => 3,
        (b'&', Some(b'>'), _) if digits == 0 => 2,
        (b'<' | b'>', Some(b'('), _) if digits == 0 => return None,
        (b'<', Some(b'<'), Some(b'<' | b'-')) => 3,
        (b'>', Some(b'>' | b'|' | b'&'), _) | (b'<', Some(b'<' | b'>' | b'&'), _) => 2,
        (b'<' | b'>', _, _) => 1,
        _ => return None,
    };
    // the target, after blanks and line continuations
    let mut k = j + op;
    loop {
        match b.get(k) {
            Some(b' ' | b'\t' | b'\r') => k += 1,
            Some(b'\\') if b.get(k + 1) == Some(&b'\n') => k += 2,
            _ => break,
        }
    }
    match b.get(k) {
        None | Some(b'\n' | b';' | b'&' | b'|' | b')' | b'#') => Some(j + op),
        Some(b'<' | b'>') if b.get(k + 1) != Some(&b'(') => Some(j + op),
        Some(_) => Some(word(s, k).1),
    }
}

/// Bytes that end a run of ordinary word characters: separators, quotes, escapes, `$(`,
/// backquotes, `)`, redirections.
const PLAIN_STOP: [bool; 256] = {
    let mut t = [false; 256];
    let stops = b" \t\r\n;&|)\\'\"$`<>";
    let mut k = 0;
    while k < stops.len() {
        t[stops[k] as usize] = true;
        k += 1;
    }
    t
};

/// One word from `start`: returns it and where it ends. Command substitutions (`$(...)`,
/// `` `...` ``) and process substitutions (`<(...)`) are kept whole and as written, quotes
/// and all: what is inside them (spaces, `>`, quotes) belongs to another command.
fn word(s: &str, start: usize) -> (ShellWord, usize) {
    let b = s.as_bytes();
    if let Some(end) = plain_word_end(b, start) {
        let text = CompactString::new(s.get(start..end).unwrap_or(""));
        return (
            ShellWord {
                text,
                range: start..end,
            },
            end,
        );
    }
    quoted_word(s, start)
}

/// [`word`] for any word: quotes, escapes, substitutions, several pieces glued together.
fn quoted_word(s: &str, start: usize) -> (ShellWord, usize) {
    let b = s.as_bytes();
    let mut text = CompactString::default();
    let mut i = start;
    while i < b.len() {
        let c = b[i];
        if matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b')') {
            break;
        }
        let opens_subst = b.get(i + 1) == Some(&b'(');
        // a redirection ends the word; `<(`/`>(` are process substitutions
        if matches!(c, b'<' | b'>') && !opens_subst {
            break;
        }
        match c {
            b'$' | b'<' | b'>' if opens_subst => {
                let end = subst_end(b, i);
                text.push_str(s.get(i..end).unwrap_or(""));
                i = end;
            }
            b'`' => {
                let end = backquote_end(b, i);
                text.push_str(s.get(i..end).unwrap_or(""));
                i = end;
            }
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
                    let end = match b[i] {
                        b'$' if b.get(i + 1) == Some(&b'(') => subst_end(b, i),
                        b'`' => backquote_end(b, i),
                        b'\\' if matches!(b.get(i + 1), Some(b'"' | b'\\' | b'$' | b'`')) => {
                            i += 1;
                            i + 1
                        }
                        // up to the next byte that means something here, in one go (all
                        // ASCII, so the cut is on a character boundary)
                        _ => b[i + 1..]
                            .iter()
                            .position(|&c| matches!(c, b'"' | b'\\' | b'$' | b'`'))
                            .map_or(b.len(), |k| i + 1 + k),
                    };
                    text.push_str(s.get(i..end).unwrap_or(""));
                    i = end;
                }
                i = (i + 1).min(b.len());
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

/// Where the word at `start` ends when it is one run of ordinary bytes (`install`, `-y`,
/// `/usr/local/bin`), the common case, whose text is the script's bytes as they are; `None`
/// when it has quotes, escapes or substitutions and needs [`word`]'s full loop.
fn plain_word_end(b: &[u8], start: usize) -> Option<usize> {
    let first = *b.get(start)?;
    let opens_subst = first == b'$' && b.get(start + 1) == Some(&b'(');
    if (PLAIN_STOP[first as usize] && first != b'$') || opens_subst {
        return None;
    }
    let end = b[start + 1..]
        .iter()
        .position(|&c| PLAIN_STOP[c as usize])
        .map_or(b.len(), |k| start + 1 + k);
    match b.get(end) {
        None | Some(b' ' | b'\t' | b'\r' | b'\n' | b';' | b'&' | b'|' | b')') => Some(end),
        Some(b'<' | b'>') if b.get(end + 1) != Some(&b'(') => Some(end),
        Some(_) => None,
    }
}

/// The end of the substitution opened by the two bytes at `start` (`$(`, `<(`, `>(`): its
/// closing `)`, past nested parentheses, substitutions, quotes and escapes; the end of the
/// script when it is not closed. An explicit stack, not recursion: nesting is the input's.
fn subst_end(b: &[u8], start: usize) -> usize {
    // what the scan is inside: `(` a parenthesis, `"` a double-quoted string
    let mut stack = vec![b'('];
    let mut i = start + 2;
    while let (Some(&c), Some(&inside)) = (b.get(i), stack.last()) {
        i += 1;
        match (inside, c) {
            (_, b'\\') => i += 1,
            (_, b'`') => i = backquote_end(b, i - 1),
            (_, b'$') if b.get(i) == Some(&b'(') => {
                stack.push(b'(');
                i += 1;
            }
            (b'"', b'"') => {
                stack.pop();
            }
            (b'(', b'(' | b'"') => stack.push(c),
            (b'(', b')') => {
                stack.pop();
                if stack.is_empty() {
                    return i;
                }
            }
            (b'(', b'\'') => {
                i = b[i..]
                    .iter()
                    .position(|&q| q == b'\'')
                    .map_or(b.len(), |k| i + k + 1);
            }
            _ => {}
        }
    }
    b.len()
}

/// The end of the `` `...` `` substitution whose backquote is at `start` (past the closing
/// one, escapes skipped), or the end of the script.
fn backquote_end(b: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => i += 2,
            b'`' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `argv` is found when the command is made and again after `words_changed`.
    #[test]
    fn argv_start_follows_the_words() {
        let mut c = split_script("A=1 sudo apt-get install x").remove(0);
        assert_eq!(c.program(), Some("apt-get"));
        c.words.drain(2..3);
        c.words_changed();
        assert_eq!(c.program(), Some("install"));
        c.words.clear();
        c.words_changed();
        assert_eq!(c.program(), None);
        let w = |t: &str| ShellWord {
            text: t.into(),
            range: 0..0,
        };
        let made = ShellCommand::new(vec![w("then"), w("/bin/rm"), w("-rf")], 0..0, "");
        assert_eq!((made.program(), made.argv().len()), (Some("rm"), 2));
    }

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
    fn a_group_takes_the_operator_after_it() {
        let terms = |s: &str| -> Vec<(String, &'static str)> {
            split_script(s)
                .into_iter()
                .map(|c| (c.words[0].text.to_string(), c.terminator))
                .collect()
        };
        let t = |v: &[(&str, &'static str)]| -> Vec<(String, &'static str)> {
            v.iter().map(|(w, t)| (w.to_string(), *t)).collect()
        };
        assert_eq!(
            terms("(a || true) 2>&1 | b"),
            t(&[("a", "||"), ("true", "|"), ("b", "")])
        );
        assert_eq!(
            terms("{ a; b; } && c"),
            t(&[("a", ";"), ("b", "&&"), ("c", "")])
        );
        assert_eq!(terms("( (a) ) | b"), t(&[("a", "|"), ("b", "")]));
        assert_eq!(terms("(a) ; b"), t(&[("a", ";"), ("b", "")]));
        assert_eq!(terms("x && (a)"), t(&[("x", "&&"), ("a", "")]));
    }

    #[test]
    fn shell_keywords_are_not_programs() {
        let c = split_script("if true; then apk add curl; else ! apt-get install -y x; fi");
        let progs: Vec<_> = c.iter().filter_map(|c| c.program()).collect();
        assert_eq!(progs, ["true", "apk", "apt-get", "fi"]);
    }

    /// Words of each command.
    fn words(s: &str) -> Vec<Vec<String>> {
        split_script(s)
            .into_iter()
            .map(|c| c.words.into_iter().map(|w| w.text.into_string()).collect())
            .collect()
    }

    #[test]
    fn redirections_are_not_words() {
        let install = ["apt-get", "install", "-y", "x"];
        for s in [
            "apt-get install -y x > /dev/null 2>&1",
            "apt-get install -y x >/dev/null 2>&1",
            "apt-get install -y x>>log",
            "apt-get install -y x 2> err.log",
            "apt-get install -y x &> /dev/null",
            "apt-get install -y x &>>log",
            "apt-get install -y x 1>&2",
            "apt-get install -y x >&2",
            "apt-get install -y x 2>&-",
            "apt-get install -y x >| out",
            "apt-get install -y x < /dev/null",
            "apt-get install -y x <<< \"$input\"",
            "apt-get install -y x <<<yes",
            "apt-get install -y x <<-EOF",
            "apt-get install -y x <<'EOF'",
            "apt-get install -y x 3<>file",
            "> /dev/null apt-get install -y x",
            "apt-get install -y x > \\\n /dev/null",
        ] {
            assert_eq!(words(s), [install], "{s}");
        }
        // the command goes on after the redirection and ends where it ends
        let s = "a >/dev/null b 2>&1 && c >out";
        assert_eq!(words(s), [vec!["a", "b"], vec!["c"]]);
        let c = split_script(s);
        assert_eq!(&s[c[0].range.clone()], "a >/dev/null b 2>&1");
        assert_eq!(&s[c[1].range.clone()], "c >out");
        assert_eq!(c[0].terminator, "&&");
        // a word ends at an unquoted `>`; digits before it are a descriptor only alone
        assert_eq!(
            words("pip install pkg>=2 x"),
            [["pip", "install", "pkg", "x"]]
        );
        assert_eq!(words("echo a2>f 22 b"), [["echo", "a2", "22", "b"]]);
        // quoted, escaped, inside `$(...)`: part of the word
        assert_eq!(
            words(r#"pip install "pkg>=2" 'a<b' c\>d "$(cat x > y)""#),
            [["pip", "install", "pkg>=2", "a<b", "c>d", "$(cat x > y)"]]
        );
        // substitutions are words, whole and as written
        assert_eq!(words("diff <(a) >(b)"), [["diff", "<(a)", ">(b)"]]);
        assert_eq!(
            words(r#"x="$(ldd "$f" | awk '$2 == "=>" { print $3 }')" y `a > b` "`c "d"`""#),
            [vec![
                r#"x=$(ldd "$f" | awk '$2 == "=>" { print $3 }')"#,
                "y",
                "`a > b`",
                r#"`c "d"`"#
            ]]
        );
        assert_eq!(
            words("echo $(a \"$(b ')' \\) )\" c) d"),
            [["echo", "$(a \"$(b ')' \\) )\" c)", "d"]]
        );
        // nothing but a redirection: no command
        assert_eq!(words(": ; > file"), [[":"]]);
    }

    /// Every script over a small alphabet of shell operators (all strings up to 5 bytes):
    /// no panic, and every range lies inside the script, in order.
    #[test]
    fn ranges_stay_in_bounds_on_operator_soup() {
        let alphabet = [
            "a", "2", " ", "<", ">", "&", "|", "(", ")", "$", "\"", "'", "\\", "\n", "#", "`",
        ];
        let mut scripts = vec![String::new()];
        for _ in 0..5 {
            let mut next = Vec::new();
            for s in &scripts {
                for a in alphabet {
                    next.push(format!("{s}{a}"));
                }
            }
            for s in &next {
                let mut last = 0;
                for c in split_script(s) {
                    assert!(c.range.start >= last && c.range.end <= s.len(), "{s:?}");
                    for w in &c.words {
                        assert!(w.range.start >= c.range.start, "{s:?}");
                        assert!(w.range.end <= c.range.end, "{s:?}");
                    }
                    last = c.range.start;
                }
            }
            scripts = next;
        }
    }

    /// The shortcut for plain words gives what the full loop gives, wherever it applies.
    #[test]
    fn plain_words_match_the_full_loop() {
        let alphabet = [
            "a", "$", "(", ")", " ", "<", ">", "\"", "\\", "`", ";", "é", "-",
        ];
        let mut scripts = vec![String::new()];
        let mut checked = 0;
        for _ in 0..4 {
            let mut next = Vec::new();
            for s in &scripts {
                for a in alphabet {
                    next.push(format!("{s}{a}"));
                }
            }
            for s in &next {
                for start in (0..s.len()).filter(|&k| s.is_char_boundary(k)) {
                    if plain_word_end(s.as_bytes(), start).is_some() {
                        assert_eq!(word(s, start), quoted_word(s, start), "{s:?} at {start}");
                        checked += 1;
                    }
                }
            }
            scripts = next;
        }
        assert!(checked > 1000);
    }

    #[test]
    fn survives_junk() {
        for s in [
            "<",
            ">",
            "2>",
            "&>",
            "<<<",
            "<(",
            ">(",
            "a >",
            "a 2>&",
            "a >\\",
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
