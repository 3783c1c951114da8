//! What the profiling examples that read a Dockerfile named on the command line share: one way
//! to refuse a wrong command line and to read the file, so each example is only its
//! measurement. Included with `mod support;` (a folder without `main.rs` is not an example).

/// Prints `usage` to stderr and exits with status 2, the status of a wrong command line.
pub fn usage_exit(usage: &str) -> ! {
    eprintln!("{usage}");
    std::process::exit(2)
}

/// The text of the file at `path`; when it cannot be read, says why and exits with status 2.
pub fn read_text(path: &str) -> String {
    match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    }
}
