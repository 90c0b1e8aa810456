#!/usr/bin/env bash
# Builds a minimal Node base image from a node binary (the one given, else this
# machine's own), for hosts that cannot pull node images from a registry: node, the glibc runtime
# (Debian's libc6 libraries, which prebuilt native addons such as libsql also
# need), the C++ runtime node links against, and an /etc/passwd with the
# non-root user 1000 the service images switch to (like the official node images,
# the base itself runs as root). No shell, no package manager.
#   usage: build-local-node-image.sh <image-name> [node binary]    (needs podman, dpkg, ldd)
set -euo pipefail

image="${1:?usage: build-local-node-image.sh <image-name> [node binary]}"
node_binary="$(readlink -f "${2:-$(command -v node)}")"
rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT

copy_into_rootfs() {
  local source="$1"
  mkdir -p "$rootfs$(dirname "$source")"
  cp -L "$source" "$rootfs$source"
}

mkdir -p "$rootfs/usr/local/bin" "$rootfs/etc" "$rootfs/tmp" "$rootfs/home/node"
cp "$node_binary" "$rootfs/usr/local/bin/node"
while read -r library; do
  copy_into_rootfs "$library"
done < <(
  {
    ldd "$node_binary" | grep -o '/[^ ]*'
    # gconv (charset conversion modules) is large and unused by node.
    dpkg -L libc6 | grep -E '^/(usr/)?lib(64|/x86_64-linux-gnu)/[^/]+\.so(\.[0-9]+)*$'
  } | sort -u
)

printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:1000:1000:node:/home/node:/usr/sbin/nologin\n' >"$rootfs/etc/passwd"
printf 'root:x:0:\nnode:x:1000:\n' >"$rootfs/etc/group"
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
chmod 1777 "$rootfs/tmp"
chown 1000:1000 "$rootfs/home/node"

tar -C "$rootfs" -c . | podman import --quiet \
  --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
  --change 'CMD ["node"]' \
  - "$image" >/dev/null
echo "build-local-node-image: $image from node $("$node_binary" --version) ($(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1 / 1e6}'))"
