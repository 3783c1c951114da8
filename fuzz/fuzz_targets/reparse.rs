//! An incremental edit gives the same tree as a full parse of the edited text.
#![no_main]

use layerwise_syntax::{Dockerfile, TextRange};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (String, Vec<(u16, u16, String)>)| {
    let (mut text, edits) = input;
    let mut file = Dockerfile::parse(&text);
    for (a, b, insert) in edits.into_iter().take(16) {
        let len = text.len();
        let mut a = (a as usize).min(len);
        let mut b = (a + b as usize % 8).min(len);
        while !text.is_char_boundary(a) {
            a -= 1;
        }
        while !text.is_char_boundary(b) {
            b += 1;
        }
        file.edit(TextRange::from_usize(a, b), &insert);
        text.replace_range(a..b, &insert);
        assert_eq!(file, Dockerfile::parse(&text));
    }
});
