//! Python (pip, poetry, uv, pipenv): the builder installs into a virtualenv in `/opt/venv`
//! (build dependencies such as `gcc` and `libpq-dev` stay there), with the manifests copied
//! before the install; the runtime stage on the slim image of the same version copies the
//! virtualenv and the app, puts the virtualenv on `PATH`, installs the runtime libraries and
//! runs as an unprivileged user.

use layerwise_analysis::shell::{split_script, ShellCommand};
use layerwise_lint::package_managers::project_install;

use super::super::detect::{existing_venv, is_python_install, PyPm};
use super::super::plan::{Entry, Plan};
use super::super::text::absolute;

const VENV: &str = "/opt/venv";

pub(super) fn builder(p: &mut Plan<'_, '_>, pm: PyPm) {
    let known = p.v.a.facts.context.is_some();
    let has = |f: &str| p.v.context_has(f) == Some(true) || !known;
    match pm {
        PyPm::Pip => {
            let files = pip_manifests(p);
            p.move_install(
                &|c| project_install(c).is_some_and(|i| i.manager.name == "pip"),
                &files,
            );
        }
        PyPm::Pipenv => {
            let mut m = vec!["Pipfile".to_string()];
            if has("Pipfile.lock") {
                m.push("Pipfile.lock".into());
            }
            p.move_install(
                &|c| project_install(c).is_some_and(|i| i.manager.name == "pipenv"),
                &m,
            );
        }
        PyPm::Poetry => {
            let mut m = vec!["pyproject.toml".to_string()];
            if has("poetry.lock") {
                m.push("poetry.lock".into());
            }
            prefetch_or_move(p, "poetry", "install", "--no-root", &m);
        }
        PyPm::Uv => {
            let mut m = vec!["pyproject.toml".to_string()];
            if has("uv.lock") {
                m.push("uv.lock".into());
            }
            prefetch_or_move(p, "uv", "sync", "--no-install-project", &m);
        }
    }
    if venv(p).is_none() {
        add_venv(p, pm);
    }
}

/// The requirement files the first `pip install -r` reads; a file in a folder brings the
/// whole folder (requirement files include each other).
fn pip_manifests(p: &Plan<'_, '_>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in p.builder_commands() {
        let Some(install) = project_install(&c).filter(|i| i.manager.name == "pip") else {
            continue;
        };
        for f in install.manifests {
            let f = f.trim_start_matches("./").to_string();
            let entry = match f.rsplit_once('/') {
                Some((dir, _)) => format!("{dir}/"),
                None => f,
            };
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
        break;
    }
    if out.is_empty() {
        out.push("requirements.txt".into());
    }
    out
}

/// Poetry and uv install the project itself too, which needs the sources: when the install
/// does not already skip the project, a dependencies-only install runs before the sources
/// are copied (only if the tool is installed before that point), and the original install
/// stays where it is.
fn prefetch_or_move(p: &mut Plan<'_, '_>, tool: &str, sub: &str, skip_flag: &str, m: &[String]) {
    let is_it = |c: &ShellCommand| c.program() == Some(tool) && c.subcommand() == Some(sub);
    let first = p.builder_commands().into_iter().find(|c| is_it(c));
    let Some(cmd) = first else { return };
    if cmd.has_arg(&[skip_flag]) {
        p.move_install(&|c| is_it(c), m);
        return;
    }
    let Some((copy_pos, _, _)) = p.broad_copy() else {
        return;
    };
    // the tool must be there before the sources are copied
    let tool_ready = p.b[..copy_pos].iter().any(|e| match e {
        Entry::Unit(i) => mentions(&p.v.unit_text(p.unit(*i)), tool),
        Entry::Gen(t) => mentions(t, tool),
        _ => false,
    }) || p.v.base.repository.contains(tool);
    let after_copy = p
        .pos_in_b(
            super::units_with(p, &|c| is_it(c))
                .first()
                .copied()
                .unwrap_or(usize::MAX),
        )
        .is_some_and(|pos| pos > copy_pos);
    if !tool_ready || !after_copy || p.copies_before(copy_pos, &["pyproject.toml"]) {
        return;
    }
    let text = p.v.slice(layerwise_syntax::TextRange::from_usize(
        cmd.range.start,
        cmd.range.end,
    ));
    p.before_broad_copy(vec![
        format!("COPY {} ./", m.join(" ")),
        format!("RUN {} {skip_flag}", text.trim()),
    ]);
}

/// Whether `text` has `word` as a whole word (`uv`, not `uvicorn`).
fn mentions(text: &str, word: &str) -> bool {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .any(|w| w == word)
}

/// The virtualenv the stage creates itself, if it does.
fn venv(p: &Plan<'_, '_>) -> Option<String> {
    for i in p.b_units() {
        let u = p.unit(i);
        let wd = p.v.workdir_before(u);
        for c in p.v.commands(u) {
            if let Some(path) = existing_venv(&c, &wd) {
                return Some(path);
            }
        }
    }
    None
}

/// Creates `/opt/venv` and activates it (`VIRTUAL_ENV`, `PATH`) right before the first
/// install of Python packages, so pip, poetry, pipenv and uv all install into it.
fn add_venv(p: &mut Plan<'_, '_>, pm: PyPm) {
    let pos = p.b.iter().position(|e| {
        let cmds = match e {
            Entry::Unit(i) => p.v.commands(p.unit(*i)),
            Entry::Part { text, .. } | Entry::Gen(text) => match text.strip_prefix("RUN ") {
                Some(script) => split_script(script),
                None => Vec::new(),
            },
            Entry::Blank => Vec::new(),
        };
        cmds.iter().any(is_python_install)
    });
    let Some(mut pos) = pos else { return };
    // before the COPY of the manifests right above the install: the virtualenv does not
    // depend on them, so it stays cached when they change
    while pos > 0 && is_context_copy(p, &p.b[pos - 1]) {
        pos -= 1;
    }
    let mut env = vec![
        format!("ENV VIRTUAL_ENV={VENV}"),
        format!("PATH=\"{VENV}/bin:$PATH\""),
    ];
    if pm == PyPm::Uv {
        env.push(format!("UV_PROJECT_ENVIRONMENT={VENV}"));
    }
    let env_line = p.style.continued(&env);
    p.b.insert(pos, Entry::Gen(env_line));
    p.b.insert(pos, Entry::Gen(format!("RUN python -m venv {VENV}")));
}

fn is_context_copy(p: &Plan<'_, '_>, e: &Entry) -> bool {
    match e {
        Entry::Gen(t) => t.starts_with("COPY ") && !t.contains("--from"),
        Entry::Unit(i) => {
            let u = p.unit(*i);
            u.kind == layerwise_syntax::InstructionKind::Copy
                && p.v
                    .instruction(u)
                    .is_some_and(|inst| inst.flag("from").is_none())
                && p.broad_copy().is_none_or(|(_, b, _)| b != *i)
        }
        _ => false,
    }
}

pub(super) fn runtime(p: &mut Plan<'_, '_>) {
    let app = p.app_dir.clone();
    let from = format!("--from={}", p.builder_name);
    let venv_path = venv(p).or_else(|| {
        p.b.iter()
            .any(|e| matches!(e, Entry::Gen(t) if t.starts_with(&format!("RUN python -m venv {VENV}"))))
            .then(|| VENV.to_string())
    });
    if let Some(v) = &venv_path {
        let env = p.style.continued(&[
            format!("ENV VIRTUAL_ENV={v}"),
            format!("PATH=\"{v}/bin:$PATH\""),
        ]);
        p.rt_env.insert(0, Entry::Gen(env));
        let inside_app = absolute(&app, v).starts_with(&format!("{}/", app.trim_end_matches('/')));
        if !inside_app {
            p.rt_copies.push(Entry::Gen(format!("COPY {from} {v} {v}")));
        }
    }
    p.rt_copies
        .push(Entry::Gen(format!("COPY {from} {app} ./")));
}
