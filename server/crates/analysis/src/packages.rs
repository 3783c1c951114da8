//! System package manager commands (`apt-get`, `apk`, `yum`, `dnf`, `microdnf`, `zypper`):
//! which tool, which subcommand (global options and their values skipped, so `apt-get -o
//! Dpkg::Options::=--force-confnew install` is an install) and which packages are named.
//!
//! One reading for everyone: the lint rules (cache and size), the layer-size estimator and
//! the split all ask "does this `RUN` install packages, and which?". Answering it in one
//! place keeps them agreeing on edge cases such as option values that look like packages.

use crate::shell::{ShellCommand, ShellWord};

/// A system package manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PkgTool {
    Apt,
    Apk,
    Yum,
    Dnf,
    Zypper,
}

/// One package-manager command.
#[derive(Debug, Clone, Copy)]
pub struct PkgCommand<'a> {
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
    /// The tool and subcommand of `cmd`, if it runs a system package manager. The program is
    /// found past assignments, wrappers (`sudo`) and shell keywords, as [`ShellCommand::argv`]
    /// does; `None` when no subcommand is given (`apt-get -y`).
    pub fn parse(cmd: &'a ShellCommand) -> Option<PkgCommand<'a>> {
        let argv = cmd.argv();
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
            PkgTool::Apt => self.sub() == "install" && !self.is_simulated(),
            PkgTool::Apk => self.sub() == "add",
            PkgTool::Yum | PkgTool::Dnf => {
                matches!(self.sub(), "install" | "groupinstall" | "reinstall")
                    || self.sub() == "group" && self.args.iter().any(|a| a.text == "install")
            }
            PkgTool::Zypper => matches!(self.sub(), "install" | "in"),
        }
    }

    /// `apt-get install -s` only simulates (scripts use it to probe whether a package
    /// exists): nothing is installed.
    pub fn is_simulated(&self) -> bool {
        self.tool == PkgTool::Apt
            && self.has_option(&[
                "-s",
                "--simulate",
                "--dry-run",
                "--just-print",
                "--no-act",
                "--recon",
            ])
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

    /// The package words after the subcommand (options and their values skipped), as
    /// written (`gcc=4:12` keeps its pin; see [`package_name`]).
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

/// A package name without version or release pins, architecture, repository tag or extras,
/// for the system and the language package managers alike: apt's `gcc=4:12.2` → `gcc` and
/// `gcc-12:amd64` → `gcc-12`, apk's `gcc~=12` / `gcc>12` / `curl@edge` → `gcc` / `curl`,
/// npm's `puppeteer@22` → `puppeteer` and `@scope/pkg@1` → `@scope/pkg` (the scope's `@`
/// kept), pip's `torch==2.3` / `x[gpu]` / `y; python_version<"3.8"` → `torch` / `x` / `y`.
/// None of these characters can be part of a package name in these tools.
pub fn package_name(word: &str) -> &str {
    let scope = usize::from(word.starts_with('@'));
    let end = word[scope..]
        .find(['=', '<', '>', '~', ':', '@', '!', '[', ';'])
        .map_or(word.len(), |k| scope + k);
    &word[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shell::split_script;

    fn parse_first(script: &str) -> Option<(PkgTool, String, Vec<String>)> {
        let c = split_script(script);
        let p = c.iter().find_map(PkgCommand::parse)?;
        let pk = p.packages().iter().map(|w| w.text.to_string()).collect();
        Some((p.tool, p.sub().to_string(), pk))
    }

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

    #[test]
    fn wrappers_and_option_values_are_not_programs_or_packages() {
        assert_eq!(
            parse_first("sudo apt-get install -c /etc/apt.conf -y curl"),
            Some((PkgTool::Apt, "install".into(), vec!["curl".into()]))
        );
        assert_eq!(
            parse_first("zypper --non-interactive in -r repo vim"),
            Some((PkgTool::Zypper, "in".into(), vec!["vim".into()]))
        );
        assert_eq!(
            parse_first("yum --enablerepo epel install -y jq"),
            Some((PkgTool::Yum, "install".into(), vec!["jq".into()]))
        );
    }

    #[test]
    fn redirections_are_not_packages() {
        assert_eq!(
            parse_first("apt-get install -y x > /dev/null 2>&1"),
            Some((PkgTool::Apt, "install".into(), vec!["x".into()]))
        );
        assert_eq!(
            parse_first("apk add --no-cache y &>/dev/null || true"),
            Some((PkgTool::Apk, "add".into(), vec!["y".into()]))
        );
        assert_eq!(
            parse_first("yum install -y z <<< y 2>>err.log"),
            Some((PkgTool::Yum, "install".into(), vec!["z".into()]))
        );
    }

    #[test]
    fn installs_removals_and_simulations() {
        let is = |s: &str| {
            let c = split_script(s);
            let p = PkgCommand::parse(&c[0]).unwrap();
            (p.is_install(), p.is_removal(), p.is_simulated())
        };
        assert_eq!(is("apt-get install -y gcc"), (true, false, false));
        assert_eq!(is("apt-get install -s gcc"), (false, false, true));
        assert_eq!(is("apt-get --simulate install gcc"), (false, false, true));
        assert_eq!(is("apt-get purge -y gcc"), (false, true, false));
        assert_eq!(is("apk del .build-deps"), (false, true, false));
        assert_eq!(
            is("dnf group install 'Development Tools'"),
            (true, false, false)
        );
        assert_eq!(is("yum erase gcc"), (false, true, false));
        assert_eq!(is("zypper rm gcc"), (false, true, false));
        // only apt has a simulation switch of this name
        assert_eq!(is("apk add -s gcc"), (true, false, false));
    }

    #[test]
    fn package_names_drop_pins_and_architectures() {
        assert_eq!(package_name("gcc=4:12.2"), "gcc");
        assert_eq!(package_name("libc6:amd64"), "libc6");
        assert_eq!(package_name("gcc~=12"), "gcc");
        assert_eq!(package_name("openssl>3"), "openssl");
        assert_eq!(package_name("curl"), "curl");
        assert_eq!(package_name("=1"), "");
        assert_eq!(package_name("curl@edge"), "curl");
        assert_eq!(package_name("puppeteer@22"), "puppeteer");
        assert_eq!(package_name("@img/sharp@0.33"), "@img/sharp");
        assert_eq!(package_name("@img/sharp"), "@img/sharp");
        assert_eq!(package_name("torch==2.3.0"), "torch");
        assert_eq!(package_name("uvicorn[standard]"), "uvicorn");
        assert_eq!(package_name("x!=1"), "x");
        assert_eq!(package_name("g++"), "g++");
        assert_eq!(package_name("@"), "@");
    }
}
