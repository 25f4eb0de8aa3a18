# syntax=docker/dockerfile:1.7
#
# One image for every UdaConnect service, the web page included: the
# Deployment's args pick the subcommand (`udaconnect persons`, `udaconnect
# api`, `udaconnect web`, ...).
#
#   DOCKER_BUILDKIT=1 docker build -t udaconnect:latest .

# The web page: static files, built once, served by `udaconnect web`.
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,id=udaconnect-npm,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY web ./
RUN npm run build

FROM rust:1-bookworm AS builder

# librdkafka is compiled from source by rdkafka-sys (make + a C compiler,
# zlib through pkg-config); protoc is vendored by the proto crate. The
# extra -dev packages cost nothing at run time and keep the build working
# if TLS, SASL or zstd features of rdkafka are switched on later.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential pkg-config libssl-dev zlib1g-dev libsasl2-dev libzstd-dev cmake python3 \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
# Only what the build reads: the workspace, its crates (with their SQL
# migrations, embedded at compile time) and the protos.
COPY Cargo.toml Cargo.lock ./
COPY crates crates
COPY proto proto
# The commit the image is built from, shown by udaconnect_build_info
# (docker build --build-arg UDACONNECT_REVISION="$(git rev-parse HEAD)" .).
ARG UDACONNECT_REVISION=unknown
ENV UDACONNECT_REVISION=$UDACONNECT_REVISION

# The cache mounts keep the registry and the build tree between builds; they
# are not part of any layer, so the binary is copied out of target/.
RUN --mount=type=cache,id=udaconnect-cargo-registry,target=/usr/local/cargo/registry,sharing=locked \
    --mount=type=cache,id=udaconnect-cargo-git,target=/usr/local/cargo/git,sharing=locked \
    --mount=type=cache,id=udaconnect-target,target=/src/target,sharing=locked \
    cargo build --release --locked -p udaconnect \
 && install -D -m 0755 target/release/udaconnect /out/udaconnect

FROM debian:bookworm-slim AS runtime

# The binary links only libc, libm, libgcc_s and libz (no TLS, SASL or zstd
# in the default rdkafka/sqlx features); zlib1g is listed to make that
# dependency explicit, ca-certificates for any future TLS connection.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 udaconnect \
 && useradd --system --uid 10001 --gid 10001 --no-create-home \
      --home-dir /nonexistent --shell /usr/sbin/nologin udaconnect

COPY --from=builder /out/udaconnect /usr/local/bin/udaconnect
COPY data/starter /usr/share/udaconnect/starter
COPY --from=web /web/dist /usr/share/udaconnect/web
ENV SEED_DATA_DIR=/usr/share/udaconnect/starter \
    WEB_ASSETS_DIR=/usr/share/udaconnect/web

# Numeric, so Kubernetes' runAsNonRoot can verify it without /etc/passwd.
USER 10001:10001

# gRPC: persons 50051, locations 50052, ingest 30002; REST: api 30001; the
# page: web 30000; admin HTTP (/healthz, /readyz, /metrics): 9101-9104.
EXPOSE 50051 50052 30000 30001 30002 9101 9102 9103 9104

ENTRYPOINT ["udaconnect"]
CMD ["--help"]
