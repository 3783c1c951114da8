//! Tree memory: bytes allocated (and still live) by a parse, relative to the text size.
//! A counting allocator wraps the system one; run with `cargo bench -p layerwise-syntax --bench memory`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use layerwise_syntax::Dockerfile;

#[path = "gen.rs"]
mod gen;

struct Counting;
static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: forwards to the system allocator unchanged and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static A: Counting = Counting;

fn main() {
    for lines in [1_000usize, 10_000] {
        let text = gen::realistic(lines);
        let before = LIVE.load(Ordering::Relaxed);
        let file = Dockerfile::parse(&text);
        let live = LIVE.load(Ordering::Relaxed) - before;
        println!(
            "tree_memory lines={lines} text_bytes={} tree_bytes={live} ratio={:.2} items={}",
            text.len(),
            live as f64 / text.len() as f64,
            file.item_count()
        );
        drop(file);
    }
}
