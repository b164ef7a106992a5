# The `langnghe` service, built from this repository.
FROM rust:1.95-bookworm AS build
WORKDIR /src

# Dependencies first, in a layer of their own: it is built again only when a
# manifest or the lock file changes, not on every change of the sources.
# Every workspace member's manifest is copied (tests/topology.rs checks the
# list against the workspace) and given empty sources for this step.
COPY Cargo.toml Cargo.lock ./
COPY crates/domain/Cargo.toml crates/domain/
COPY crates/storage/Cargo.toml crates/storage/
COPY crates/api/Cargo.toml crates/api/
COPY crates/bench/Cargo.toml crates/bench/
COPY migrations/Cargo.toml migrations/
COPY tests/Cargo.toml tests/
COPY xtask/Cargo.toml xtask/
RUN for dir in crates/domain crates/storage crates/api migrations; do \
      mkdir -p "$dir/src" && touch "$dir/src/lib.rs"; \
    done \
 && for main in crates/api/src/main.rs crates/bench/src/main.rs xtask/src/main.rs tests/bin/service.rs; do \
      mkdir -p "$(dirname "$main")" && echo 'fn main() {}' > "$main"; \
    done \
 && touch tests/lib.rs tests/main.rs \
 && cargo build --release --locked -p langnghe-api \
 && rm -rf crates/*/src migrations/src xtask/src tests/bin tests/lib.rs tests/main.rs

# Then the sources. Their files are newer than the empty ones above, so
# cargo builds the workspace's own crates again and nothing else.
COPY . .
RUN touch crates/*/src/lib.rs crates/api/src/main.rs migrations/src/lib.rs \
 && cargo build --release --locked -p langnghe-api

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /var/lib/langnghe --create-home langnghe \
 && install -d -o langnghe -g langnghe /var/lib/langnghe/letters
COPY --from=build /src/target/release/langnghe /usr/local/bin/langnghe
USER langnghe
WORKDIR /var/lib/langnghe
ENV LANGNGHE_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["langnghe"]
CMD ["serve"]
