//! Which stack a stage builds (from its base image, its commands and the build context) and
//! whether it is worth splitting: a toolchain base image, build tools installed, or a
//! compile step.

use layerwise_analysis::image_ref::ImageRef;
use layerwise_analysis::shell::ShellCommand;

use super::view::View;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodePm {
    Npm,
    Yarn,
    Pnpm,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PyPm {
    Pip,
    Poetry,
    Uv,
    Pipenv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JavaTool {
    Maven,
    Gradle,
}

/// What the stage builds, which decides how the split looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stack {
    Node(NodePm),
    Python(PyPm),
    Go,
    Rust,
    Java(JavaTool),
    Generic,
}

impl Stack {
    pub fn name(self) -> &'static str {
        match self {
            Stack::Node(NodePm::Npm) => "node (npm)",
            Stack::Node(NodePm::Yarn) => "node (yarn)",
            Stack::Node(NodePm::Pnpm) => "node (pnpm)",
            Stack::Python(PyPm::Pip) => "python (pip)",
            Stack::Python(PyPm::Poetry) => "python (poetry)",
            Stack::Python(PyPm::Uv) => "python (uv)",
            Stack::Python(PyPm::Pipenv) => "python (pipenv)",
            Stack::Go => "go",
            Stack::Rust => "rust",
            Stack::Java(JavaTool::Maven) => "java (maven)",
            Stack::Java(JavaTool::Gradle) => "java (gradle)",
            Stack::Generic => "generic",
        }
    }
}

/// The image's name without registry and namespace: `node`, `eclipse-temurin`, `sdk` (for
/// `mcr.microsoft.com/dotnet/sdk`).
pub(crate) fn family(image: &ImageRef) -> &str {
    image
        .repository
        .rsplit('/')
        .next()
        .unwrap_or(&image.repository)
}

pub(crate) fn tag(image: &ImageRef) -> &str {
    image.effective_tag().unwrap_or("latest")
}

/// Whether a tag names a slim or Alpine variant (no compilers in it).
fn is_slim_tag(tag: &str) -> bool {
    tag.split('-')
        .any(|p| matches!(p, "slim" | "alpine") || p.starts_with("alpine"))
        || tag.starts_with("alpine")
}

/// Images that carry a compiler or a full build toolchain.
pub(crate) fn is_toolchain_image(image: &ImageRef) -> bool {
    let t = tag(image);
    match family(image) {
        "golang" | "rust" | "maven" | "gradle" | "buildpack-deps" | "gcc" | "swift" | "haskell"
        | "sbt" | "clojure" | "elixir" => true,
        "node" | "python" | "ruby" => !is_slim_tag(t),
        "openjdk" | "eclipse-temurin" | "amazoncorretto" | "sapmachine" | "ibm-semeru-runtimes" => {
            !t.contains("jre")
        }
        "sdk" => image.repository.contains("dotnet"),
        _ => false,
    }
}

fn program_is(cmd: &ShellCommand, names: &[&str]) -> bool {
    cmd.program().is_some_and(|p| names.contains(&p))
}

/// `python -m pip ...` counts as pip.
fn is_pip(cmd: &ShellCommand) -> bool {
    if program_is(cmd, &["pip", "pip3"]) {
        return true;
    }
    let argv = cmd.argv();
    program_is(cmd, &["python", "python3"])
        && argv.get(1).is_some_and(|w| w.text == "-m")
        && argv.get(2).is_some_and(|w| w.text == "pip")
}

/// A compile or bundling step: what makes a separate runtime stage pay off.
pub(crate) fn is_build_step(cmd: &ShellCommand) -> bool {
    let argv: Vec<&str> = cmd.argv().iter().map(|w| w.text.as_str()).collect();
    let sub = cmd.subcommand().unwrap_or("");
    match cmd.program().unwrap_or("") {
        "go" => matches!(sub, "build" | "install"),
        "cargo" => matches!(sub, "build" | "install"),
        "mvn" | "mvnw" => argv
            .iter()
            .any(|a| matches!(*a, "package" | "install" | "verify")),
        "gradle" | "gradlew" => argv
            .iter()
            .any(|a| matches!(*a, "build" | "assemble" | "bootJar" | "jar" | "installDist")),
        "npm" => sub == "run" && argv.iter().skip(2).any(|a| is_build_script(a)),
        "yarn" | "pnpm" => {
            is_build_script(sub)
                || (sub == "run" && argv.iter().skip(2).any(|a| is_build_script(a)))
        }
        "tsc" | "javac" | "make" | "cmake" | "ninja" => true,
        "npx" => argv
            .get(1)
            .is_some_and(|a| matches!(*a, "tsc" | "next" | "vite")),
        "dotnet" => matches!(sub, "publish" | "build"),
        _ => false,
    }
}

fn is_build_script(name: &str) -> bool {
    name.contains("build") || name.contains("compile")
}

/// The stack, from the base image first, then the commands, then the context's manifests.
/// A stack whose runtime needs an interpreter or a matching system (Node, Python, Rust,
/// Java) counts only on its own family of images: `npm` run on `buildpack-deps` that
/// installed Node by hand is split the generic way.
pub(crate) fn detect(view: &View<'_>, cmds: &[ShellCommand]) -> Stack {
    let stack = detect_any(view, cmds);
    let fam = family(&view.base);
    let fits = match stack {
        Stack::Node(_) => fam == "node",
        Stack::Python(_) => fam == "python",
        Stack::Rust => fam == "rust",
        Stack::Java(_) => matches!(
            fam,
            "maven" | "gradle" | "openjdk" | "eclipse-temurin" | "amazoncorretto" | "sapmachine"
        ),
        Stack::Go | Stack::Generic => true,
    };
    if fits {
        stack
    } else {
        Stack::Generic
    }
}

fn detect_any(view: &View<'_>, cmds: &[ShellCommand]) -> Stack {
    let by_image = match family(&view.base) {
        "node" => Some(Stack::Node(node_pm(view, cmds))),
        "python" => Some(Stack::Python(py_pm(view, cmds))),
        "golang" => Some(Stack::Go),
        "rust" => Some(Stack::Rust),
        "maven" => Some(Stack::Java(JavaTool::Maven)),
        "gradle" => Some(Stack::Java(JavaTool::Gradle)),
        _ => None,
    };
    if let Some(s) = by_image {
        return s;
    }
    let any = |names: &[&str]| cmds.iter().any(|c| program_is(c, names));
    let jdk = matches!(
        family(&view.base),
        "openjdk" | "eclipse-temurin" | "amazoncorretto" | "sapmachine"
    );
    if any(&["mvn", "mvnw"]) {
        return Stack::Java(JavaTool::Maven);
    }
    if any(&["gradle", "gradlew"]) {
        return Stack::Java(JavaTool::Gradle);
    }
    if cmds
        .iter()
        .any(|c| program_is(c, &["go"]) && is_build_step(c))
    {
        return Stack::Go;
    }
    if cmds
        .iter()
        .any(|c| program_is(c, &["cargo"]) && is_build_step(c))
    {
        return Stack::Rust;
    }
    if any(&["npm", "yarn", "pnpm"]) {
        return Stack::Node(node_pm(view, cmds));
    }
    if jdk {
        if view.context_has("pom.xml") == Some(true) {
            return Stack::Java(JavaTool::Maven);
        }
        if view.context_has("build.gradle") == Some(true)
            || view.context_has("build.gradle.kts") == Some(true)
        {
            return Stack::Java(JavaTool::Gradle);
        }
    }
    Stack::Generic
}

fn node_pm(view: &View<'_>, cmds: &[ShellCommand]) -> NodePm {
    let any = |names: &[&str]| cmds.iter().any(|c| program_is(c, names));
    if any(&["pnpm"]) || view.context_has("pnpm-lock.yaml") == Some(true) {
        NodePm::Pnpm
    } else if any(&["yarn"]) || view.context_has("yarn.lock") == Some(true) {
        NodePm::Yarn
    } else {
        NodePm::Npm
    }
}

fn py_pm(view: &View<'_>, cmds: &[ShellCommand]) -> PyPm {
    let any = |names: &[&str]| cmds.iter().any(|c| program_is(c, names));
    if any(&["poetry"]) {
        PyPm::Poetry
    } else if cmds
        .iter()
        .any(|c| program_is(c, &["uv"]) && c.subcommand() == Some("sync"))
    {
        PyPm::Uv
    } else if any(&["pipenv"]) {
        PyPm::Pipenv
    } else if cmds.iter().any(is_pip) || any(&["uv"]) {
        PyPm::Pip
    } else if view.context_has("poetry.lock") == Some(true) {
        PyPm::Poetry
    } else if view.context_has("uv.lock") == Some(true) {
        PyPm::Uv
    } else if view.context_has("Pipfile") == Some(true) {
        PyPm::Pipenv
    } else {
        PyPm::Pip
    }
}

/// Whether `cmd` installs Python packages into the current environment (and so must run
/// inside the virtualenv): `pip install` of anything but packaging tools, `poetry install`,
/// `uv sync`, `uv pip install`, `pipenv install`.
pub(crate) fn is_python_install(cmd: &ShellCommand) -> bool {
    const TOOLS: &[&str] = &[
        "pip",
        "setuptools",
        "wheel",
        "poetry",
        "pipenv",
        "uv",
        "virtualenv",
        "pip-tools",
    ];
    let sub = cmd.subcommand().unwrap_or("");
    if is_pip(cmd) {
        let argv = cmd.argv();
        let skip = if program_is(cmd, &["python", "python3"]) {
            3
        } else {
            1
        };
        let rest: Vec<&str> = argv.iter().skip(skip).map(|w| w.text.as_str()).collect();
        if rest.first() != Some(&"install") {
            return false;
        }
        if rest
            .iter()
            .any(|a| a.starts_with("-r") || a.starts_with("--requirement"))
        {
            return true;
        }
        let pkgs: Vec<&&str> = rest[1..].iter().filter(|a| !a.starts_with('-')).collect();
        return pkgs.iter().any(|p| {
            let name = p
                .split(['=', '<', '>', '~', '[', '!'])
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            !TOOLS.contains(&name.as_str())
        });
    }
    match cmd.program().unwrap_or("") {
        "poetry" => sub == "install",
        "pipenv" => sub == "install" || sub == "sync",
        "uv" => sub == "sync" || (sub == "pip" && cmd.has_arg(&["install", "sync"])),
        _ => false,
    }
}

/// A virtualenv the stage creates itself (`python -m venv /venv`, `virtualenv /venv`,
/// `uv venv /venv`): its absolute path.
pub(crate) fn existing_venv(cmd: &ShellCommand, workdir: &str) -> Option<String> {
    let argv: Vec<&str> = cmd.argv().iter().map(|w| w.text.as_str()).collect();
    let path = match argv.as_slice() {
        [p, "-m", "venv", rest @ ..] if p.starts_with("python") => {
            rest.iter().find(|a| !a.starts_with('-')).copied()
        }
        ["virtualenv", rest @ ..] => rest.iter().find(|a| !a.starts_with('-')).copied(),
        ["uv", "venv", rest @ ..] => rest
            .iter()
            .find(|a| !a.starts_with('-'))
            .copied()
            .or(Some(".venv")),
        _ => None,
    }?;
    if path.contains('$') {
        return None;
    }
    Some(super::text::absolute(workdir, path))
}
