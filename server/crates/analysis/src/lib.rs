//! Semantic model of a Dockerfile: stages, scopes, variable expansion, references, image
//! references, `.dockerignore` matching. Pure: takes values, returns values, does no IO.

pub mod build_context;
pub mod dockerignore;
pub mod image_facts;
pub mod image_ref;
