//! The commands of a `RUN` that are not package installs: `go mod download` (unknown, or
//! nothing with a cache mount), `chown -R` and friends (which copy every file they touch into
//! the layer), the commands that write next to nothing, and everything else (not sized).

use super::{negligible, short, Part, RunEnv};
use crate::sizes::{Amount, SizeSource};

/// Commands that write nothing, or a few kilobytes (users, links, directories, removals).
const NEGLIGIBLE: &[&str] = &[
    "mkdir",
    "ln",
    "echo",
    "printf",
    "true",
    "false",
    "set",
    "export",
    "cd",
    "rm",
    "rmdir",
    "useradd",
    "adduser",
    "groupadd",
    "addgroup",
    "usermod",
    "deluser",
    "delgroup",
    "ldconfig",
    "touch",
    "test",
    "[",
    ":",
    "which",
    "id",
    "whoami",
    "sleep",
    "exit",
    "unset",
    "umask",
    "update-ca-certificates",
    "source",
    ".",
    "env",
    "command",
    "type",
    "hash",
    "ls",
    "cat",
    "grep",
    "sh",
    "bash",
    "update-alternatives",
    "dpkg-reconfigure",
    "git config",
    "npm config",
    "corepack",
    "chsh",
    "passwd",
    "chpasswd",
];

/// A command's part when it is none of the package managers.
pub(super) fn other_part(prog: &str, sub: &str, argv: &[&str], env: &RunEnv<'_>) -> Part {
    match prog {
        "go" if sub == "mod" && argv.contains(&"download") => {
            if env
                .cache_mounts
                .iter()
                .any(|m| m == "/go/pkg/mod" || m == "/go/pkg")
            {
                Part::new(
                    Amount::Bytes(0),
                    true,
                    SizeSource::Negligible,
                    "go mod download: the modules go to the cache mount, not the layer".into(),
                )
            } else {
                Part::new(
                    Amount::Unknown,
                    false,
                    SizeSource::NotEstimated,
                    "go mod download: module sizes are not known (a cache mount on /go/pkg/mod keeps them out of the layer)".into(),
                )
            }
        }
        "chown" | "chmod" | "chgrp"
            if argv.iter().any(|a| a.starts_with('-') && a.contains('R')) =>
        {
            Part::new(
                Amount::Unknown,
                false,
                SizeSource::NotEstimated,
                format!("`{prog} -R` copies every file it changes into this layer again"),
            )
        }
        "chown" | "chmod" | "chgrp" => negligible(),
        p if NEGLIGIBLE.contains(&p) => negligible(),
        _ => Part::new(
            Amount::Unknown,
            false,
            SizeSource::NotEstimated,
            format!("`{}` is not something layerwise can size", short(argv)),
        ),
    }
}
