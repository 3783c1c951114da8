//! System package manager commands (`apt-get`, `apk`, `yum`, `dnf`, `microdnf`, `zypper`) as
//! the size and cache rules need them: the subcommand (global options and their values
//! skipped, so `apt-get -o Dpkg::Options::=--force-confnew install` is an install) and the
//! packages named.

use layerwise_analysis::shell::{ShellCommand, ShellWord};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PkgTool {
    Apt,
    Apk,
    Yum,
    Dnf,
    Zypper,
}

/// One package-manager command.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PkgCommand<'a> {
    pub tool: PkgTool,
    /// The program word (`apt-get`).
    pub program: &'a ShellWord,
    /// The subcommand word (`install`).
    pub sub: &'a ShellWord,
    /// Every word after the program (options included).
    pub args: &'a [ShellWord],
}

/// Options that take the next word as their value, per tool.
fn takes_value(tool: PkgTool, opt: &str) -> bool {
    if opt.contains('=') || !opt.starts_with('-') {
        return false;
    }
    let list: &[&str] = match tool {
        PkgTool::Apt => &[
            "-o",
            "-c",
            "-t",
            "--option",
            "--config-file",
            "--target-release",
            "--default-release",
        ],
        PkgTool::Apk => &[
            "-X",
            "--repository",
            "-t",
            "--virtual",
            "-p",
            "--root",
            "--arch",
            "--cache-dir",
            "--keys-dir",
            "--repositories-file",
        ],
        PkgTool::Yum | PkgTool::Dnf => &[
            "-c",
            "--config",
            "--enablerepo",
            "--disablerepo",
            "--repo",
            "--repoid",
            "--releasever",
            "--installroot",
            "-x",
            "--exclude",
            "--setopt",
            "-d",
            "--debuglevel",
            "-e",
            "--errorlevel",
            "--downloaddir",
            "--destdir",
            "--forcearch",
            "--repofrompath",
        ],
        PkgTool::Zypper => &[
            "-R",
            "--root",
            "-c",
            "--config",
            "-t",
            "--type",
            "-r",
            "--repo",
            "--from",
            "-D",
            "--reposd-dir",
        ],
    };
    list.contains(&opt)
}

impl<'a> PkgCommand<'a> {
    /// The tool and subcommand of `cmd`, if it runs a system package manager.
    pub fn parse(cmd: &'a ShellCommand) -> Option<PkgCommand<'a>> {
        let argv = program_words(cmd);
        let program = argv.first()?;
        let name = program.text.rsplit('/').next().unwrap_or(&program.text);
        let tool = match name {
            "apt-get" | "apt" => PkgTool::Apt,
            "apk" => PkgTool::Apk,
            "yum" => PkgTool::Yum,
            "dnf" | "microdnf" | "tdnf" => PkgTool::Dnf,
            "zypper" => PkgTool::Zypper,
            _ => return None,
        };
        let args = &argv[1..];
        let mut i = 0;
        while let Some(w) = args.get(i) {
            if !w.text.starts_with('-') {
                return Some(PkgCommand {
                    tool,
                    program,
                    sub: w,
                    args,
                });
            }
            i += if takes_value(tool, &w.text) { 2 } else { 1 };
        }
        None
    }

    pub fn sub(&self) -> &str {
        &self.sub.text
    }

    /// `apt-get install`, `apk add`, `dnf install`, `zypper in`...
    pub fn is_install(&self) -> bool {
        match self.tool {
            // `apt-get install -s` only simulates (used to probe whether a package exists)
            PkgTool::Apt => {
                self.sub() == "install"
                    && !self.has_option(&[
                        "-s",
                        "--simulate",
                        "--dry-run",
                        "--just-print",
                        "--no-act",
                        "--recon",
                    ])
            }
            PkgTool::Apk => self.sub() == "add",
            PkgTool::Yum | PkgTool::Dnf => {
                matches!(self.sub(), "install" | "groupinstall" | "reinstall")
                    || self.sub() == "group" && self.args.iter().any(|a| a.text == "install")
            }
            PkgTool::Zypper => matches!(self.sub(), "install" | "in"),
        }
    }

    /// `apt-get purge`, `apk del`, `dnf remove`...: packages leave again.
    pub fn is_removal(&self) -> bool {
        match self.tool {
            PkgTool::Apt => matches!(self.sub(), "purge" | "remove" | "autoremove"),
            PkgTool::Apk => self.sub() == "del",
            PkgTool::Yum | PkgTool::Dnf => matches!(
                self.sub(),
                "remove" | "erase" | "autoremove" | "groupremove"
            ),
            PkgTool::Zypper => matches!(self.sub(), "remove" | "rm"),
        }
    }

    /// Whether an option is given (`--no-cache`, or `--opt=value` by its name).
    pub fn has_option(&self, names: &[&str]) -> bool {
        self.args.iter().any(|w| {
            names
                .iter()
                .any(|n| w.text == *n || w.text.strip_prefix(n).is_some_and(|r| r.starts_with('=')))
        })
    }

    /// The package words after the subcommand (options and their values skipped).
    pub fn packages(&self) -> Vec<&'a ShellWord> {
        let Some(start) = self.args.iter().position(|w| std::ptr::eq(w, self.sub)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut i = start + 1;
        while let Some(w) = self.args.get(i) {
            if w.text.starts_with('-') {
                i += if takes_value(self.tool, &w.text) {
                    2
                } else {
                    1
                };
                continue;
            }
            out.push(w);
            i += 1;
        }
        out
    }
}

/// The program and its arguments, past leading assignments and wrappers (`sudo`) and past
/// shell keywords the splitter leaves in front of a command (`then apt-get install ...` in an
/// `if`, `do` in a loop, `!`).
pub(crate) fn program_words(cmd: &ShellCommand) -> &[ShellWord] {
    let mut argv = cmd.argv();
    loop {
        match argv.first().map(|w| w.text.as_str()) {
            Some("then" | "else" | "do" | "!" | "sudo" | "exec" | "command" | "nohup" | "time") => {
                argv = &argv[1..]
            }
            Some(w)
                if w.split_once('=').is_some_and(|(k, _)| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                }) =>
            {
                argv = &argv[1..]
            }
            _ => return argv,
        }
    }
}

/// A package name without version or release pins (`gcc=4:12.2` → `gcc`, `gcc-12:amd64` →
/// `gcc-12`, apk's `gcc~=12` / `gcc>12` → `gcc`).
pub(crate) fn package_name(word: &str) -> &str {
    let end = word.find(['=', '<', '>', '~', ':']).unwrap_or(word.len());
    &word[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_analysis::shell::split_script;

    #[test]
    fn finds_subcommand_past_option_values() {
        let c = split_script("DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Options::=--force-confnew -y install --no-install-recommends -t bookworm-backports gcc=4:12 make");
        let p = PkgCommand::parse(&c[0]).unwrap();
        assert_eq!(p.tool, PkgTool::Apt);
        assert!(p.is_install());
        assert!(p.has_option(&["--no-install-recommends"]));
        let pk: Vec<_> = p.packages().iter().map(|w| package_name(&w.text)).collect();
        assert_eq!(pk, ["gcc", "make"]);
        let c = split_script("apk add --no-cache --virtual .build-deps gcc musl-dev");
        let p = PkgCommand::parse(&c[0]).unwrap();
        assert_eq!(
            p.packages()
                .iter()
                .map(|w| w.text.as_str())
                .collect::<Vec<_>>(),
            ["gcc", "musl-dev"]
        );
        assert!(PkgCommand::parse(&split_script("apt-get -y")[0]).is_none());
        assert!(PkgCommand::parse(&split_script("npm ci")[0]).is_none());
        // inside `if ...; then ...; fi`
        let c = split_script("if [ \"$DEBUG\" = true ]; then apk add boost-dev; fi");
        let p = c.iter().find_map(PkgCommand::parse).unwrap();
        assert_eq!(
            (p.tool, p.sub(), p.program.text.as_str()),
            (PkgTool::Apk, "add", "apk")
        );
        let c = split_script("/usr/bin/microdnf --setopt=tsflags=nodocs install -y gcc");
        let p = PkgCommand::parse(&c[0]).unwrap();
        assert_eq!((p.tool, p.sub()), (PkgTool::Dnf, "install"));
        assert!(p.has_option(&["--setopt"]));
    }
}
