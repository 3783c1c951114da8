//! Java (Maven, Gradle): the JDK image builds (Maven's dependencies resolved from `pom.xml`
//! before the sources), the runtime stage on the matching JRE holds the jar.

use layerwise_analysis::shell::ShellCommand;

use super::super::detect::{is_build_step, JavaTool};
use super::super::images::Flavor;
use super::super::plan::{Entry, Plan};
use super::super::text::{absolute, exec_form};
use super::{program, replace_command, runs_build_tool, set_tail_part, units_with};

fn is_tool(c: &ShellCommand, tool: JavaTool) -> bool {
    match tool {
        JavaTool::Maven => matches!(c.program(), Some("mvn" | "mvnw")),
        JavaTool::Gradle => matches!(c.program(), Some("gradle" | "gradlew")),
    }
}

/// The broad `COPY`'s position in the builder and the program word (`mvn`, `./gradlew`) of
/// the first `tool` build after it: dependency caching goes between the two. `None` when no
/// build follows a broad copy.
fn build_after_broad_copy(p: &Plan<'_, '_>, tool: JavaTool) -> Option<(usize, String)> {
    let (copy_pos, _, _) = p.broad_copy()?;
    let build = |c: &ShellCommand| is_tool(c, tool) && is_build_step(c);
    let first = units_with(p, &build)
        .into_iter()
        .find(|&i| p.pos_in_b(i).is_some_and(|pos| pos > copy_pos))?;
    let default = match tool {
        JavaTool::Maven => "mvn",
        JavaTool::Gradle => "gradle",
    };
    let prog =
        p.v.commands(p.unit(first))
            .iter()
            .find(|c| build(c))
            .and_then(|c| c.argv().first().map(|w| w.text.to_string()))
            .unwrap_or_else(|| default.into());
    Some((copy_pos, prog))
}

pub(super) fn builder(p: &mut Plan<'_, '_>, tool: JavaTool) {
    match tool {
        JavaTool::Maven => cache_maven(p),
        JavaTool::Gradle => cache_gradle(p),
    }
    jar(p, tool);
}

/// `COPY pom.xml` and `dependency:go-offline` before the sources, for single-module projects
/// (a multi-module build needs every module's `pom.xml`).
fn cache_maven(p: &mut Plan<'_, '_>) {
    let Some((copy_pos, prog)) = build_after_broad_copy(p, JavaTool::Maven) else {
        return;
    };
    let multi_module =
        p.v.context_any(&|path| path != "pom.xml" && path.ends_with("/pom.xml")) == Some(true);
    if p.copies_before(copy_pos, &["pom.xml"])
        || multi_module
        || p.v.context_has("pom.xml") == Some(false)
    {
        return;
    }
    let offline = |c: &ShellCommand| {
        is_tool(c, JavaTool::Maven)
            && c.argv().iter().any(|w| {
                w.text.starts_with("dependency:go-offline")
                    || w.text.starts_with("dependency:resolve")
            })
    };
    let wrapper = program(&prog) == "mvnw";
    let manifests: Vec<String> = if wrapper {
        vec!["mvnw".into(), "pom.xml".into()]
    } else {
        vec!["pom.xml".into()]
    };
    let mut lines = Vec::new();
    if wrapper {
        lines.push("COPY .mvn .mvn".to_string());
    }
    if p.move_install(&offline, &manifests) {
        return;
    }
    lines.push(format!("COPY {} ./", manifests.join(" ")));
    lines.push(format!("RUN {prog} -B dependency:go-offline"));
    p.before_broad_copy(lines);
}

/// The build scripts and `gradle dependencies` before the sources: plugins and the
/// dependency graph stay cached until the build scripts change. Single-project builds only.
fn cache_gradle(p: &mut Plan<'_, '_>) {
    let Some((copy_pos, prog)) = build_after_broad_copy(p, JavaTool::Gradle) else {
        return;
    };
    let known = p.v.a.facts.context.is_some();
    let has = |f: &str| p.v.context_has(f) == Some(true);
    let scripts: Vec<&str> = if !known {
        vec!["build.gradle", "settings.gradle"]
    } else {
        [
            "build.gradle",
            "build.gradle.kts",
            "settings.gradle",
            "settings.gradle.kts",
            "gradle.properties",
        ]
        .into_iter()
        .filter(|f| has(f))
        .collect()
    };
    let multi_project = p.v.context_any(&|path| {
        path.contains('/')
            && (path.ends_with("/build.gradle") || path.ends_with("/build.gradle.kts"))
    }) == Some(true);
    if scripts.is_empty() || multi_project || p.copies_before(copy_pos, &["build.gradle*"]) {
        return;
    }
    let mut lines = Vec::new();
    if program(&prog) == "gradlew" {
        lines.push("COPY gradlew ./".to_string());
        lines.push("COPY gradle gradle".to_string());
    }
    lines.push(format!("COPY {} ./", scripts.join(" ")));
    lines.push(format!("RUN {prog} dependencies --no-daemon"));
    p.before_broad_copy(lines);
}

/// The jar the runtime runs: the one `CMD`/`ENTRYPOINT` names after `-jar`, else the build
/// output copied to `app.jar` (skipping sources, javadoc and pre-repackaging jars).
fn jar(p: &mut Plan<'_, '_>, tool: JavaTool) {
    let app = p.app_dir.clone();
    let (ep, cmd) = p.entry_words();
    let entries: Vec<Vec<String>> = ep
        .iter()
        .chain(cmd.iter())
        .map(|(_, w)| w.clone())
        .collect();
    let named = entries.iter().find_map(|w| {
        let k = w.iter().position(|x| x == "-jar")?;
        w.get(k + 1).cloned()
    });
    if let Some(j) = named {
        let src = absolute(&app, &j);
        let dest = if j.contains(['*', '?']) {
            match src.rsplit_once('/') {
                Some((dir, _)) => format!("{dir}/"),
                None => src.clone(),
            }
        } else {
            src.clone()
        };
        p.artifacts.push((src, dest));
        return;
    }
    let build = |c: &ShellCommand| is_tool(c, tool) && is_build_step(c);
    let wd = units_with(p, &build)
        .last()
        .map_or(app.clone(), |&i| p.v.workdir_before(p.unit(i)));
    let (dir, extra) = match tool {
        JavaTool::Maven => ("target", ""),
        JavaTool::Gradle => ("build/libs", " ! -name '*-plain.jar'"),
    };
    let out_dir = absolute(&wd, dir);
    let target = format!("{}/app.jar", app.trim_end_matches('/'));
    p.b.push(Entry::Gen(format!(
        "RUN find {out_dir} -maxdepth 1 -name '*.jar' ! -name 'original-*' ! -name '*-sources.jar' ! -name '*-javadoc.jar'{extra} -exec cp {{}} {target} \\;"
    )));
    p.artifacts.push((target.clone(), target.clone()));
    let runs_tool = entries.iter().any(|w| runs_build_tool(w));
    if runs_tool || entries.is_empty() {
        let words = if p.rt.flavor == Flavor::Distroless {
            vec![target]
        } else {
            vec!["java".into(), "-jar".into(), target]
        };
        p.new_command = Some((words, "the runtime has a JRE, not the build tool".into()));
    }
}

pub(super) fn runtime(p: &mut Plan<'_, '_>, _tool: JavaTool) {
    p.copy_artifacts();
    if let Some((words, why)) = p.new_command.clone() {
        replace_command(p, &words, &why);
    } else if p.rt.flavor == Flavor::Distroless {
        // distroless Java runs `java -jar` itself: the CMD names the jar
        let (ep, cmd) = p.entry_words();
        if let (None, Some((i, w))) = (ep, cmd) {
            if w.first().map(|x| program(x)) == Some("java") {
                if let Some(k) = w.iter().position(|x| x == "-jar") {
                    set_tail_part(p, i, format!("CMD {}", exec_form(&w[k + 1..])));
                }
            }
        }
    }
}
