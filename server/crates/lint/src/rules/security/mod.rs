//! The `security` group: what makes the image or the build easier to attack or leak from.

use crate::rule::Rule;

pub(crate) mod helpers;

pub mod curl_pipe_shell;
pub mod hardcoded_secret;
pub mod runs_as_root;
pub mod secret_file_copied;
pub mod sudo;
pub mod user_root;
pub mod world_writable;

pub static RULES: &[&dyn Rule] = &[
    &user_root::UserRoot,
    &runs_as_root::RunsAsRoot,
    &hardcoded_secret::HardcodedSecret,
    &secret_file_copied::SecretFileCopied,
    &sudo::Sudo,
    &curl_pipe_shell::CurlPipeShell,
    &world_writable::WorldWritable,
];
