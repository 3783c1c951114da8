//! Parsing never panics and is lossless; BuildKit's views never panic either.
#![no_main]

use layerwise_syntax::{buildkit, Dockerfile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = Dockerfile::parse(&text);
    assert_eq!(file.text(), text);
    let mut end = 0;
    for r in file.items() {
        let mut pos = 0;
        for t in r.item.tokens() {
            assert_eq!(t.range.start, pos);
            pos = t.range.end;
        }
        assert_eq!(pos, r.item.len());
        end = r.range().end;
    }
    assert_eq!(end, file.len());
    let _ = buildkit::dump(&file);
    let _ = buildkit::records(&file);
});
