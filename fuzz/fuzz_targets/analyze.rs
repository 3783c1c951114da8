//! The model, every rule (all enabled), and their fixes never panic; fixes keep the file free
//! of new syntax errors; hover and completion at every 7th position never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| layerwise_reliability::check_analyze(data));
