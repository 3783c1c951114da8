FROM rust:1.79 AS build
WORKDIR /usr/src/app
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && cargo build --release --locked \
    && rm -rf src
COPY . .
# the sources are older than the placeholder build: make Cargo rebuild main.rs
RUN touch src/main.rs
RUN cargo build --release

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --no-log-init --create-home --uid 10001 app
WORKDIR /usr/src/app
COPY --from=build /usr/src/app/target/release/app /usr/src/app/target/release/app
# Copy anything else the program reads at run time (templates, static files, config) here.
EXPOSE 8000
USER app
CMD ["./target/release/app"]
