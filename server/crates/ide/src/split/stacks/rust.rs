//! Rust: dependencies built once from the manifests with a placeholder `main.rs` (and the
//! real `main.rs` touched after the sources arrive, so Cargo rebuilds it), then a runtime
//! stage on `debian:<codename>-slim` or distroless `cc` that holds only the binary.

use layerwise_analysis::shell::ShellCommand;

use super::super::plan::{Entry, Plan};
use super::super::text::absolute;
use super::{replace_command, runs_build_tool, runtime_path, units_with};

fn is_build(c: &ShellCommand) -> bool {
    c.program() == Some("cargo") && matches!(c.subcommand(), Some("build" | "install"))
}

pub(super) fn builder(p: &mut Plan<'_, '_>) {
    let release = p.builder_commands().iter().any(|c| {
        is_build(c) && (c.has_arg(&["--release", "-r"]) || c.subcommand() == Some("install"))
    });
    binary(p, release);
    // `cargo run --release` becomes a release build
    let release = release
        || p.b
            .iter()
            .any(|e| matches!(e, Entry::Gen(t) if t.starts_with("RUN cargo build --release")));
    cache_dependencies(p, release);
}

fn lock_known(p: &Plan<'_, '_>) -> bool {
    p.v.context_has("Cargo.lock") != Some(false)
}

/// Builds the dependencies before the sources are copied: `Cargo.toml` and `Cargo.lock`, a
/// placeholder `src/main.rs`, `cargo build`, then the placeholder is removed. Only for a
/// single crate with `src/main.rs` (a workspace needs every member's manifest).
fn cache_dependencies(p: &mut Plan<'_, '_>, release: bool) {
    let Some((copy_pos, _, _)) = p.broad_copy() else {
        return;
    };
    // the first build after the copy: an original `RUN` or the one `cargo run` needed
    let first_build =
        p.b.iter()
            .enumerate()
            .skip(copy_pos + 1)
            .find_map(|(pos, e)| {
                let is = match e {
                    Entry::Unit(i) => {
                        p.v.commands(p.unit(*i))
                            .iter()
                            .any(|c| is_build(c) && c.subcommand() == Some("build"))
                    }
                    Entry::Gen(t) => t.starts_with("RUN cargo build"),
                    _ => false,
                };
                is.then_some(pos)
            });
    let Some(first_build) = first_build else {
        return;
    };
    if p.copies_before(copy_pos, &["Cargo.toml"])
        || p.v.context_has("src/main.rs") == Some(false)
        || p.v.context_has("Cargo.toml") == Some(false)
    {
        return;
    }
    let lock = lock_known(p);
    let mut manifests = vec!["Cargo.toml"];
    if lock {
        manifests.push("Cargo.lock");
    }
    let mut flags = String::new();
    if release {
        flags.push_str(" --release");
    }
    if lock {
        flags.push_str(" --locked");
    }
    let dummy = p.style.continued(&[
        "RUN mkdir src".into(),
        "&& echo 'fn main() {}' > src/main.rs".into(),
        format!("&& cargo build{flags}"),
        "&& rm -rf src".into(),
    ]);
    let touch = [
        "# the sources are older than the placeholder build: make Cargo rebuild main.rs",
        "RUN touch src/main.rs",
    ];
    for (k, l) in touch.into_iter().enumerate() {
        p.b.insert(first_build + k, Entry::Gen(l.into()));
    }
    p.before_broad_copy(vec![format!("COPY {} ./", manifests.join(" ")), dummy]);
}

/// The binary: from the command that starts it (`./target/release/app`, `app`), else the
/// `--bin` of `cargo run`; `cargo run` commands are replaced by the binary.
fn binary(p: &mut Plan<'_, '_>, release: bool) {
    let app = p.app_dir.clone();
    let (ep, cmd) = p.entry_words();
    let entry: Vec<String> = ep
        .as_ref()
        .or(cmd.as_ref())
        .map(|(_, w)| w.clone())
        .unwrap_or_default();
    let cargo_run = runs_build_tool(&entry);
    let builds: Vec<(usize, String, ShellCommand)> = units_with(p, &is_build)
        .into_iter()
        .flat_map(|i| {
            let u = p.unit(i);
            let wd = p.v.workdir_before(u);
            p.v.commands(u)
                .into_iter()
                .filter(is_build)
                .map(move |c| (i, wd.clone(), c))
        })
        .collect();
    let build_wd = builds.last().map_or(app.clone(), |(_, wd, _)| wd.clone());
    let install = builds
        .last()
        .is_some_and(|(_, _, c)| c.subcommand() == Some("install"));
    let profile = if release || cargo_run {
        "release"
    } else {
        "debug"
    };
    if cargo_run {
        let bin = flag_value(&entry, "--bin").or_else(|| {
            builds.iter().find_map(|(_, _, c)| {
                let w: Vec<String> = c.argv().iter().map(|w| w.text.to_string()).collect();
                flag_value(&w, "--bin")
            })
        });
        let name = bin.unwrap_or_else(|| {
            p.notes.push("the binary is named after the package in Cargo.toml: adjust `app` in the runtime stage".into());
            "app".into()
        });
        if builds.is_empty() {
            let lock = if lock_known(p) { " --locked" } else { "" };
            p.b.push(Entry::Gen(format!("RUN cargo build --release{lock}")));
        }
        let src = format!("{}/target/release/{name}", build_wd.trim_end_matches('/'));
        let dest = format!("/usr/local/bin/{name}");
        p.artifacts.push((src, dest.clone()));
        let mut words = vec![dest];
        if let Some(k) = entry.iter().position(|w| w == "--") {
            words.extend(entry[k + 1..].iter().cloned());
        }
        p.new_command = Some((words, "`cargo run` needs the Rust toolchain".into()));
        return;
    }
    let Some(first) = entry.first() else {
        p.notes.push(
            "no CMD or ENTRYPOINT names the binary: adjust the COPY of the runtime stage".into(),
        );
        let src = format!("{}/target/{profile}/app", build_wd.trim_end_matches('/'));
        p.artifacts.push((src, "/usr/local/bin/app".into()));
        return;
    };
    if first.contains("target/release/") || first.contains("target/debug/") || first.contains('/') {
        let path = absolute(&app, first);
        p.artifacts.push((path.clone(), path));
    } else {
        let src = if install {
            format!("/usr/local/cargo/bin/{first}")
        } else {
            format!(
                "{}/target/{profile}/{first}",
                build_wd.trim_end_matches('/')
            )
        };
        p.artifacts.push((src, runtime_path(&app, first)));
    }
}

/// `--bin x` or `--bin=x` in a word list.
fn flag_value(words: &[String], flag: &str) -> Option<String> {
    for (k, w) in words.iter().enumerate() {
        if w == flag {
            return words.get(k + 1).cloned();
        }
        if let Some(v) = w.strip_prefix(&format!("{flag}=")) {
            return Some(v.to_string());
        }
    }
    None
}

pub(super) fn runtime(p: &mut Plan<'_, '_>) {
    p.copy_artifacts();
    p.rt_copies.push(Entry::Gen(
        "# Copy anything else the program reads at run time (templates, static files, config) here."
            .into(),
    ));
    if let Some((words, why)) = p.new_command.clone() {
        replace_command(p, &words, &why);
    }
}
