//! System package manager commands as the size and cache rules read them. The reading itself
//! is shared with the size estimator and the split: see `layerwise_analysis::packages`.

use layerwise_analysis::shell::{ShellCommand, ShellWord};

pub(crate) use layerwise_analysis::packages::{package_name, PkgCommand, PkgTool};

/// The program and its arguments, past leading assignments, wrappers (`sudo`) and shell
/// keywords: exactly [`ShellCommand::argv`], under the name some rules still import.
pub(crate) fn program_words(cmd: &ShellCommand) -> &[ShellWord] {
    cmd.argv()
}
