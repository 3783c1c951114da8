//! Walks a build context on disk (does IO).
