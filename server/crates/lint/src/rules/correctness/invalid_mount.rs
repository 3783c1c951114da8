use std::collections::HashSet;
use std::ops::Range;

use layerwise_syntax::mount::{mount_fields, MountField};
use layerwise_syntax::{InstructionKind, TextRange};

use crate::context::LintContext;
use crate::declare_rule;
use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::rule::{RuleCheck, RuleMeta};
use crate::rules::correctness::util::{has_var, suggest};
use crate::rules::correctness::values::{go_bool, ram_in_bytes_ok};

declare_rule! {
    /// A `RUN --mount` that BuildKit rejects.
    ///
    /// ## What it does
    /// Checks each `--mount` the way BuildKit parses it: known keys (`type`, `from`, `source`,
    /// `target`, `id`, `sharing`, `mode`, `uid`, `gid`, `size`, `env`, `readonly`, `required`,
    /// with their aliases), a known `type` (`bind`, `cache`, `tmpfs`, `secret`, `ssh`) and
    /// `sharing` (`shared`, `private`, `locked`), booleans, octal `mode`, numeric `uid`/`gid`,
    /// keys that only some types take (`size` for tmpfs; `required` for secret and ssh;
    /// `mode`/`uid`/`gid` for secret, ssh and cache; `sharing` for cache), a secret mount with
    /// a `target`, `source` or `id` and without `from`, and no variables in `from`. Keys apply
    /// in order, so `type=` must come before the keys that depend on it.
    ///
    /// ## Why is this bad?
    /// `docker build` stops with an error at this `RUN`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23
    /// RUN --mount=type=cache,traget=/root/.cache/go-build go build ./...
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM golang:1.23
    /// RUN --mount=type=cache,target=/root/.cache/go-build go build ./...
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: a misspelt key or value is replaced with the closest valid one (edit distance
    /// below 3).
    ///
    /// ## Options
    /// None.
    ///
    /// ## References
    /// - [Dockerfile reference: RUN --mount](https://docs.docker.com/reference/dockerfile/#run---mount)
    pub struct InvalidMount {
        name: "invalid-mount",
        group: Correctness,
        severity: Error,
        fix: Sometimes,
        hadolint: [],
        buildkit: None,
    }
}

const KEYS: &[&str] = &[
    "type",
    "from",
    "source",
    "target",
    "readonly",
    "id",
    "sharing",
    "required",
    "size",
    "mode",
    "uid",
    "gid",
    "src",
    "dst",
    "destination",
    "ro",
    "rw",
    "readwrite",
    "env",
];
const TYPES: &[&str] = &["bind", "cache", "tmpfs", "secret", "ssh"];
const SHARING: &[&str] = &["shared", "private", "locked"];

/// One problem: where it is in the flag value, the message, and an optional replacement.
struct Problem {
    range: Range<usize>,
    message: String,
    replace: Option<String>,
}

impl RuleCheck for InvalidMount {
    fn run(&self, cx: &LintContext<'_>, meta: &'static RuleMeta, out: &mut Vec<Diagnostic>) {
        // Mount values repeat (`type=cache,target=/root/.npm` on every npm stage): one found
        // to be fine is not parsed again.
        let mut fine: HashSet<&str> = HashSet::new();
        for i in cx.of_kind(InstructionKind::Run) {
            for f in i.inst.flags.iter().filter(|f| f.name() == "mount") {
                let (Some(value), Some(vr)) = (f.value(), f.value_range) else {
                    continue;
                };
                if fine.contains(value) {
                    continue;
                }
                let problems = problems(value, cx.model.escape);
                if problems.is_empty() {
                    fine.insert(value);
                    continue;
                }
                let raw = i.item.slice(vr);
                // ranges inside the value map onto the source only when nothing was unquoted
                let exact = raw == value;
                for p in problems {
                    let range = if exact {
                        let a = i.abs(vr).start + p.range.start as u32;
                        TextRange::new(a, a + (p.range.end - p.range.start) as u32)
                    } else {
                        i.abs(vr)
                    };
                    let mut d = Diagnostic::new(meta, range, p.message)
                        .note("docker build stops at this RUN.");
                    if let (Some(r), true) = (p.replace, exact) {
                        d = d.fix(Fix::replace(
                            format!("Replace with `{r}`"),
                            range,
                            r,
                            Applicability::Unsafe,
                        ));
                    }
                    out.push(d);
                }
            }
        }
    }
}

/// BuildKit's `parseMount`, reporting the first problem (as BuildKit stops at it).
fn problems(value: &str, escape: char) -> Vec<Problem> {
    let fields = mount_fields(value);
    let mut ty = "bind".to_string();
    let (mut has_mode, mut has_uid, mut has_gid) = (None, None, None);
    let (mut from, mut source, mut target, mut id, mut sharing) = (None, None, None, None, None);
    let err = |range: Range<usize>, message: String| {
        vec![Problem {
            range,
            message,
            replace: None,
        }]
    };
    for f in &fields {
        let key = f.key.to_ascii_lowercase();
        let Some(v) = f.value.as_deref() else {
            match key.as_str() {
                "readonly" | "ro" | "readwrite" | "rw" => continue,
                "required" if ty == "secret" || ty == "ssh" => continue,
                "required" => {
                    return err(
                        f.range.clone(),
                        format!("unexpected key 'required' for mount type '{ty}'"),
                    )
                }
                _ => {
                    return err(
                        f.range.clone(),
                        format!("invalid field '{}' must be a key=value pair", f.key),
                    )
                }
            }
        };
        let vr = f.value_range.clone().unwrap_or(f.range.clone());
        let dynamic = has_var(v, escape);
        match key.as_str() {
            "type" if dynamic => ty = String::new(),
            "type" => {
                let lower = v.to_ascii_lowercase();
                if !TYPES.contains(&lower.as_str()) {
                    let replace = suggest(v, TYPES.iter().copied(), true);
                    return vec![Problem {
                        range: vr,
                        message: format!(
                            "unsupported mount type {v:?}: use bind, cache, tmpfs, secret or ssh"
                        ),
                        replace,
                    }];
                }
                ty = lower;
            }
            "from" => {
                if v.find('$').is_some_and(|at| at + 1 != v.len()) {
                    return err(
                        vr,
                        "'from' doesn't support variable expansion, define alias stage instead"
                            .into(),
                    );
                }
                from = Some(f);
            }
            "source" | "src" => source = Some(f),
            "target" | "dst" | "destination" => target = Some(f),
            "readonly" | "ro" | "readwrite" | "rw" if !dynamic && go_bool(v).is_none() => {
                return err(vr, format!("invalid value for {key}: {v}"))
            }
            "required" if !ty.is_empty() && ty != "secret" && ty != "ssh" => {
                return err(
                    f.range.clone(),
                    format!("unexpected key 'required' for mount type '{ty}'"),
                )
            }
            "required" if !dynamic && go_bool(v).is_none() => {
                return err(vr, format!("invalid value for {key}: {v}"))
            }
            "size" if !ty.is_empty() && ty != "tmpfs" => {
                return err(
                    f.range.clone(),
                    format!("unexpected key 'size' for mount type '{ty}'"),
                )
            }
            "size" if !dynamic && !ram_in_bytes_ok(v) => {
                return err(vr, format!("invalid value for size: {v}"))
            }
            "id" => id = Some(f),
            "sharing" if dynamic => sharing = Some(f),
            "sharing" => {
                if !SHARING.contains(&v.to_ascii_lowercase().as_str()) {
                    let replace = suggest(v, SHARING.iter().copied(), true);
                    return vec![Problem {
                        range: vr,
                        message: format!(
                            "unsupported sharing value {v:?}: use shared, private or locked"
                        ),
                        replace,
                    }];
                }
                sharing = Some(f);
            }
            "mode" => {
                if !dynamic
                    && (v.is_empty()
                        || !v.bytes().all(|b| (b'0'..=b'7').contains(&b))
                        || u64::from_str_radix(v, 8).map_or(true, |m| m > u64::from(u32::MAX)))
                {
                    return err(vr, format!("invalid value {v} for mode"));
                }
                has_mode = Some(f);
            }
            "uid" | "gid" => {
                if !dynamic && v.parse::<u32>().is_err() {
                    return err(vr, format!("invalid value {v} for {key}"));
                }
                if key == "uid" {
                    has_uid = Some(f);
                } else {
                    has_gid = Some(f);
                }
            }
            "env" | "readonly" | "ro" | "readwrite" | "rw" | "required" | "size" => {}
            _ => {
                let replace = suggest(&key, KEYS.iter().copied(), true);
                return vec![Problem {
                    range: f.key_range.clone(),
                    message: format!("unexpected key '{key}' in '{}'", raw_field(value, f)),
                    replace,
                }];
            }
        }
    }
    if ty.is_empty() {
        return Vec::new(); // the type comes from a variable: the rest depends on it
    }
    let file_info = matches!(ty.as_str(), "secret" | "ssh" | "cache");
    for (f, what) in [(has_mode, "mode"), (has_uid, "uid"), (has_gid, "gid")] {
        if let (Some(f), false) = (f, file_info) {
            return err(
                f.range.clone(),
                format!("{what} not allowed for {ty:?} type mounts"),
            );
        }
    }
    if ty == "secret" {
        if let Some(f) = from {
            return err(
                f.range.clone(),
                "secret mount should not have a from".into(),
            );
        }
        if let Some(f) = sharing {
            return err(
                f.range.clone(),
                "secret mount should not define sharing".into(),
            );
        }
        if source.is_none() && target.is_none() && id.is_none() {
            return err(
                0..value.len(),
                "invalid secret mount: one of id, source or target is required".into(),
            );
        }
        if let (Some(s), Some(_)) = (source, id) {
            return err(s.range.clone(), "both source and id can't be set".into());
        }
    }
    if let (Some(f), false) = (sharing, ty == "cache") {
        return err(
            f.range.clone(),
            format!("invalid cache sharing set for {ty} mount"),
        );
    }
    Vec::new()
}

fn raw_field<'a>(value: &'a str, f: &MountField) -> &'a str {
    value.get(f.range.clone()).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    fn one(m: &str) -> Vec<String> {
        findings(&InvalidMount, &format!("FROM a\nRUN --mount={m} true\n"))
            .into_iter()
            .map(|d| d.message.into_owned())
            .collect()
    }

    #[test]
    fn fires() {
        let t = "FROM a\nRUN --mount=type=cache,traget=/x --mount=type=cahce,target=/y true\n";
        assert_eq!(flagged(&InvalidMount, t), ["traget", "cahce"]);
        assert_eq!(
            fixed(&InvalidMount, t),
            "FROM a\nRUN --mount=type=cache,target=/x --mount=type=cache,target=/y true\n"
        );
        assert_eq!(
            one("type=bind,size=1g"),
            ["unexpected key 'size' for mount type 'bind'"]
        );
        assert_eq!(
            one("required,type=secret,id=x"),
            ["unexpected key 'required' for mount type 'bind'"]
        );
        assert_eq!(
            one("type=secret"),
            ["invalid secret mount: one of id, source or target is required"]
        );
        assert_eq!(
            one("type=secret,id=a,from=b"),
            ["secret mount should not have a from"]
        );
        assert_eq!(
            one("type=bind,mode=0755,target=/x"),
            ["mode not allowed for \"bind\" type mounts"]
        );
        assert_eq!(
            one("type=cache,target=/x,mode=999"),
            ["invalid value 999 for mode"]
        );
        assert_eq!(
            one("type=cache,target=/x,sharing=exclusive"),
            ["unsupported sharing value \"exclusive\": use shared, private or locked"]
        );
        assert_eq!(
            one("type=tmpfs,target=/x,sharing=locked"),
            ["invalid cache sharing set for tmpfs mount"]
        );
        assert_eq!(
            one("type=bind,target=/x,ro=maybe"),
            ["invalid value for ro: maybe"]
        );
        assert_eq!(
            one("type=bind,from=$STAGE,target=/x"),
            ["'from' doesn't support variable expansion, define alias stage instead"]
        );
        assert_eq!(
            one("type=bind,target=/x,bogus"),
            ["invalid field 'bogus' must be a key=value pair"]
        );
    }

    #[test]
    fn near_miss() {
        for ok in [
            "type=cache,target=/root/.cache,sharing=locked,id=pip,mode=0755,uid=1000,gid=1000",
            "type=secret,id=npmrc,target=/root/.npmrc,required",
            "type=secret,id=aws,env=AWS_ACCESS_KEY_ID",
            "type=ssh,required=true",
            "type=tmpfs,target=/tmp,size=64m",
            "type=bind,from=build,source=/out,target=/in,rw",
            "target=/src,readonly",
            "type=$T,size=1g",
            "type=cache,target=${CACHE_DIR},uid=${UID}",
            "\"type=cache,target=/a b\"",
        ] {
            assert!(one(ok).is_empty(), "{ok}: {:?}", one(ok));
        }
    }
}
