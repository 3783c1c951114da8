//! Every code action and fix-all, with every rule on: no panic, no new syntax errors, and
//! applying twice changes nothing more.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| layerwise_reliability::check_actions(data));
