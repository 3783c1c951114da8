//! The typed view of one instruction. Ranges are relative to the start of the item that holds
//! the instruction (see [`crate::ItemRef`] for absolute ranges), so an unchanged item can be
//! reused as is after an edit elsewhere in the file.

pub use crate::thin_list::ThinList;
use crate::TextRange;
use compact_str::CompactString;

/// The instructions BuildKit knows, plus `Unknown` for anything else (kept, reported by lint).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstructionKind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    Unknown,
}

impl InstructionKind {
    pub const ALL: [InstructionKind; 18] = [
        Self::Add,
        Self::Arg,
        Self::Cmd,
        Self::Copy,
        Self::Entrypoint,
        Self::Env,
        Self::Expose,
        Self::From,
        Self::Healthcheck,
        Self::Label,
        Self::Maintainer,
        Self::Onbuild,
        Self::Run,
        Self::Shell,
        Self::Stopsignal,
        Self::User,
        Self::Volume,
        Self::Workdir,
    ];

    /// Case-insensitive lookup, as BuildKit does.
    pub fn from_keyword(word: &str) -> Self {
        if !word.is_ascii() {
            // BuildKit looks keywords up after Go's Unicode `strings.ToLower`, under which the
            // one non-ASCII character that becomes an ASCII letter is the Kelvin sign (U+212A
            // → `k`): `WOR\u{212A}DIR` is a WORKDIR to `docker build`.
            let folded = word.replace('\u{212A}', "k");
            return if folded.is_ascii() {
                Self::from_keyword(&folded)
            } else {
                Self::Unknown
            };
        }
        // Every keyword is ASCII and at most 11 bytes: upper-case into a small buffer and
        // match once, instead of comparing with each of the 18 in turn (once per instruction).
        let mut buf = [0u8; 11];
        let Some(upper) = buf.get_mut(..word.len()) else {
            return Self::Unknown;
        };
        upper.copy_from_slice(word.as_bytes());
        upper.make_ascii_uppercase();
        match &*upper {
            b"ADD" => Self::Add,
            b"ARG" => Self::Arg,
            b"CMD" => Self::Cmd,
            b"COPY" => Self::Copy,
            b"ENTRYPOINT" => Self::Entrypoint,
            b"ENV" => Self::Env,
            b"EXPOSE" => Self::Expose,
            b"FROM" => Self::From,
            b"HEALTHCHECK" => Self::Healthcheck,
            b"LABEL" => Self::Label,
            b"MAINTAINER" => Self::Maintainer,
            b"ONBUILD" => Self::Onbuild,
            b"RUN" => Self::Run,
            b"SHELL" => Self::Shell,
            b"STOPSIGNAL" => Self::Stopsignal,
            b"USER" => Self::User,
            b"VOLUME" => Self::Volume,
            b"WORKDIR" => Self::Workdir,
            _ => Self::Unknown,
        }
    }

    /// The canonical (upper-case) spelling.
    pub fn keyword(self) -> &'static str {
        match self {
            Self::Add => "ADD",
            Self::Arg => "ARG",
            Self::Cmd => "CMD",
            Self::Copy => "COPY",
            Self::Entrypoint => "ENTRYPOINT",
            Self::Env => "ENV",
            Self::Expose => "EXPOSE",
            Self::From => "FROM",
            Self::Healthcheck => "HEALTHCHECK",
            Self::Label => "LABEL",
            Self::Maintainer => "MAINTAINER",
            Self::Onbuild => "ONBUILD",
            Self::Run => "RUN",
            Self::Shell => "SHELL",
            Self::Stopsignal => "STOPSIGNAL",
            Self::User => "USER",
            Self::Volume => "VOLUME",
            Self::Workdir => "WORKDIR",
            Self::Unknown => "",
        }
    }

    /// Instructions whose arguments may open here-documents.
    pub fn allows_heredocs(self) -> bool {
        matches!(self, Self::Run | Self::Copy | Self::Add)
    }
}

/// A piece of argument text: where it is and what BuildKit makes of it. `text` differs from
/// the source slice when the word spans a line continuation or BuildKit drops a trailing
/// escape character. Inline up to 24 bytes (most words are): one allocation less per word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub range: TextRange,
    pub text: CompactString,
}

/// `--name=value` as BuildKit extracts it: quotes removed, escapes applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The whole flag word in the source.
    pub range: TextRange,
    /// The flag as BuildKit reports it (`--from=build`).
    pub text: Box<str>,
    /// The range of the name, without the leading dashes.
    pub name_range: TextRange,
    /// The range of the value (after `=`), when there is one.
    pub value_range: Option<TextRange>,
}

impl Flag {
    /// The name without dashes (`from` for `--from=build`).
    pub fn name(&self) -> &str {
        let body = self.text.strip_prefix("--").unwrap_or(&self.text);
        body.split_once('=').map_or(body, |(n, _)| n)
    }

    /// The value after `=`, if any (`Some("")` for `--from=`).
    pub fn value(&self) -> Option<&str> {
        self.text.split_once('=').map(|(_, v)| v)
    }
}

/// `KEY=value`, `KEY value` (legacy) or a bare `KEY` (ARG).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub range: TextRange,
    pub key: Word,
    /// The `=` sign; `None` in the legacy whitespace form and for bare `ARG` names.
    pub eq: Option<TextRange>,
    pub value: Option<Word>,
}

/// How BuildKit split the arguments. Which variant an instruction gets follows BuildKit's
/// dispatch table (e.g. `COPY` is a JSON list or whitespace-delimited words, `RUN` is JSON
/// or one string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// No arguments at all.
    None,
    /// Exec form: `["a", "b"]`. Each word's range covers the JSON literal with its quotes.
    Exec {
        open: TextRange,
        close: TextRange,
        items: Vec<Word>,
    },
    /// Shell form, or a plain string argument (`USER`, `WORKDIR`, ...): the whole rest.
    Text(Word),
    /// Whitespace-delimited words (`FROM`, `EXPOSE`, shell-form `COPY`/`ADD`/`VOLUME`).
    Words(Vec<Word>),
    /// `ENV`, `LABEL`, `ARG`.
    Pairs { legacy: bool, pairs: Vec<KeyValue> },
    /// `HEALTHCHECK CMD ...` / `HEALTHCHECK NONE`.
    Healthcheck { kind: Word, cmd: Box<Args> },
    /// `ONBUILD <instruction>`.
    Onbuild(Box<Instruction>),
    /// An unknown instruction: BuildKit ignores its arguments.
    Ignored(Option<TextRange>),
}

/// A here-document attached to `RUN`/`COPY`/`ADD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The `<<EOF` word on the instruction line.
    pub opener: TextRange,
    /// The delimiter, quotes removed.
    pub name: Box<str>,
    pub file_descriptor: u32,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// Unquoted delimiter: variables in the body are expanded.
    pub expand: bool,
    /// The body lines, without the terminator.
    pub body: TextRange,
    /// The terminator line's text, `None` if the file ended first.
    pub terminator: Option<TextRange>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub kind: InstructionKind,
    /// The instruction word as written.
    pub keyword: Word,
    pub flags: ThinList<Flag>,
    /// Everything after the flags (trimmed), if there is anything.
    pub args_range: Option<TextRange>,
    pub args: Args,
    pub heredocs: ThinList<Heredoc>,
}

impl Instruction {
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// `true` for the exec (JSON) form.
    pub fn is_exec_form(&self) -> bool {
        match &self.args {
            Args::Exec { .. } => true,
            Args::Healthcheck { cmd, .. } => matches!(**cmd, Args::Exec { .. }),
            _ => false,
        }
    }

    /// The instruction that takes effect: the wrapped one for `ONBUILD`, else itself.
    pub fn effective(&self) -> &Instruction {
        match &self.args {
            Args::Onbuild(inner) => inner.effective(),
            _ => self,
        }
    }

    /// The argument words, whatever the form (JSON strings, words, shell text).
    pub fn arg_words(&self) -> &[Word] {
        match &self.args {
            Args::Exec { items, .. } => items,
            Args::Words(w) => w,
            Args::Text(w) => std::slice::from_ref(w),
            _ => &[],
        }
    }

    /// `FROM image [AS name]`.
    pub fn from_parts(&self) -> Option<FromParts<'_>> {
        if self.kind != InstructionKind::From {
            return None;
        }
        let words = self.arg_words();
        let image = words.first()?;
        let (as_keyword, name) = match words.get(1) {
            Some(w) if w.text.eq_ignore_ascii_case("as") => (Some(w), words.get(2)),
            _ => (None, None),
        };
        Some(FromParts {
            image,
            as_keyword,
            name,
            extra: words
                .get(if as_keyword.is_some() { 3 } else { 1 }..)
                .unwrap_or(&[]),
        })
    }

    /// `COPY`/`ADD` sources and destination (heredoc sources included as their `<<EOF` words).
    pub fn copy_parts(&self) -> Option<(&[Word], Option<&Word>)> {
        if !matches!(self.kind, InstructionKind::Copy | InstructionKind::Add) {
            return None;
        }
        let words = self.arg_words();
        match words.split_last() {
            Some((dest, sources)) if !sources.is_empty() => Some((sources, Some(dest))),
            Some((only, _)) => Some((std::slice::from_ref(only), None)),
            None => Some((&[], None)),
        }
    }

    /// Key/value pairs of `ENV`, `LABEL`, `ARG`.
    pub fn pairs(&self) -> &[KeyValue] {
        match &self.args {
            Args::Pairs { pairs, .. } => pairs,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct FromParts<'a> {
    pub image: &'a Word,
    pub as_keyword: Option<&'a Word>,
    pub name: Option<&'a Word>,
    /// Words that should not be there (`FROM a b`).
    pub extra: &'a [Word],
}

#[cfg(test)]
mod tests {
    use super::InstructionKind;

    #[test]
    fn keywords_are_found_in_any_case() {
        for k in InstructionKind::ALL {
            let word = k.keyword();
            assert_eq!(InstructionKind::from_keyword(word), k);
            assert_eq!(InstructionKind::from_keyword(&word.to_ascii_lowercase()), k);
            let mixed: String = word
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if i % 2 == 0 {
                        c.to_ascii_lowercase()
                    } else {
                        c
                    }
                })
                .collect();
            assert_eq!(InstructionKind::from_keyword(&mixed), k);
        }
        for other in [
            "",
            "RU",
            "RUNS",
            "HEALTHCHECKS",
            "\u{feff}RUN",
            "RUN\u{a0}",
            "ſ",
        ] {
            assert_eq!(
                InstructionKind::from_keyword(other),
                InstructionKind::Unknown,
                "{other:?}"
            );
        }
    }

    #[test]
    fn the_kelvin_sign_is_a_k_as_in_buildkit() {
        use InstructionKind::*;
        assert_eq!(InstructionKind::from_keyword("WOR\u{212A}DIR"), Workdir);
        assert_eq!(
            InstructionKind::from_keyword("healthchec\u{212A}"),
            Healthcheck
        );
        assert_eq!(InstructionKind::from_keyword("\u{212A}"), Unknown);
        assert_eq!(
            InstructionKind::from_keyword("WOR\u{212A}DIR\u{212A}"),
            Unknown
        );
        let file = crate::Dockerfile::parse("FROM a\nWOR\u{212A}DIR /app\n");
        let kinds: Vec<_> = file
            .items()
            .filter_map(|i| i.instruction().map(|inst| inst.kind))
            .collect();
        assert_eq!(kinds, [From, Workdir]);
    }
}
