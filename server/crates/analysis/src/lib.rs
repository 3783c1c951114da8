//! Semantic model of a Dockerfile: stages, scopes, variable expansion, references, image
//! references, `.dockerignore` matching, the shell commands in `RUN`. Pure: takes values,
//! returns values, does no IO.

pub mod build_context;
pub mod directives;
pub mod dockerignore;
pub mod image_facts;
pub mod image_ref;
pub mod model;
mod model_builder;
pub mod packages;
pub mod shell;
pub mod vars;

pub use model::{Base, InstructionInfo, Model, ModelOptions, RefKind, RefTarget, Stage, StageRef};
