//! Parsing never panics and is lossless; BuildKit's views never panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| layerwise_reliability::check_parse(data));
