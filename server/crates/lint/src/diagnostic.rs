//! What a rule reports: a range, a message (what), a note (why), related locations, and fixes.
//!
//! A file at the server's 4 MB cap can hold two million findings, and every one is kept for
//! the document's life (code actions look them up), so their size is most of the server's
//! memory on such files (reliability finding F16). Hence: texts are [`Text`], so the many
//! rules that report a fixed message or note allocate nothing for it, and the fix and
//! related lists are allocated at the size they need (a first `push` would reserve four).

use std::borrow::Cow;

use layerwise_syntax::TextRange;
use serde::Serialize;

use crate::rule::RuleMeta;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "error" => Self::Error,
            "warning" | "warn" => Self::Warning,
            "info" | "information" => Self::Info,
            "hint" | "style" => Self::Hint,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
            Self::Hint => "hint",
        }
    }
}

/// How safe it is to apply a fix without looking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Keeps the meaning of the file; applied by "fix all".
    Safe,
    /// Changes what the build does (usually what you want, but read it).
    Unsafe,
    /// Shown for information; never applied automatically.
    DisplayOnly,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: TextRange,
    pub text: String,
}

/// A message, note or title: borrowed when the rule's text is fixed, owned when it is made
/// for the finding. Constructors take `impl Into<Text>`, so a rule passes either.
pub type Text = Cow<'static, str>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// A `String` still (not [`Text`]): fix titles are mostly made for the finding, and
    /// many rules build `Fix` literally.
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            title: title.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }
    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Self {
            title: title.into(),
            applicability: Applicability::Unsafe,
            edits,
        }
    }
    pub fn replace(
        title: impl Into<String>,
        range: TextRange,
        text: impl Into<String>,
        applicability: Applicability,
    ) -> Self {
        Self {
            title: title.into(),
            applicability,
            edits: vec![Edit {
                range,
                text: text.into(),
            }],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Related {
    pub range: TextRange,
    pub message: Text,
}

#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub range: TextRange,
    pub message: Text,
    /// Why it matters / what to do.
    pub note: Option<Text>,
    pub related: Vec<Related>,
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn new(rule: &'static RuleMeta, range: TextRange, message: impl Into<Text>) -> Self {
        Self {
            rule,
            severity: rule.severity,
            range,
            message: message.into(),
            note: None,
            related: Vec::new(),
            fixes: Vec::new(),
        }
    }
    pub fn note(mut self, note: impl Into<Text>) -> Self {
        self.note = Some(note.into());
        self
    }
    pub fn related(mut self, range: TextRange, message: impl Into<Text>) -> Self {
        push_exact(
            &mut self.related,
            Related {
                range,
                message: message.into(),
            },
        );
        self
    }
    pub fn fix(mut self, fix: Fix) -> Self {
        push_exact(&mut self.fixes, fix);
        self
    }
}

/// Pushes `item`, allocating room for exactly one when `v` has none: a first `Vec::push`
/// reserves four, and nearly every finding has one fix or one related location (a `Fix` is
/// 56 bytes: 168 bytes unused per finding). Later pushes grow as usual.
fn push_exact<T>(v: &mut Vec<T>, item: T) {
    if v.capacity() == 0 {
        v.reserve_exact(1);
    }
    v.push(item);
}
