//! Hover: what is under the cursor, explained. Instructions and flags (short docs and a link),
//! variables (value at that line and where it was set), stage names (base and uses), base
//! images (sizes, layers, digest, platforms, slimmer variants, where the figures come from),
//! rule names in suppression comments, parser directives.

use layerwise_analysis::image_facts::{format_bytes, ImageFacts, Platform};
use layerwise_analysis::{Base, RefTarget};
use layerwise_syntax::{ItemKind, TextRange};

use crate::reference;
use crate::symbols_at::{symbol_at, Symbol, VarSite};
use crate::Analysis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoverResult {
    pub range: TextRange,
    pub markdown: String,
}

pub fn hover(a: &Analysis, offset: u32) -> Option<HoverResult> {
    let (range, symbol) = symbol_at(a, offset)?;
    let markdown = match symbol {
        Symbol::Keyword(kind) => {
            let doc = reference::instruction(kind)?;
            let forms = doc.forms.iter().map(|f| format!("    {f}")).collect::<Vec<_>>().join("\n");
            format!("**{}**: {}\n\n```dockerfile\n{}\n```\n\n[Reference]({})", kind.keyword(), doc.summary, forms.trim_start_matches("    ").replace("\n    ", "\n"), reference::url(kind))
        }
        Symbol::Flag { kind, name } => {
            let doc = reference::flag(kind, &name)?;
            let mut s = format!("**--{}** ({}): {}", doc.name, kind.keyword(), doc.summary);
            if !doc.values.is_empty() {
                s.push_str(&format!("\n\nValues: {}", doc.values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")));
            }
            s
        }
        Symbol::Variable { name, site } => variable(a, &name, site)?,
        Symbol::StageName(stage) => stage_hover(a, stage),
        Symbol::StageRef(target) => match target {
            RefTarget::Stage(s) => stage_hover(a, s),
            RefTarget::Image(img) => image_hover(a, &img.canonical(), &img.display_name(), None),
            RefTarget::LaterStage(s) => format!("Stage `{}` is defined **later** in the file: `docker build` would look for an image of that name instead.", a.model.stages.get(s).map(|s| s.label()).unwrap_or_default()),
            RefTarget::OwnStage => "This names the stage it is in: a stage cannot copy from itself.".to_string(),
            RefTarget::Invalid(e) => format!("Neither a stage of this file nor a valid image reference: {e}"),
        },
        Symbol::BaseImage(stage) => {
            let st = a.model.stages.get(stage)?;
            match &st.base {
                Base::Image(img) => image_hover(a, &img.canonical(), &st.base_resolved, a.model.requested_platform(st).as_ref()),
                Base::Stage(b) => stage_hover(a, *b),
                Base::Scratch => "`scratch`: an empty image (0 B). Copy in a static binary, CA certificates and time zone data as needed.".into(),
                Base::Unresolved { reason } => format!("Base image not known: {reason}"),
            }
        }
        Symbol::Rule(code) => {
            let rule = layerwise_lint::rules::find(&code)?;
            let m = rule.meta();
            format!("**{}** ({}, {}): {}\n\n`layerwise explain {}` for details.", m.name, m.group.as_str(), m.severity.as_str(), m.summary(), m.name)
        }
        Symbol::Directive(name) => {
            let (_, example, doc) = reference::DIRECTIVES.iter().find(|(n, ..)| *n == name)?;
            format!("**# {name}=** parser directive: {doc}\n\nExample: `# {name}={example}`")
        }
    };
    Some(HoverResult { range, markdown })
}

fn variable(a: &Analysis, name: &str, site: VarSite) -> Option<String> {
    let scope = match site {
        VarSite::Use(i) => a.model.scope_before(&a.file, i),
        VarSite::Def(i) => a.model.scope_after(&a.file, i),
        VarSite::Global => a.model.global_scope(),
    };
    let def = scope.get(name);
    let mut s = format!("**${name}**");
    match def {
        Some(d) => {
            let kind = match d.kind {
                layerwise_analysis::vars::VarKind::GlobalArg => "global ARG",
                layerwise_analysis::vars::VarKind::Arg => "ARG",
                layerwise_analysis::vars::VarKind::Env => "ENV",
                layerwise_analysis::vars::VarKind::Automatic => "automatic platform ARG",
            };
            match &d.value {
                Some(v) => s.push_str(&format!(" = `{v}` ({kind})")),
                None => s.push_str(&format!(
                    " ({kind} without default: set with `--build-arg {name}=...`)"
                )),
            }
            if !d.name_range.is_empty() {
                let line = a.text[..d.name_range.start as usize].matches('\n').count() + 1;
                s.push_str(&format!("\n\nSet on line {line}"));
                if let Some(raw) = &d.raw_value {
                    if d.value.as_deref() != Some(raw.as_str()) {
                        s.push_str(&format!(" as `{raw}`"));
                    }
                }
                s.push('.');
            }
        }
        None if layerwise_analysis::vars::PREDEFINED_ARGS.contains(&name) => {
            s.push_str(": a predefined build argument (no `ARG` needed).")
        }
        None => s.push_str(": **not defined** here. The builder expands it to an empty string."),
    }
    Some(s)
}

fn stage_hover(a: &Analysis, stage: usize) -> String {
    let Some(st) = a.model.stages.get(stage) else {
        return String::new();
    };
    let mut s = format!("**Stage {}** `{}`", st.index, st.label());
    s.push_str(&format!("\n\nBuilt from `{}`", st.base_resolved));
    if let Base::Image(img) = &st.base {
        if let Some(size) = a
            .facts
            .images
            .get(&img.canonical())
            .and_then(ImageFacts::compressed_size)
        {
            s.push_str(&format!(" ({} compressed)", format_bytes(size)));
        }
    }
    let uses: Vec<String> = a
        .model
        .refs
        .iter()
        .filter(|r| r.target == RefTarget::Stage(stage))
        .map(|r| {
            format!(
                "line {}",
                a.text[..r.range.start as usize].matches('\n').count() + 1
            )
        })
        .collect();
    if uses.is_empty() {
        if a.model.is_final(stage) {
            s.push_str("\n\nThe final stage: this is the image `docker build` produces.");
        } else {
            s.push_str("\n\nNot used by any other stage.");
        }
    } else {
        s.push_str(&format!("\n\nUsed on {}.", uses.join(", ")));
    }
    s
}

/// The hover for an image: size per platform, layers, digest, created, user, and slimmer
/// variants, always saying where the figures come from. `platform` is the stage's
/// `FROM --platform`: its figures are shown when the facts have them, else the first figures
/// with a line saying so.
pub fn image_hover(
    a: &Analysis,
    canonical: &str,
    shown: &str,
    platform: Option<&Platform>,
) -> String {
    let mut s = format!("**{shown}**");
    let Some(f) = a.facts.images.get(canonical) else {
        s.push_str("\n\nSize: not known yet (no registry answer, not in the offline catalogue).");
        return s;
    };
    let wanted = platform.and_then(|w| f.for_platform(w));
    if let Some(p) = wanted.or_else(|| f.primary()) {
        s.push_str(&format!(
            "\n\n| | |\n|---|---|\n| compressed (download) | {} |",
            format_bytes(p.compressed_size)
        ));
        if let Some(u) = p.unpacked_size {
            s.push_str(&format!("\n| unpacked (on disk) | {} |", format_bytes(u)));
        }
        s.push_str(&format!("\n| platform | {} |", p.platform));
        if p.layer_count > 0 {
            s.push_str(&format!("\n| layers | {} |", p.layer_count));
        }
        if let Some(d) = f.digest.as_deref().or(p.manifest_digest.as_deref()) {
            s.push_str(&format!("\n| digest | `{}` |", d));
        }
        if let Some(c) = &p.created {
            s.push_str(&format!("\n| created | {c} |"));
        }
        if let Some(u) = p.user.as_deref().filter(|u| !u.is_empty()) {
            s.push_str(&format!("\n| default user | `{u}` |"));
        } else if !f.source.is_approximate() {
            s.push_str("\n| default user | root |");
        }
        if f.available_platforms.len() > 1 {
            let list: Vec<String> = f
                .available_platforms
                .iter()
                .map(|p| p.to_string())
                .collect();
            s.push_str(&format!("\n| platforms | {} |", list.join(", ")));
        }
        if let Some(variants) = a.facts.variants.get(canonical) {
            let lines: Vec<String> = variants
                .iter()
                .take(4)
                .filter(|v| v.compressed_size > 0 && v.compressed_size < p.compressed_size)
                .map(|v| {
                    format!(
                        "- `{}`: {} ({:.1}× smaller)",
                        v.reference,
                        format_bytes(v.compressed_size),
                        p.compressed_size as f64 / v.compressed_size as f64
                    )
                })
                .collect();
            if !lines.is_empty() {
                s.push_str(&format!("\n\nSlimmer variants:\n{}", lines.join("\n")));
            }
        }
    }
    if let (Some(w), None, Some(p)) = (platform, wanted, f.primary()) {
        s.push_str(&format!(
            "\n\nNo figures for `{w}` (the stage's `--platform`); these are for `{}`.",
            p.platform
        ));
    }
    s.push_str(&format!("\n\n_Source: {}._", f.source.label()));
    s
}

/// Whether `offset` is inside a comment item (used by completion to stay quiet).
pub fn in_comment(a: &Analysis, offset: u32) -> bool {
    a.item_at(offset)
        .is_some_and(|r| r.item.kind == ItemKind::Comment)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `node:20` with figures for amd64 (1.10 GB, first) and arm64 (900 MB).
    fn hover_on_image(text: &str) -> String {
        let mut a = Analysis::from_text(text);
        let f = layerwise_test_support::facts::two_platform_node();
        a.facts.images.insert(f.reference.canonical(), f);
        let offset = text.find("node:20").unwrap() as u32 + 2;
        hover(&a, offset)
            .expect("a hover on the base image")
            .markdown
    }

    #[test]
    fn the_base_image_hover_is_for_the_stage_platform() {
        let default = hover_on_image("FROM node:20\n");
        assert!(
            default.contains("| unpacked (on disk) | 1.10 GB |"),
            "{default}"
        );
        assert!(default.contains("| platform | linux/amd64 |"), "{default}");
        let arm = hover_on_image("ARG P=linux/arm64\nFROM --platform=$P node:20\n");
        assert!(arm.contains("| unpacked (on disk) | 900 MB |"), "{arm}");
        assert!(arm.contains("| platform | linux/arm64 |"), "{arm}");
        assert!(!arm.contains("No figures for"), "{arm}");
    }

    #[test]
    fn a_platform_without_figures_shows_the_first_and_says_so() {
        let h = hover_on_image("FROM --platform=linux/s390x node:20\n");
        assert!(h.contains("| platform | linux/amd64 |"), "{h}");
        assert!(h.contains("No figures for `linux/s390x`"), "{h}");
    }
}
