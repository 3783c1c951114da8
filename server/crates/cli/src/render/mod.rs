//! Output formats of `layerwise check`.

pub mod json;
pub mod sarif;
pub mod sizes;
pub mod text;
