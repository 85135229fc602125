#!/usr/bin/env bash
# Runs every Go fuzz target under server/ for FUZZTIME (default 1,000,000 executions
# each). Inputs that crash are kept by Go under testdata/fuzz/<Target>/ and replay as
# regression cases in every `go test` run: commit them with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-1000000x}
for pkg in $(go list ./server/...); do
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    echo "::: $target ($pkg, $fuzztime)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
  done
done
