//! Formatting: lossless, no new syntax errors, same meaning (as `ide/tests/format_corpus.rs`
//! defines it), idempotent; range and on-type formatting edit inside the document.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| layerwise_reliability::check_format(data));
