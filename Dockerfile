# package-warden's image: one static binary and a CA bundle on an empty base (under 10 MB).
#
# Build it from source (the default, last stage; needs BuildKit or buildah, which skip the
# `packaged` stage that this build does not use):
#   docker build -t package-warden .
#
# Or pack binaries built outside Docker (what the release workflow and .ci/run do: no compiler
# in the image build, and no Rust compiled under QEMU for arm64). The build context is a folder
# laid out as `<arch>/package-warden` (amd64, arm64: Docker's TARGETARCH) plus
# `ca-certificates.crt`:
#   docker buildx build --target packaged --platform linux/amd64,linux/arm64 -f Dockerfile dist/
#
# No USER in any stage: GitHub runs container actions as root and documents that an image with
# USER cannot write the workspace or the file-command files ($GITHUB_OUTPUT and friends).

# --- packaged: a static binary built elsewhere -------------------------------------------------
FROM scratch AS packaged
# Set by BuildKit and buildah from --platform (amd64, arm64).
ARG TARGETARCH
# reqwest reads the system's CA bundle to build its TLS client: without one it cannot even start.
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY ${TARGETARCH}/package-warden /package-warden
ENTRYPOINT ["/package-warden"]

# --- builder: a static musl binary for the platform this stage runs on -------------------------
FROM rust:1.95-slim-bookworm AS builder
# musl-gcc compiles ring's C and assembly for the musl target. Pinned to bookworm's version.
RUN apt-get update \
    && apt-get install -y --no-install-recommends musl-tools=1.2.3-1 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Without the `demo` feature (the sandbox and its fake GitHub stay out of the image); the release
# profile strips symbols, and whole-program LTO in one codegen unit makes the binary smaller.
ENV CARGO_PROFILE_RELEASE_LTO=fat \
    CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN target="$(uname -m)-unknown-linux-musl" \
    && export "CC_${target//-/_}=musl-gcc" \
    && rustup target add "$target" \
    && cargo build --release --locked --no-default-features --bin package-warden --target "$target" \
    && cp "target/$target/release/package-warden" /package-warden \
    && /package-warden --version

# --- the image: built from source above ---------------------------------------------------------
FROM scratch
COPY --from=builder /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=builder /package-warden /package-warden
ENTRYPOINT ["/package-warden"]
