//! Signature help: while typing an instruction, its forms (from `reference`) with the argument
//! under the cursor highlighted; while typing a flag, the flag's shape (`--mount` lists the
//! fields of its `type`, with the field under the cursor highlighted).

use layerwise_syntax::mount::mount_fields;
use layerwise_syntax::{Args, Flag, Instruction, InstructionKind, ItemKind, ItemRef, TextRange};

use crate::reference;
use crate::Analysis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub label: String,
    /// Markdown.
    pub documentation: String,
    /// Byte ranges of the parameters inside `label`.
    pub parameters: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHelp {
    pub signatures: Vec<Signature>,
    pub active_signature: usize,
    pub active_parameter: Option<usize>,
}

pub fn signature_help(a: &Analysis, offset: u32) -> Option<SignatureHelp> {
    let r = a.item_at(offset)?;
    if r.item.kind != ItemKind::Instruction {
        return None;
    }
    let outer = r.instruction()?;
    let inst = outer.effective();
    let rel = r.rel(offset);
    if rel <= inst.keyword.range.end || in_heredoc(inst, rel) {
        return None;
    }
    // in a flag's value: the flag's own shape; on its name: the instruction's forms
    let in_value = |f: &Flag| f.value_range.is_some_and(|v| v.touches(rel));
    if let Some(f) = inst
        .flags
        .iter()
        .find(|f| f.range.touches(rel) && in_value(f))
    {
        if let Some(help) = flag_help(r, inst, f, rel) {
            return Some(help);
        }
    }
    instruction_help(inst, rel)
}

fn in_heredoc(inst: &Instruction, rel: u32) -> bool {
    inst.heredocs
        .iter()
        .any(|h| h.body.start <= rel && rel <= h.terminator.unwrap_or(h.body).end)
}

/// One parameter of a form: where it is in the label and how many words it takes.
#[derive(Debug, Clone)]
struct Param {
    span: (usize, usize),
    flag: bool,
    slots: usize,
    repeats: bool,
}

/// Cuts a form (`COPY [--from=<stage>] <src>... <dest>`) into parameters after the keyword.
fn params_of(form: &str) -> Vec<Param> {
    let mut out: Vec<Param> = Vec::new();
    let start = form.find(' ').map_or(form.len(), |i| i + 1);
    let mut depth = 0i32;
    let mut word_start: Option<usize> = None;
    let mut inner_spaces = 0usize;
    let push = |s: usize, e: usize, spaces: usize, out: &mut Vec<Param>| {
        let text = &form[s..e];
        if text == "..." {
            if let Some(last) = out.last_mut() {
                last.repeats = true;
            }
            return;
        }
        let flag = text.starts_with("[--");
        let slots = if text.starts_with('[') && !text.starts_with("[\"") {
            spaces + 1
        } else {
            1
        };
        out.push(Param {
            span: (s, e),
            flag,
            slots,
            repeats: text.ends_with("..."),
        });
    };
    for (i, c) in form.char_indices().skip_while(|(i, _)| *i < start) {
        match c {
            '[' | '<' => depth += 1,
            ']' | '>' => depth -= 1,
            _ => {}
        }
        if c == ' ' && depth <= 0 {
            if let Some(s) = word_start.take() {
                push(s, i, inner_spaces, &mut out);
            }
            inner_spaces = 0;
        } else if c == ' ' {
            inner_spaces += 1;
        } else if word_start.is_none() {
            word_start = Some(i);
        }
    }
    if let Some(s) = word_start {
        push(s, form.len(), inner_spaces, &mut out);
    }
    out
}

fn instruction_help(inst: &Instruction, rel: u32) -> Option<SignatureHelp> {
    let doc = reference::instruction(inst.kind)?;
    let signatures: Vec<Signature> = doc
        .forms
        .iter()
        .map(|form| Signature {
            label: form.to_string(),
            documentation: format!(
                "{}\n\n[Reference]({})",
                doc.summary,
                reference::url(inst.kind)
            ),
            parameters: params_of(form).iter().map(|p| p.span).collect(),
        })
        .collect();
    let exec = inst.is_exec_form();
    let active_signature = match inst.kind {
        InstructionKind::Healthcheck if matches!(&inst.args, Args::Healthcheck { kind, .. } if kind.text.eq_ignore_ascii_case("none")) => {
            doc.forms.iter().position(|f| f.contains("NONE"))
        }
        _ if exec => doc.forms.iter().position(|f| f.contains("[\"")),
        _ => None,
    }
    .unwrap_or(0);
    let form = doc.forms.get(active_signature)?;
    let params = params_of(form);
    // on a flag: the parameter that documents it, if the form has one
    if let Some(f) = inst.flags.iter().find(|f| f.range.touches(rel)) {
        let needle = format!("--{}", f.name().to_ascii_lowercase());
        let active = params
            .iter()
            .position(|p| p.flag && form[p.span.0..p.span.1].contains(&needle));
        return Some(SignatureHelp {
            signatures,
            active_signature,
            active_parameter: active,
        });
    }
    let words = positional_words(inst);
    let k = words
        .iter()
        .position(|w| w.touches(rel))
        .unwrap_or_else(|| words.iter().filter(|w| w.end < rel).count());
    let n = words.len().max(k + 1);
    Some(SignatureHelp {
        signatures,
        active_signature,
        active_parameter: positional_param(&params, k, n),
    })
}

/// The argument words after the flags, as ranges relative to the item.
fn positional_words(inst: &Instruction) -> Vec<TextRange> {
    match &inst.args {
        Args::Exec { open, close, .. } => vec![open.cover(*close)],
        Args::Text(w) => vec![w.range],
        Args::Words(ws) => ws.iter().map(|w| w.range).collect(),
        Args::Pairs { pairs, .. } => pairs.iter().map(|p| p.range).collect(),
        Args::Healthcheck { kind, cmd } => {
            let mut v = vec![kind.range];
            match &**cmd {
                Args::Exec { open, close, .. } => v.push(open.cover(*close)),
                Args::Text(w) => v.push(w.range),
                _ => {}
            }
            v
        }
        _ => Vec::new(),
    }
}

/// Which positional parameter word `k` of `n` fills. A repeating parameter takes the words
/// the parameters after it leave over (`COPY a b c dest`: `a b c` are `<src>...`).
fn positional_param(params: &[Param], k: usize, n: usize) -> Option<usize> {
    let positional: Vec<(usize, &Param)> =
        params.iter().enumerate().filter(|(_, p)| !p.flag).collect();
    if positional.is_empty() {
        return None;
    }
    let slot_of = |k: usize, list: &[(usize, &Param)]| -> Option<usize> {
        let mut at = 0;
        for (i, p) in list {
            if k < at + p.slots {
                return Some(*i);
            }
            at += p.slots;
        }
        list.last().map(|(i, _)| *i)
    };
    match positional.iter().position(|(_, p)| p.repeats) {
        None => slot_of(k, &positional),
        Some(r) => {
            let before: usize = positional[..r].iter().map(|(_, p)| p.slots).sum();
            let after: usize = positional[r + 1..].iter().map(|(_, p)| p.slots).sum();
            if k < before {
                slot_of(k, &positional[..r])
            } else if n > before + after && k >= n - after {
                slot_of(k - (n - after), &positional[r + 1..])
            } else {
                Some(positional[r].0)
            }
        }
    }
}

/// The fields of each `--mount` type, for its signature.
const MOUNT_FIELDS: &[(&str, &[&str])] = &[
    (
        "bind",
        &["target=<path>", "source=<path>", "from=<stage|image>", "rw"],
    ),
    (
        "cache",
        &[
            "target=<path>",
            "id=<id>",
            "sharing=<shared|private|locked>",
            "from=<stage|image>",
            "source=<path>",
            "mode=<octal>",
            "uid=<uid>",
            "gid=<gid>",
            "ro",
        ],
    ),
    ("tmpfs", &["target=<path>", "size=<bytes>"]),
    (
        "secret",
        &[
            "id=<id>",
            "target=<path>",
            "env=<name>",
            "required=<bool>",
            "mode=<octal>",
            "uid=<uid>",
            "gid=<gid>",
        ],
    ),
    (
        "ssh",
        &[
            "id=<id>",
            "target=<path>",
            "required=<bool>",
            "mode=<octal>",
            "uid=<uid>",
            "gid=<gid>",
        ],
    ),
];

/// Field names as written → the name in [`MOUNT_FIELDS`].
fn mount_key(key: &str) -> String {
    match key.to_ascii_lowercase().as_str() {
        "dst" | "destination" => "target".into(),
        "src" => "source".into(),
        "readonly" => "ro".into(),
        "readwrite" => "rw".into(),
        k => k.to_string(),
    }
}

fn flag_help(r: ItemRef<'_>, inst: &Instruction, f: &Flag, rel: u32) -> Option<SignatureHelp> {
    let name = f.name().to_ascii_lowercase();
    let doc = reference::flag(inst.kind, &name)?;
    if name == "mount" {
        return Some(mount_help(r, f, rel, doc.summary));
    }
    let label = format!("--{}=<value>", doc.name);
    let value_at = label.find('<').unwrap_or(0);
    let mut documentation = doc.summary.to_string();
    if !doc.values.is_empty() {
        documentation.push_str(&format!(
            "\n\nValues: {}",
            doc.values
                .iter()
                .map(|v| format!("`{v}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let in_value = f.value_range.is_some_and(|v| v.touches(rel));
    Some(SignatureHelp {
        signatures: vec![Signature {
            parameters: vec![(value_at, label.len())],
            label,
            documentation,
        }],
        active_signature: 0,
        active_parameter: in_value.then_some(0),
    })
}

fn mount_help(r: ItemRef<'_>, f: &Flag, rel: u32, summary: &str) -> SignatureHelp {
    let raw = f.value_range.map(|v| r.slice(v)).unwrap_or("");
    let fields = mount_fields(raw);
    let ty = fields
        .iter()
        .find(|x| x.key.eq_ignore_ascii_case("type"))
        .and_then(|x| x.value.as_deref())
        .unwrap_or("bind")
        .to_ascii_lowercase();
    let (ty, names) = MOUNT_FIELDS
        .iter()
        .find(|(t, _)| *t == ty)
        .map(|(t, n)| (*t, *n))
        .unwrap_or(MOUNT_FIELDS[0]);
    let mut label = String::from("--mount=");
    let mut parameters = Vec::new();
    let type_param = format!("type={ty}");
    parameters.push((label.len(), label.len() + type_param.len()));
    label.push_str(&type_param);
    for n in names {
        label.push(',');
        parameters.push((label.len(), label.len() + n.len()));
        label.push_str(n);
    }
    let active = f.value_range.and_then(|v| {
        let at = rel.checked_sub(v.start)? as usize;
        let field = fields
            .iter()
            .find(|x| x.range.start <= at && at <= x.range.end)?;
        let key = mount_key(&field.key);
        if key == "type" {
            return Some(0);
        }
        names
            .iter()
            .position(|n| n.split('=').next() == Some(key.as_str()))
            .map(|i| i + 1)
    });
    SignatureHelp {
        signatures: vec![Signature {
            label,
            documentation: summary.to_string(),
            parameters,
        }],
        active_signature: 0,
        active_parameter: active,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn help(text: &str) -> Option<(String, Option<String>)> {
        let offset = text.find("$0").expect("cursor") as u32;
        let a = Analysis::from_text(&text.replacen("$0", "", 1));
        let h = signature_help(&a, offset)?;
        let sig = &h.signatures[h.active_signature];
        let param = h
            .active_parameter
            .map(|p| sig.label[sig.parameters[p].0..sig.parameters[p].1].to_string());
        Some((sig.label.clone(), param))
    }

    fn param(text: &str) -> Option<String> {
        help(text).and_then(|(_, p)| p)
    }

    #[test]
    fn copy_sources_and_destination() {
        assert_eq!(param("FROM a\nCOPY $0").as_deref(), Some("<src>..."));
        assert_eq!(param("FROM a\nCOPY a $0").as_deref(), Some("<dest>"));
        assert_eq!(param("FROM a\nCOPY a b $0").as_deref(), Some("<dest>"));
        assert_eq!(param("FROM a\nCOPY a b$0 c").as_deref(), Some("<src>..."));
        assert_eq!(
            param("FROM a\nCOPY --chown=1:1 a b c$0").as_deref(),
            Some("<dest>")
        );
        assert_eq!(
            param("FROM a\nCOPY --fr$0om=x a b").as_deref(),
            Some("[--from=<stage>]")
        );
    }

    #[test]
    fn from_image_and_name() {
        let (label, p) = help("FROM node:20 $0").unwrap();
        assert!(label.starts_with("FROM [--platform"));
        assert_eq!(p.as_deref(), Some("[AS <name>]"));
        assert_eq!(
            param("FROM no$0de").as_deref(),
            Some("<image>[:<tag>|@<digest>]")
        );
        assert_eq!(param("FROM node AS b$0").as_deref(), Some("[AS <name>]"));
    }

    #[test]
    fn exec_form_and_shell_form() {
        let (label, p) = help("FROM a\nCMD [\"node\", $0]").unwrap();
        assert!(label.starts_with("CMD [\""), "{label}");
        assert!(p.is_some());
        let (label, p) = help("FROM a\nRUN apt-get $0").unwrap();
        assert!(label.starts_with("RUN [--mount"), "{label}");
        assert_eq!(p.as_deref(), Some("<command>"));
        assert_eq!(
            param("FROM a\nENV A=1 B$0=2").as_deref(),
            Some("<key>=<value>")
        );
    }

    #[test]
    fn flags_and_mount_fields() {
        let (label, p) = help("FROM a\nRUN --network=$0 x").unwrap();
        assert_eq!(label, "--network=<value>");
        assert_eq!(p.as_deref(), Some("<value>"));
        let (label, p) = help("FROM a\nRUN --mount=type=cache,tar$0get=/x y").unwrap();
        assert!(
            label.starts_with("--mount=type=cache,target=<path>,id=<id>"),
            "{label}"
        );
        assert_eq!(p.as_deref(), Some("target=<path>"));
        let (label, p) = help("FROM a\nRUN --mount=type=secret,id=npm,$0 y").unwrap();
        assert!(label.starts_with("--mount=type=secret,id=<id>"), "{label}");
        assert_eq!(p, None);
        assert_eq!(
            param("FROM a\nRUN --mount=type=bind,src$0=. y").as_deref(),
            Some("source=<path>")
        );
    }

    #[test]
    fn nothing_outside_arguments() {
        assert_eq!(help("FR$0OM a"), None);
        assert_eq!(help("# comment $0"), None);
        assert_eq!(help("FROM a\nRUN <<EOF\nec$0ho\nEOF\n"), None);
        assert_eq!(help("FROM a\nFOO $0x"), None);
    }

    #[test]
    fn every_form_parses_into_parameters() {
        for doc in reference::INSTRUCTIONS {
            for form in doc.forms {
                let params = params_of(form);
                assert!(!params.is_empty(), "{form}");
                for p in params {
                    assert!(p.span.0 < p.span.1 && p.span.1 <= form.len(), "{form}");
                }
            }
        }
    }

    #[test]
    fn no_panics() {
        for t in [
            "",
            "FROM",
            "COPY --",
            "RUN --mount=",
            "RUN --mount=\"",
            "HEALTHCHECK NONE",
            "HEALTHCHECK CMD [\"a\"",
            "ONBUILD COPY a b",
        ] {
            let a = Analysis::from_text(t);
            for o in 0..=t.len() as u32 {
                let _ = signature_help(&a, o);
            }
        }
    }
}
