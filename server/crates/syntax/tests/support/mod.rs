//! Finding `../shared/corpus/`: the shared implementation in `layerwise-test-support`, under
//! the module name the tests here (and `ide/tests/format_corpus.rs`, which includes this
//! file) use.
#![allow(unused_imports)]

pub use layerwise_test_support::{corpus_dir, corpus_files, read_lossy};
