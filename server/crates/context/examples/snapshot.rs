//! Walks a directory as a build context and prints what Docker would send.
//!
//! `cargo run --release -p layerwise-context --example snapshot -- <dir> [Dockerfile] [COPY source...]`

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use layerwise_context::{snapshot, WalkOptions};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(root) = args.first() else {
        eprintln!("usage: snapshot <context dir> [Dockerfile] [COPY source...]");
        std::process::exit(2);
    };
    let dockerfile = args.get(1).map(Path::new);
    let started = Instant::now();
    let result = snapshot(
        Path::new(root),
        dockerfile,
        &WalkOptions::default(),
        &AtomicBool::new(false),
        &mut |_| {},
    );
    let ctx = match result {
        Ok(ctx) => ctx,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(1);
        }
    };
    let elapsed = started.elapsed();
    let totals = ctx.totals();
    println!("entries:     {}", ctx.entries().len());
    println!("status:      {:?}", ctx.status());
    println!("ignore file: {:?}", ctx.ignore().map(|f| f.path.as_str()));
    println!(
        "sent:        {} files, {} bytes",
        totals.sent_files, totals.sent_bytes
    );
    println!(
        "excluded:    {} files, {} bytes",
        totals.excluded_files, totals.excluded_bytes
    );
    println!("unreadable:  {}", ctx.unreadable().len());
    println!("walk time:   {elapsed:?}");
    let sources: Vec<&str> = args.iter().skip(2).map(String::as_str).collect();
    if !sources.is_empty() {
        let copy = ctx.copy_size(&sources);
        for source in &copy.sources {
            println!(
                "COPY {}: {:?}, {} files, {} bytes",
                source.source, source.status, source.files, source.bytes
            );
        }
    }
}
