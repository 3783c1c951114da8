//! What the final image runs, and whether that is an app. Rules about the final image (root
//! user, toolchain base, build tools, `scratch` without certificates) only matter for an image
//! that runs a program of its own; base and tool images (a shell, a REPL, a build tool, a
//! keep-alive `sleep`) are meant to be built on or used interactively. One answer here keeps
//! those rules agreeing.
//!
//! The command is worked out as Docker sets the image config (BuildKit's `dispatchCmd` /
//! `dispatchEntrypoint`): the last `CMD` and `ENTRYPOINT` of the final stage or the stages it is
//! built `FROM`; an `ENTRYPOINT` drops the inherited `CMD` unless its own stage set one; the
//! shell form runs `/bin/sh -c "<text>"`, and a shell-form `ENTRYPOINT` ignores `CMD`.

use layerwise_analysis::shell::split_script;
use layerwise_syntax::{Args, InstructionKind};

use super::shipped_stages;
use crate::context::LintContext;

/// Bound on how many wrappers and `sh -c` levels are looked through.
const MAX_UNWRAP: usize = 16;

/// Entrypoint scripts of official base images that only prepare the container and run their
/// arguments: without any, the image runs nothing of its own (Eclipse Temurin's CA
/// certificate hook).
const PASS_THROUGH: &[&str] = &["__cacert_entrypoint.sh"];

/// A `CMD` or `ENTRYPOINT` as written.
#[derive(Debug, Clone)]
enum Form {
    Exec(Vec<String>),
    Shell(String),
}

impl Form {
    fn argv(self) -> Vec<String> {
        match self {
            Form::Exec(w) => w,
            Form::Shell(t) => vec!["/bin/sh".into(), "-c".into(), t],
        }
    }
}

/// The argument vector the final image starts with: `ENTRYPOINT` then `CMD`, as Docker
/// combines them. Empty when the Dockerfile sets neither (the base image's default applies,
/// which is not known here).
fn image_argv(cx: &LintContext<'_>) -> Vec<String> {
    let shipped = shipped_stages(cx.model);
    let (mut entrypoint, mut cmd): (Option<Form>, Option<Form>) = (None, None);
    // the shipped stages form one chain in file order, base first
    let mut stage = None;
    let mut cmd_set_here = false;
    for i in cx.instructions() {
        let Some(s) = i
            .stage
            .filter(|s| shipped.get(*s).copied().unwrap_or(false))
        else {
            continue;
        };
        if stage != Some(s) {
            stage = Some(s);
            cmd_set_here = false;
        }
        let form = || match &i.inst.args {
            Args::Exec { items, .. } => Some(Form::Exec(
                items.iter().map(|w| w.text.to_string()).collect(),
            )),
            Args::Text(w) => Some(Form::Shell(w.text.to_string())),
            _ => None,
        };
        match i.inst.kind {
            InstructionKind::Cmd => {
                cmd = form();
                cmd_set_here = true;
            }
            InstructionKind::Entrypoint => {
                entrypoint = form();
                if !cmd_set_here {
                    cmd = None;
                }
            }
            _ => {}
        }
    }
    match entrypoint {
        Some(Form::Shell(t)) => Form::Shell(t).argv(),
        Some(Form::Exec(mut e)) => {
            e.extend(cmd.map(Form::argv).unwrap_or_default());
            e
        }
        None => cmd.map(Form::argv).unwrap_or_default(),
    }
}

/// The command the final image keeps running, looked through what only starts it: init and
/// entrypoint wrappers (`tini --`, `docker-entrypoint.sh`, which run their arguments), user
/// switchers (`gosu app`, `su-exec app`), `env`, `exec`, runners (`bundle exec`, `npx`,
/// `poetry run`, `uv run`), and `sh -c "<script>"` (the script's last command). Empty when the
/// Dockerfile states none.
pub(crate) fn final_command(cx: &LintContext<'_>) -> Vec<String> {
    unwrap(image_argv(cx))
}

/// Whether the final image runs an app: a program of its own rather than a shell, a REPL, a
/// build tool doing no run goal, or a keep-alive. See [`final_command`].
pub(crate) fn runs_an_app(cx: &LintContext<'_>) -> bool {
    is_app(&final_command(cx))
}

fn basename(w: &str) -> &str {
    w.rsplit('/').next().unwrap_or(w)
}

/// A shell option word that carries `-c` (`-c`, `-ec`, `-lc`).
fn has_c_flag(w: &str) -> bool {
    w.len() > 1 && w.starts_with('-') && !w.starts_with("--") && w[1..].contains('c')
}

fn is_shell(program: &str) -> bool {
    matches!(
        program,
        "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh" | "mksh" | "busybox"
    )
}

/// Looks through wrappers (see [`final_command`]), bounded.
fn unwrap(mut words: Vec<String>) -> Vec<String> {
    for _ in 0..MAX_UNWRAP {
        let Some(first) = words.first() else { break };
        let program = basename(first);
        let skip = match program {
            // they run "$@"; followed by nothing or options only, the script runs its own
            // program (`ENTRYPOINT ["/entrypoint.sh"]`, `CMD ["--port", "80"]`), which is
            // the image's app
            p if p.contains("entrypoint") => {
                if words.get(1).is_some_and(|w| !w.starts_with('-')) {
                    1
                } else if PASS_THROUGH.contains(&p) {
                    // nothing to pass on: nothing runs (a base image)
                    return Vec::new();
                } else {
                    break;
                }
            }
            "--" | "exec" | "nohup" | "setsid" => 1,
            // `tini -g -- cmd`, `dumb-init --single-child cmd`
            "tini" | "tini-static" | "dumb-init" => {
                1 + words[1..]
                    .iter()
                    .take_while(|w| w.starts_with('-') && *w != "--")
                    .count()
            }
            // `gosu USER cmd`, `su-exec USER:GROUP cmd`
            "gosu" | "su-exec" => 2,
            // `env -i A=b cmd`
            "env" => {
                1 + words[1..]
                    .iter()
                    .take_while(|w| w.starts_with('-') || w.contains('='))
                    .count()
            }
            "bundle" | "pnpm" | "yarn" if words.get(1).is_some_and(|w| w == "exec") => 2,
            "poetry" | "uv" | "pipenv" | "hatch" | "pdm"
                if words.get(1).is_some_and(|w| w == "run") =>
            {
                2
            }
            "npx" | "pnpx" | "bunx" => {
                1 + words[1..].iter().take_while(|w| w.starts_with('-')).count()
            }
            // `sh -c SCRIPT`: the script is the first word after the options (`bash -c -l`
            // without one is a login shell)
            p if is_shell(p) => {
                let script = words
                    .iter()
                    .position(|w| has_c_flag(w))
                    .and_then(|c| words[c + 1..].iter().find(|w| !w.starts_with('-')));
                match script {
                    Some(script) => {
                        words = last_command(script);
                        continue;
                    }
                    None => break,
                }
            }
            _ => break,
        };
        words.drain(..skip.min(words.len()));
    }
    words
}

/// The words of the last command of a shell script, assignments and `exec` dropped; closing
/// keywords (`fi`, `done`) are skipped to the command before them.
fn last_command(script: &str) -> Vec<String> {
    split_script(script)
        .iter()
        .rev()
        .map(|c| c.argv())
        .find(|argv| {
            argv.first()
                .is_some_and(|w| !matches!(w.text.as_str(), "fi" | "done" | "esac" | "}" | ";;"))
        })
        .map(|argv| argv.iter().map(|w| w.text.to_string()).collect())
        .unwrap_or_default()
}

/// `node server.js`, `/app/server`, `gunicorn app:app`, `npm start`, `mvn spring-boot:run`
/// are apps; `bash`, `node`, `python3 -i`, `mvn`, `mvn package`, `sleep infinity`,
/// `tail -f /dev/null` are not.
fn is_app(words: &[String]) -> bool {
    let Some(first) = words.first().filter(|w| !w.is_empty()) else {
        return false;
    };
    let program = basename(first);
    let positional: Vec<&str> = words[1..]
        .iter()
        .map(String::as_str)
        .filter(|w| !w.starts_with('-') && !w.is_empty())
        .collect();
    match program {
        // keep-alives and one-shot trivia: nothing of its own stays running
        "sleep" | "tail" | "true" | "false" | ":" | "cat" | "echo" | "printf" | "yes" | "pause"
        | "wait" => false,
        // a shell runs an app when given a script file (`-c` is looked into already)
        p if is_shell(p) => !positional.is_empty(),
        "fish" | "pwsh" | "powershell" | "cmd" | "cmd.exe" => words[1..]
            .iter()
            .any(|w| !w.starts_with('-') && !w.starts_with('/')),
        // interpreters and REPLs: an app with a script, module or jar (`java -jar app.jar`)
        "node" | "nodejs" | "python" | "python2" | "python3" | "pypy" | "pypy3" | "ipython"
        | "ruby" | "irb" | "jruby" | "java" | "jshell" | "php" | "perl" | "dotnet" | "deno"
        | "bun" | "julia" | "R" | "Rscript" | "lua" | "ghci" | "iex" | "erl" | "elixir"
        | "clojure" | "scala" | "groovy" | "groovysh" | "kotlin" | "sbcl" | "swipl" => {
            !positional.is_empty()
        }
        // build tools and package managers: an app only when running one
        "mvn" | "mvnw" | "gradle" | "gradlew" | "go" | "cargo" | "make" | "cmake" | "gcc"
        | "cc" | "clang" | "rustc" | "ghc" | "swift" | "npm" | "yarn" | "pnpm" | "sbt" | "lein"
        | "mix" | "rake" | "composer" | "pip" | "pip3" => runs_something(&positional),
        _ => true,
    }
}

/// Scripts of `npm run` / `yarn` that build or check rather than serve.
const NOT_RUNNING: &[&str] = &[
    "build",
    "test",
    "lint",
    "format",
    "check",
    "compile",
    "typecheck",
    "ci",
    "install",
];

/// A build tool's goals name a run: `go run .`, `cargo run`, `npm start`, `npm run serve`,
/// `mvn spring-boot:run`, `gradle bootRun`, `mix phx.server`.
fn runs_something(goals: &[&str]) -> bool {
    if let (Some(&"run"), Some(script)) = (goals.first(), goals.get(1)) {
        return !NOT_RUNNING
            .iter()
            .any(|n| script == n || script.starts_with(&format!("{n}:")));
    }
    goals.iter().any(|g| {
        let g = g.to_ascii_lowercase();
        matches!(g.as_str(), "run" | "start" | "serve" | "server" | "dev")
            || [":run", "run", ":start", ":serve", ".server", ":dev"]
                .iter()
                .any(|s| g.ends_with(s))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Facts;
    use layerwise_analysis::{Model, ModelOptions};
    use layerwise_syntax::Dockerfile;

    fn command(text: &str) -> (Vec<String>, bool) {
        let file = Dockerfile::parse(text);
        let model = Model::build(&file, ModelOptions::default());
        let facts = Facts::default();
        let cx = LintContext::new(&file, text, &model, &facts);
        (final_command(&cx), runs_an_app(&cx))
    }

    fn app(text: &str) -> bool {
        command(text).1
    }

    fn w(s: &str) -> Vec<String> {
        s.split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn apps_and_not_apps() {
        for a in [
            "node server.js",
            "npm start",
            "npm run serve",
            "java -jar app.jar",
            "/app/server",
            "gunicorn app:app",
            "python -m app",
            "sh ./run.sh",
            "mvn spring-boot:run",
            "./gradlew bootRun",
            "go run .",
            "cargo run --release",
            "mix phx.server",
            "dotnet app.dll",
        ] {
            assert!(is_app(&w(a)), "{a}");
        }
        for t in [
            "",
            "bash",
            "node",
            "python3",
            "python3 -i",
            "/bin/sh",
            "bash -l",
            "mvn",
            "mvn package",
            "npm test",
            "npm run build",
            "sleep infinity",
            "tail -f /dev/null",
            "true",
            "cargo build --release",
        ] {
            assert!(!is_app(&w(t)), "{t:?}");
        }
    }

    #[test]
    fn wrappers_are_looked_through() {
        for (words, want) in [
            ("/sbin/tini -- docker-entrypoint.sh node", "node"),
            ("/sbin/tini -- /entrypoint.sh", "/entrypoint.sh"),
            ("/entrypoint.sh -h", "/entrypoint.sh -h"),
            ("bash -c -l", "bash -c -l"),
            ("tini -g -- node app.js", "node app.js"),
            ("dumb-init --single-child node app.js", "node app.js"),
            ("gosu nobody bash", "bash"),
            ("su-exec app:app /app/server -p 80", "/app/server -p 80"),
            ("env -i PORT=80 node a.js", "node a.js"),
            (
                "bundle exec puma -C config/puma.rb",
                "puma -C config/puma.rb",
            ),
            ("npx --yes serve dist", "serve dist"),
            ("uv run uvicorn app:app", "uvicorn app:app"),
        ] {
            assert_eq!(unwrap(w(words)), w(want), "{words}");
        }
        // `sh -c`: the script's last command, `exec` and assignments dropped
        let sh =
            |flag: &str, script: &str| unwrap(vec!["/bin/sh".into(), flag.into(), script.into()]);
        assert_eq!(
            sh("-c", "npm run migrate && exec npm start"),
            w("npm start")
        );
        assert_eq!(sh("-ec", "PORT=80 node a.js"), w("node a.js"));
        assert_eq!(sh("-c", "echo ready; sleep infinity"), w("sleep infinity"));
        assert_eq!(
            sh("-c", "if [ -n \"$X\" ]; then exec node a.js; fi"),
            w("node a.js")
        );
        assert_eq!(sh("-c", "sh -c 'cp a b && bash'"), w("bash"));
        // nested `sh -c` levels are followed, a bounded number of them
        let mut deep = "node a.js".to_string();
        for level in 0..MAX_UNWRAP + 2 {
            let got = unwrap(vec!["sh".into(), "-c".into(), deep.clone()]);
            if level < MAX_UNWRAP - 1 {
                assert_eq!(got, w("node a.js"), "{level}");
            }
            deep = format!("sh -c {deep:?}");
        }
    }

    /// Docker's semantics (BuildKit `dispatchEntrypoint`: `if !d.cmd.IsSet { Cmd = nil }`).
    #[test]
    fn command_as_docker_sets_it() {
        // CMD inherited from a base stage
        assert!(app("FROM a:1 AS b\nCMD [\"app\"]\nFROM b\n"));
        // a new ENTRYPOINT drops the inherited CMD: `node` alone is a REPL
        assert!(!app(
            "FROM a:1 AS b\nCMD [\"app\"]\nFROM b\nENTRYPOINT [\"node\"]\n"
        ));
        // ... but not a CMD of its own stage, before or after it
        for t in [
            "FROM a:1\nCMD [\"a.js\"]\nENTRYPOINT [\"node\"]\n",
            "FROM a:1\nENTRYPOINT [\"node\"]\nCMD [\"a.js\"]\n",
        ] {
            assert_eq!(command(t), (w("node a.js"), true), "{t}");
        }
        // shell forms run through sh -c; a shell-form ENTRYPOINT ignores CMD
        assert_eq!(command("FROM a:1\nCMD node a.js\n").0, w("node a.js"));
        assert_eq!(
            command("FROM a:1\nENTRYPOINT node\nCMD [\"a.js\"]\n"),
            (w("node"), false)
        );
        // an exec ENTRYPOINT wrapper with a shell-form CMD
        assert_eq!(
            command("FROM a:1\nENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD npm start\n").0,
            w("npm start")
        );
        // an entrypoint script with options only runs the image's own program; a
        // pass-through one with nothing to run is a base image
        assert!(app("FROM a:1\nENTRYPOINT [\"/entrypoint.sh\"]\n"));
        assert!(!app(
            "FROM ubuntu:24.04\nENTRYPOINT [\"/__cacert_entrypoint.sh\"]\n"
        ));
        assert!(app(
            "FROM a:1\nENTRYPOINT [\"/tgi-entrypoint.sh\"]\nCMD [\"--json-output\"]\n"
        ));
        assert!(!app(
            "FROM a:1\nENTRYPOINT [\"/bin/bash\", \"-c\", \"-l\"]\n"
        ));
        // keep-alives, user switchers, builder stages
        assert!(!app("FROM debian:12\nCMD [\"sleep\", \"infinity\"]\n"));
        assert!(!app(
            "FROM debian:12\nENTRYPOINT [\"gosu\", \"nobody\", \"bash\"]\n"
        ));
        assert!(app(
            "FROM golang AS b\nCMD [\"bash\"]\nFROM debian:12\nCMD [\"/app\"]\n"
        ));
        assert!(!app("FROM debian:12 AS b\nCMD [\"/app\"]\nFROM alpine\n"));
    }
}
