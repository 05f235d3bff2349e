# The vtune-xml container (Debian 12): the tool, its man page, schemas and
# completion, and the shared libraries it needs (libvirt0 for -c/--apply,
# loaded when a connection is used, and for libvirt's schema, --validate).
#
#   docker build -t vtune-xml .
#   docker run --rm -v "$PWD:/work" vtune-xml --host hosts/prod.json --check domains/*.xml
#
# The files are read from /work, the working directory (doc/ci.md).

# --- build: the tool alone, without its tests (no cmocka) ---
FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      gcc libc6-dev make cmake pkg-config \
      libxml2-dev libvirt-dev libhwloc-dev libcjson-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DBUILD_TESTING=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
 && cmake --build /build -j"$(nproc)" \
 && DESTDIR=/install cmake --install /build --prefix /usr \
 && /install/usr/bin/vtune-xml --version

# --- runtime: the shared libraries and the installed files ---
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libxml2 libvirt0 libhwloc15 libcjson1 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /install/usr/ /usr/
WORKDIR /work
ENTRYPOINT ["vtune-xml"]
CMD ["--help"]
