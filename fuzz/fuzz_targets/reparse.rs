//! An incremental edit gives the same tree as a full parse of the edited text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (String, Vec<(u16, u16, String)>)| {
    layerwise_reliability::check_reparse(input.0, &input.1)
});
