//! Parser cost on one file, for profiling rather than benchmarking:
//! `cargo run --release -p layerwise-syntax --example parse_profile -- FILE [REPEAT]`.
//!
//! `parse_profile --dump FILE...` prints every item's parse (kind, instruction, errors,
//! tokens) instead, to compare two versions of the parser over a corpus.
//!
//! Parses FILE REPEAT times (default 1) and prints, from a counting allocator: the bytes
//! still live after the last parse (the tree), the peak while parsing, the number of
//! allocations one parse makes, and those per instruction. Run it under
//! `valgrind --tool=callgrind` for instruction counts (the inclusive cost of
//! `Dockerfile::parse`), which unlike wall time do not depend on what else the machine runs.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use layerwise_syntax::Dockerfile;

/// Wraps the system allocator and counts live bytes, their high-water mark and calls.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static CALLS: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded unchanged to the system allocator; we only count sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        CALLS.fetch_add(1, Ordering::Relaxed);
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        CALLS.fetch_add(1, Ordering::Relaxed);
        if new_size >= layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static A: Counting = Counting;

/// Prints the parse of each file as `Debug`, for diffing two builds of the parser.
fn dump(paths: impl Iterator<Item = String>) {
    for path in paths {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        let file = Dockerfile::parse(&text);
        println!("== {path} escape={:?}", file.escape());
        for r in file.items() {
            println!(
                "{} {:?} {:?} {:?} {:?} {:?} {:?}",
                r.start,
                r.item.kind,
                r.item.instruction(),
                r.item.directive(),
                r.item.errors(),
                r.item.empty_continuation_lines(),
                r.item.tokens()
            );
        }
        println!("{:?}", file.errors());
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--dump") {
        dump(std::env::args().skip(2));
        return;
    }
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse_profile FILE [REPEAT]");
        std::process::exit(2);
    };
    let repeat: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(1).max(1);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("parse_profile: cannot read {path}: {e}");
            std::process::exit(2);
        }
    };
    let mut file = Dockerfile::parse("");
    let mut calls = 0;
    let mut peak = 0;
    let mut live = 0;
    for _ in 0..repeat {
        drop(std::mem::replace(&mut file, Dockerfile::parse("")));
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let c0 = CALLS.load(Ordering::Relaxed);
        file = Dockerfile::parse(&text);
        calls = CALLS.load(Ordering::Relaxed) - c0;
        peak = PEAK.load(Ordering::Relaxed) - base;
        live = LIVE.load(Ordering::Relaxed) - base;
    }
    let instructions = file.instructions().count().max(1);
    println!(
        "{} bytes, {} items, {instructions} instructions, parsed {repeat}x",
        text.len(),
        file.item_count()
    );
    println!(
        "tree {live} B live ({:.0} B/instruction, {:.2}x text), peak {peak} B \
         ({:.0} B/instruction), {calls} allocations ({:.1}/instruction)",
        live as f64 / instructions as f64,
        live as f64 / text.len().max(1) as f64,
        peak as f64 / instructions as f64,
        calls as f64 / instructions as f64,
    );
    // Tokens are built on first use; count what asking for all of them adds.
    let before = LIVE.load(Ordering::Relaxed);
    let tokens: usize = file.items().map(|r| r.item.tokens().len()).sum();
    let with_tokens = LIVE.load(Ordering::Relaxed) - before;
    println!(
        "tokens: {tokens}, +{with_tokens} B ({:.0} B/instruction)",
        with_tokens as f64 / instructions as f64
    );
}
