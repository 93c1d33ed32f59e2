# A static binary on an empty base: the action's image holds the binary and a CA bundle only.
# (Finished in the release issue: prebuilt multi-arch images, size budget, lint.)
FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev ca-certificates
WORKDIR /src
COPY . .
RUN cargo build --release --locked --no-default-features --bin package-warden

FROM scratch
# reqwest needs a CA bundle to build its TLS client.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /src/target/release/package-warden /package-warden
# Container actions run as root (GitHub's documentation): no USER, or the runner's files cannot be written.
ENTRYPOINT ["/package-warden"]
