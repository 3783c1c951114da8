//! How many items one answer about a whole document may list (outline symbols, inlay hints,
//! code lenses, document links).
//!
//! The framework turns every answer into a `serde_json::Value` tree before writing it, about
//! 4 KB per item here (18 times the item's JSON text): 80,000 outline symbols took the
//! server from 280 MB to 620 MB, 160,000 inlay hints to 740 MB (release build, F16). A real
//! Dockerfile has a few hundred instructions at most, and an editor's outline, hint or lens
//! list is not read past a few thousand, so answers stop at [`MAX_ITEMS`] and end with one
//! item that says how many were left out — never a silent cut. Document links cannot say it
//! (a link sits on text), so the server logs it; 570,000 links cost 1.6 GB and 7 s.

/// Most items one answer lists (about 20 MB of server memory at the figure above). The ide
/// builds only these and counts the rest (`capped_hints`, `capped_lenses`, `capped_symbols`, `capped_links`):
/// building every item first and cutting here cost 300-400 MB on a 4 MB file.
pub const MAX_ITEMS: usize = 5_000;
