//! What a rule reports: a range, a message (what), a note (why), related locations, and fixes.
//!
//! A file at the server's 4 MB cap can hold two million findings, and every one is kept for
//! the document's life (code actions look them up), so their size is most of the server's
//! memory on such files (reliability finding F16). Hence: texts (messages, notes, fix titles
//! and edit texts) are [`Text`], so the many rules that report fixed text allocate nothing
//! for it; a fix keeps its one edit in place ([`Edits`]); and the fix and related lists are
//! boxed slices of the size they need (a first `Vec::push` would reserve four).

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
    /// [`Text`]: a fix that inserts or replaces with fixed text (a keyword, a flag, nothing)
    /// allocates nothing for it.
    pub text: Text,
}

/// A message, note or title: borrowed when the rule's text is fixed, owned when it is made
/// for the finding. Constructors take `impl Into<Text>`, so a rule passes either.
pub type Text = Cow<'static, str>;

/// A fix's edits, read as a slice. Nearly every fix has one edit, kept in place: a list
/// would cost an allocation per fix (F16: two million fixes at the server's size cap).
/// Several edits are kept at their exact size.
#[derive(Clone, PartialEq, Eq)]
pub struct Edits(EditsRepr);

#[derive(Clone, PartialEq, Eq)]
enum EditsRepr {
    One(Edit),
    Many(Box<[Edit]>),
}

impl Edits {
    /// No edits.
    pub fn none() -> Self {
        Self(EditsRepr::Many(Box::default()))
    }
}

impl std::ops::Deref for Edits {
    type Target = [Edit];
    fn deref(&self) -> &[Edit] {
        match &self.0 {
            EditsRepr::One(e) => std::slice::from_ref(e),
            EditsRepr::Many(v) => v,
        }
    }
}

impl From<Edit> for Edits {
    fn from(e: Edit) -> Self {
        Self(EditsRepr::One(e))
    }
}

impl From<Vec<Edit>> for Edits {
    fn from(mut v: Vec<Edit>) -> Self {
        if v.len() == 1 {
            if let Some(e) = v.pop() {
                return Self(EditsRepr::One(e));
            }
        }
        Self(EditsRepr::Many(v.into_boxed_slice()))
    }
}

impl FromIterator<Edit> for Edits {
    fn from_iter<I: IntoIterator<Item = Edit>>(iter: I) -> Self {
        iter.into_iter().collect::<Vec<_>>().into()
    }
}

impl std::fmt::Debug for Edits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Edits {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// [`Text`]: most titles are fixed ("Remove the unused stage") or come from a fixed
    /// table, and allocate nothing then.
    pub title: Text,
    pub applicability: Applicability,
    pub edits: Edits,
}

impl Fix {
    pub fn new(
        title: impl Into<Text>,
        applicability: Applicability,
        edits: impl Into<Edits>,
    ) -> Self {
        Self {
            title: compact(title.into()),
            applicability,
            edits: edits.into(),
        }
    }
    pub fn safe(title: impl Into<Text>, edits: impl Into<Edits>) -> Self {
        Self::new(title, Applicability::Safe, edits)
    }
    pub fn unsafe_(title: impl Into<Text>, edits: impl Into<Edits>) -> Self {
        Self::new(title, Applicability::Unsafe, edits)
    }
    pub fn replace(
        title: impl Into<Text>,
        range: TextRange,
        text: impl Into<Text>,
        applicability: Applicability,
    ) -> Self {
        Self::new(
            title,
            applicability,
            Edit {
                range,
                text: text.into(),
            },
        )
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
    /// Boxed slices, not `Vec`s: 16 bytes each instead of 24 on every finding, and most
    /// findings have none.
    pub related: Box<[Related]>,
    pub fixes: Box<[Fix]>,
}

impl Diagnostic {
    pub fn new(rule: &'static RuleMeta, range: TextRange, message: impl Into<Text>) -> Self {
        Self {
            rule,
            severity: rule.severity,
            range,
            message: compact(message.into()),
            note: None,
            related: Box::default(),
            fixes: Box::default(),
        }
    }
    pub fn note(mut self, note: impl Into<Text>) -> Self {
        self.note = Some(compact(note.into()));
        self
    }
    pub fn related(mut self, range: TextRange, message: impl Into<Text>) -> Self {
        push_exact(
            &mut self.related,
            Related {
                range,
                message: compact(message.into()),
            },
        );
        self
    }
    pub fn fix(mut self, fix: Fix) -> Self {
        push_exact(&mut self.fixes, fix);
        self
    }

    /// Relates each of `ranges` with `message`, the first [`MAX_LISTED`] one by one and then
    /// one more at the next range whose message `rest` writes from how many are left: a
    /// generated file can have hundreds of thousands, each a location in every answer and in
    /// `check --format json` (about 12 KB each there).
    pub fn related_listed(
        mut self,
        ranges: &[TextRange],
        message: &'static str,
        rest: impl FnOnce(usize) -> String,
    ) -> Self {
        let listed = ranges.len().min(MAX_LISTED);
        let mut all: Vec<Related> = Vec::with_capacity(self.related.len() + listed + 1);
        all.extend(std::mem::take(&mut self.related).into_vec());
        all.extend(ranges[..listed].iter().map(|&range| Related {
            range,
            message: Text::Borrowed(message),
        }));
        if let Some(&next) = ranges.get(listed) {
            all.push(Related {
                range: next,
                message: compact(rest(ranges.len() - listed).into()),
            });
        }
        self.related = all.into_boxed_slice();
        self
    }
}

/// `text` without spare capacity. `format!` reserves about twice its fixed text when it has
/// arguments (`"stage {} is never used: ..."` keeps 166 bytes for 88), and a finding's texts
/// are kept as long as the document is open (F16: 150,000 unused stages kept 12 MB of it).
/// Fixed text and exact strings are returned as they are.
fn compact(text: Text) -> Text {
    match text {
        Cow::Owned(mut s) if s.capacity() > s.len() => {
            s.shrink_to_fit();
            Cow::Owned(s)
        }
        t => t,
    }
}

/// Appends `item` to a boxed slice. Findings are built with one fix or related location
/// (rarely two), so re-boxing at the exact size on each push costs little and leaves no
/// spare capacity kept for the finding's life.
/// How many related locations [`Diagnostic::related_listed`] lists one by one.
pub const MAX_LISTED: usize = 16;

fn push_exact<T>(v: &mut Box<[T]>, item: T) {
    let mut list = std::mem::take(v).into_vec();
    list.reserve_exact(1);
    list.push(item);
    *v = list.into_boxed_slice();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_texts_are_kept_without_spare_capacity() {
        // (an argument the compiler cannot write into the literal itself)
        let stage = std::hint::black_box(7);
        let message = format!("stage {stage} is never used: the final stage does not need it");
        assert!(
            message.capacity() > message.len(),
            "format! reserved no spare room"
        );
        let compacted = compact(message.clone().into());
        assert_eq!(compacted, message);
        match compacted {
            Cow::Owned(s) => assert_eq!(s.capacity(), s.len()),
            Cow::Borrowed(_) => panic!("an owned text stays owned"),
        }
        assert!(matches!(compact("fixed".into()), Cow::Borrowed("fixed")));
    }

    #[test]
    fn one_edit_is_kept_in_place_and_several_in_order() {
        let edit = |start: u32, text: &'static str| Edit {
            range: TextRange::new(start, start),
            text: text.into(),
        };
        let one = Edits::from(vec![edit(1, "a")]);
        assert!(matches!(one.0, EditsRepr::One(_)));
        assert_eq!(&*one, &[edit(1, "a")]);
        let two: Edits = [edit(1, "a"), edit(2, "b")].into_iter().collect();
        assert_eq!(&*two, &[edit(1, "a"), edit(2, "b")]);
        assert!(Edits::from(Vec::new()).is_empty());
        assert!(Edits::none().is_empty());
    }

    #[test]
    fn fixes_and_related_grow_one_at_a_time() {
        static META: crate::rule::RuleMeta =
            crate::rules::correctness::unknown_instruction::UnknownInstruction::META;
        let r = TextRange::new(0, 1);
        let d = Diagnostic::new(&META, r, "m")
            .fix(Fix::safe("a", Edits::none()))
            .fix(Fix::safe("b", Edits::none()))
            .related(r, "x");
        let titles: Vec<&str> = d.fixes.iter().map(|f| &*f.title).collect();
        assert_eq!(titles, ["a", "b"]);
        assert_eq!(d.related.len(), 1);
    }
}
