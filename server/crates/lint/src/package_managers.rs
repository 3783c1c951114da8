//! What layerwise knows about package managers: which commands install dependencies, which
//! manifest files they read, and where they keep their caches. Shared by the cache and size
//! rules, the fixes, and completion of `--mount=type=cache,target=`.

use layerwise_analysis::shell::ShellCommand;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackageManager {
    pub name: &'static str,
    /// Files the install reads, in the order to copy them (lock files last).
    pub manifests: &'static [&'static str],
    /// Cache directory for `RUN --mount=type=cache,target=...`.
    pub cache_dir: &'static str,
    /// Whether copying only the manifests is enough to install (false for builds that need
    /// the sources, like `cargo build`).
    pub manifest_only_install: bool,
}

pub const NPM: PackageManager = PackageManager {
    name: "npm",
    manifests: &["package.json", "package-lock.json"],
    cache_dir: "/root/.npm",
    manifest_only_install: true,
};
pub const YARN: PackageManager = PackageManager {
    name: "yarn",
    manifests: &["package.json", "yarn.lock"],
    cache_dir: "/usr/local/share/.cache/yarn",
    manifest_only_install: true,
};
pub const PNPM: PackageManager = PackageManager {
    name: "pnpm",
    manifests: &["package.json", "pnpm-lock.yaml"],
    cache_dir: "/root/.local/share/pnpm/store",
    manifest_only_install: true,
};
pub const PIP: PackageManager = PackageManager {
    name: "pip",
    manifests: &["requirements.txt"],
    cache_dir: "/root/.cache/pip",
    manifest_only_install: true,
};
pub const POETRY: PackageManager = PackageManager {
    name: "poetry",
    manifests: &["pyproject.toml", "poetry.lock"],
    cache_dir: "/root/.cache/pypoetry",
    manifest_only_install: true,
};
pub const UV: PackageManager = PackageManager {
    name: "uv",
    manifests: &["pyproject.toml", "uv.lock"],
    cache_dir: "/root/.cache/uv",
    manifest_only_install: true,
};
pub const PIPENV: PackageManager = PackageManager {
    name: "pipenv",
    manifests: &["Pipfile", "Pipfile.lock"],
    cache_dir: "/root/.cache/pipenv",
    manifest_only_install: true,
};
pub const BUNDLER: PackageManager = PackageManager {
    name: "bundler",
    manifests: &["Gemfile", "Gemfile.lock"],
    cache_dir: "/usr/local/bundle/cache",
    manifest_only_install: true,
};
pub const COMPOSER: PackageManager = PackageManager {
    name: "composer",
    manifests: &["composer.json", "composer.lock"],
    cache_dir: "/root/.composer/cache",
    manifest_only_install: true,
};
pub const GO: PackageManager = PackageManager {
    name: "go",
    manifests: &["go.mod", "go.sum"],
    cache_dir: "/go/pkg/mod",
    manifest_only_install: true,
};
/// The Go build cache (`go build`), separate from the module cache.
pub const GO_BUILD: PackageManager = PackageManager {
    name: "go build",
    manifests: &[],
    cache_dir: "/root/.cache/go-build",
    manifest_only_install: false,
};
pub const CARGO: PackageManager = PackageManager {
    name: "cargo",
    manifests: &["Cargo.toml", "Cargo.lock"],
    cache_dir: "/usr/local/cargo/registry",
    manifest_only_install: false,
};
pub const MAVEN: PackageManager = PackageManager {
    name: "maven",
    manifests: &["pom.xml"],
    cache_dir: "/root/.m2",
    manifest_only_install: true,
};
pub const GRADLE: PackageManager = PackageManager {
    name: "gradle",
    manifests: &["build.gradle", "settings.gradle"],
    cache_dir: "/root/.gradle",
    manifest_only_install: false,
};
pub const DOTNET: PackageManager = PackageManager {
    name: "dotnet",
    manifests: &["*.csproj"],
    cache_dir: "/root/.nuget/packages",
    manifest_only_install: true,
};
pub const APT: PackageManager = PackageManager {
    name: "apt",
    manifests: &[],
    cache_dir: "/var/cache/apt",
    manifest_only_install: false,
};
pub const APK: PackageManager = PackageManager {
    name: "apk",
    manifests: &[],
    cache_dir: "/var/cache/apk",
    manifest_only_install: false,
};

pub const ALL: &[PackageManager] = &[
    NPM, YARN, PNPM, PIP, POETRY, UV, PIPENV, BUNDLER, COMPOSER, GO, GO_BUILD, CARGO, MAVEN,
    GRADLE, DOTNET, APT, APK,
];

/// A dependency install found in a `RUN`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Install {
    pub manager: PackageManager,
    /// Manifests this particular command reads (e.g. `-r requirements/prod.txt`).
    pub manifests: Vec<String>,
}

/// Whether `cmd` installs project dependencies from manifests (not `apt-get install curl`).
pub fn project_install(cmd: &ShellCommand) -> Option<Install> {
    let program = cmd.program()?;
    // Most commands of a script are not package managers: settle them before collecting
    // the arguments (this runs for every command of every `RUN`).
    if !matches!(
        program,
        "npm"
            | "yarn"
            | "pnpm"
            | "pip"
            | "pip3"
            | "python"
            | "python3"
            | "uv"
            | "poetry"
            | "pipenv"
            | "bundle"
            | "bundler"
            | "composer"
            | "go"
            | "cargo"
            | "mvn"
            | "./mvnw"
            | "mvnw"
            | "gradle"
            | "./gradlew"
            | "gradlew"
            | "dotnet"
    ) {
        return None;
    }
    let sub = cmd.subcommand().unwrap_or("");
    let argv: Vec<&str> = cmd.argv().iter().map(|w| w.text.as_str()).collect();
    let with = |m: PackageManager| {
        Some(Install {
            manager: m,
            manifests: m.manifests.iter().map(|s| s.to_string()).collect(),
        })
    };
    match program {
        "npm" if matches!(sub, "ci" | "install" | "i") && cmd.positional().nth(1).is_none() => {
            with(NPM)
        }
        // bare `yarn` installs; `yarn --version` / `yarn -v` / `yarn --help` do not
        "yarn"
            if sub == "install"
                || (sub.is_empty() && !cmd.has_arg(&["--version", "-v", "--help", "-h"])) =>
        {
            with(YARN)
        }
        "pnpm" if matches!(sub, "install" | "i") => with(PNPM),
        "pip" | "pip3" | "python" | "python3" | "uv"
            if argv.contains(&"install")
                && argv.iter().any(|a| {
                    *a == "-r" || a.starts_with("--requirement") || a.starts_with("-r")
                }) =>
        {
            let files: Vec<String> = argv
                .windows(2)
                .filter(|w| w[0] == "-r" || w[0] == "--requirement")
                .map(|w| w[1].to_string())
                .chain(
                    argv.iter()
                        .filter_map(|a| {
                            a.strip_prefix("--requirement=")
                                .or_else(|| a.strip_prefix("-r").filter(|r| !r.is_empty()))
                        })
                        .map(str::to_string),
                )
                .collect();
            Some(Install {
                manager: PIP,
                manifests: if files.is_empty() {
                    vec!["requirements.txt".into()]
                } else {
                    files
                },
            })
        }
        "poetry" if sub == "install" => with(POETRY),
        "uv" if sub == "sync" => with(UV),
        "pipenv" if sub == "install" => with(PIPENV),
        "bundle" | "bundler" if matches!(sub, "" | "install") => with(BUNDLER),
        "composer" if sub == "install" => with(COMPOSER),
        "go" if sub == "mod" && argv.contains(&"download") => with(GO),
        "cargo"
            if matches!(sub, "build" | "fetch" | "install")
                && !(sub == "install" && cmd.positional().nth(1).is_some()) =>
        {
            with(CARGO)
        }
        "mvn" | "./mvnw" | "mvnw"
            if argv.iter().any(|a| {
                a.starts_with("dependency:") || matches!(*a, "package" | "install" | "verify")
            }) =>
        {
            with(MAVEN)
        }
        "gradle" | "./gradlew" | "gradlew"
            if argv
                .iter()
                .any(|a| matches!(*a, "build" | "assemble" | "dependencies" | "bootJar")) =>
        {
            with(GRADLE)
        }
        "dotnet" if sub == "restore" => with(DOTNET),
        _ => None,
    }
}

/// The package manager of any install-like command (system packages included), for cache
/// mount suggestions.
pub fn any_manager(cmd: &ShellCommand) -> Option<PackageManager> {
    if let Some(i) = project_install(cmd) {
        return Some(i.manager);
    }
    match (cmd.program()?, cmd.subcommand().unwrap_or("")) {
        ("apt-get" | "apt", "install" | "update" | "upgrade") => Some(APT),
        ("apk", "add" | "update") => Some(APK),
        ("pip" | "pip3", "install") => Some(PIP),
        ("npm", "install" | "i" | "ci") => Some(NPM),
        _ => None,
    }
}
