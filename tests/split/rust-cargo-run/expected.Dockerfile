FROM rust:1.82-slim-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends pkg-config libssl-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY . .
# the sources are older than the placeholder build: make Cargo rebuild main.rs
RUN touch src/main.rs
RUN cargo build --release --locked

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --no-log-init --create-home --uid 10001 app
WORKDIR /app
COPY --from=build /app/target/release/web /usr/local/bin/web
# Copy anything else the program reads at run time (templates, static files, config) here.
USER app
# `cargo run` needs the Rust toolchain; it was:
# CMD cargo run --release --bin web -- --listen 0.0.0.0:3000
CMD ["/usr/local/bin/web", "--listen", "0.0.0.0:3000"]
