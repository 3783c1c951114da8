//! How commands are named in messages: short and recognisable, never a whole multi-line
//! script.

use layerwise_analysis::shell::ShellCommand;

use crate::rules::size::os_packages::program_words;

/// The command as a reader recognises it: `apt-get install`, `python -m pip install`,
/// `go build` (options and arguments after the verb left out).
pub(crate) fn short_command(cmd: &ShellCommand) -> String {
    const VERBS: &[&str] = &[
        "install",
        "i",
        "ci",
        "add",
        "build",
        "restore",
        "download",
        "sync",
        "fetch",
        "update",
        "get",
        "package",
        "verify",
        "assemble",
        "dependencies",
        "test",
        "generate",
    ];
    let argv = program_words(cmd);
    let mut out: Vec<&str> = Vec::new();
    for (k, w) in argv.iter().enumerate() {
        if k > 0 && w.text.starts_with('-') && w.text != "-m" {
            continue;
        }
        out.push(&w.text);
        if k > 0 && VERBS.contains(&w.text.as_str()) || out.len() == 4 {
            break;
        }
    }
    out.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use layerwise_analysis::shell::split_script;

    #[test]
    fn short_forms() {
        let s = |t: &str| short_command(&split_script(t)[0]);
        assert_eq!(
            s("DEBIAN_FRONTEND=x apt-get -q install -y curl"),
            "apt-get install"
        );
        assert_eq!(
            s("python3 -m pip install --upgrade x"),
            "python3 -m pip install"
        );
        assert_eq!(
            s("cargo build \\\n --profile release --frozen"),
            "cargo build"
        );
        assert_eq!(s("mvn -Dmaven.test.skip=true package"), "mvn package");
        assert_eq!(s("then npm ci"), "npm ci");
    }
}
