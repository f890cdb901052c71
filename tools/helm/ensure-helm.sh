#!/usr/bin/env bash
# Makes a helm binary available for the chart tests: the one on PATH or in ~/go/bin if its
# version matches, else built from the Go module proxy (`go install`, ~3-5 min on a cold cache;
# Helm ships no Debian or npm package these machines can reach).
set -euo pipefail
VERSION="${BATON_HELM_VERSION:-v3.22.0}"
GOBIN_DIR="$(go env GOPATH)/bin"
for candidate in "$(command -v helm || true)" "$GOBIN_DIR/helm"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" version --short 2>/dev/null | grep -q "^${VERSION%.*}"; then
    echo "helm: $candidate ($VERSION)"
    exit 0
  fi
done
echo "helm: building $VERSION from the Go module proxy into $GOBIN_DIR"
GOFLAGS=-mod=mod go install "helm.sh/helm/v3/cmd/helm@${VERSION}"
"$GOBIN_DIR/helm" version --short
