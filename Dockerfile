# The `langnghe` service, built from this repository.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p langnghe-api

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /var/lib/langnghe --create-home langnghe
COPY --from=build /src/target/release/langnghe /usr/local/bin/langnghe
USER langnghe
WORKDIR /var/lib/langnghe
ENV LANGNGHE_BIND=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=3 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["langnghe"]
CMD ["serve"]
