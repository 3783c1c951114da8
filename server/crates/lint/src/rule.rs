//! Rule metadata and the `declare_rule!` macro. A rule's doc comment is both its rustdoc and
//! the text `layerwise explain` prints and `docs/rules/` is generated from.

use crate::context::LintContext;
use crate::diagnostic::{Diagnostic, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    /// What makes `docker build` fail or do something other than intended.
    Correctness,
    /// Probably a mistake.
    Suspicious,
    /// Build-cache waste.
    Cache,
    /// Image weight.
    Size,
    Security,
    Reproducibility,
    Style,
    /// New rules, off by default until they prove themselves.
    Nursery,
}

impl Group {
    pub const ALL: [Group; 8] = [
        Group::Correctness,
        Group::Suspicious,
        Group::Cache,
        Group::Size,
        Group::Security,
        Group::Reproducibility,
        Group::Style,
        Group::Nursery,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Correctness => "correctness",
            Group::Suspicious => "suspicious",
            Group::Cache => "cache",
            Group::Size => "size",
            Group::Security => "security",
            Group::Reproducibility => "reproducibility",
            Group::Style => "style",
            Group::Nursery => "nursery",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixAvailability {
    None,
    Sometimes,
    Always,
}

#[derive(Debug)]
pub struct RuleMeta {
    /// kebab-case name, the rule's identity in settings and suppressions.
    pub name: &'static str,
    pub group: Group,
    pub severity: Severity,
    pub fix: FixAvailability,
    /// Off unless enabled in settings.
    pub default_enabled: bool,
    /// hadolint codes this rule answers to (`DL3006`), so their ignore comments work.
    pub hadolint: &'static [&'static str],
    /// BuildKit check name (`StageNameCasing`), so `# check=skip=` works.
    pub buildkit: Option<&'static str>,
    /// The Markdown docs (the rule's doc comment).
    pub docs: &'static str,
    /// The build context the doc examples assume, for rules that read it. `None`: the
    /// examples are linted with no facts at all (as `layerwise check --no-context` would).
    pub example_context: Option<ExampleContext>,
}

/// The build context a rule's doc examples are written against: which files exist and what
/// `.dockerignore` says. Rules about the context (`copy-ignored-file`, `missing-dockerignore`)
/// say nothing without one, so their examples could not be tested or read without it. The
/// docs test lints both examples with these facts and the generated page states them.
#[derive(Debug, Clone, Copy)]
pub struct ExampleContext {
    /// Paths relative to the context root; a trailing `/` makes an (empty) directory.
    /// Parent directories are implied.
    pub files: &'static [&'static str],
    /// The `.dockerignore` text, or `None` for a context known to have none.
    pub dockerignore: Option<&'static str>,
}

impl RuleMeta {
    /// The first line of the docs.
    pub fn summary(&self) -> &'static str {
        self.docs
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("")
    }

    /// Whether `code` (a hadolint code, BuildKit name or our name) names this rule.
    pub fn answers_to(&self, code: &str) -> bool {
        let code = code.trim();
        self.name.eq_ignore_ascii_case(code)
            || self.hadolint.iter().any(|h| h.eq_ignore_ascii_case(code))
            || self.buildkit.is_some_and(|b| b.eq_ignore_ascii_case(code))
    }
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &LintContext<'_>, out: &mut Vec<Diagnostic>);
}

/// Declares a rule: its doc comment (fixed sections: summary, What it does, Why is this bad?,
/// Example, Fix safety, Options, References) and metadata. The type implements
/// [`Rule::meta`]; the file implements `check` in `impl RuleCheck for Type`. Rules whose
/// examples need build-context facts end with `example_context: ExampleContext { .. }`.
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            name: $rule_name:literal,
            group: $group:ident,
            severity: $sev:ident,
            fix: $fix:ident,
            $(default_enabled: $enabled:literal,)?
            hadolint: [$($hl:literal),* $(,)?],
            buildkit: $bk:expr
            $(, example_context: $ctx:expr)? $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug, Default, Clone, Copy)]
        pub struct $name;

        impl $name {
            pub const META: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
                name: $rule_name,
                group: $crate::rule::Group::$group,
                severity: $crate::diagnostic::Severity::$sev,
                fix: $crate::rule::FixAvailability::$fix,
                default_enabled: $crate::declare_rule!(@enabled $($enabled)?),
                hadolint: &[$($hl),*],
                buildkit: $bk,
                docs: concat!($($doc, "\n"),*),
                example_context: $crate::declare_rule!(@context $($ctx)?),
            };
        }

        impl $crate::rule::Rule for $name {
            fn meta(&self) -> &'static $crate::rule::RuleMeta {
                static META: $crate::rule::RuleMeta = $name::META;
                &META
            }
            fn check(&self, cx: &$crate::context::LintContext<'_>, out: &mut Vec<$crate::diagnostic::Diagnostic>) {
                $crate::rule::RuleCheck::run(self, cx, self.meta(), out)
            }
        }
    };
    (@enabled) => { true };
    (@enabled $e:literal) => { $e };
    (@context) => { None };
    (@context $c:expr) => { Some($c) };
}

/// The check of a rule declared with [`declare_rule!`].
pub trait RuleCheck {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>);
}
