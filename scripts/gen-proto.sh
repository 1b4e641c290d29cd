#!/usr/bin/env bash
# Regenerates the Go code for rpc/*.proto (committed, so a build needs no
# protoc). Needs protoc (Debian: apt-get install protobuf-compiler); installs
# protoc-gen-go at the protobuf version go.mod requires and protoc-gen-go-grpc
# at the version below into $(go env GOPATH)/bin if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

grpc_gen_version=v1.6.2

if ! command -v protoc >/dev/null 2>&1; then
	echo "gen-proto: protoc not found; install Debian's protobuf-compiler" >&2
	exit 1
fi
gobin="$(go env GOPATH)/bin"
pb_version=$(go list -m -f '{{.Version}}' google.golang.org/protobuf)
if [ ! -x "$gobin/protoc-gen-go" ] || ! "$gobin/protoc-gen-go" --version | grep -q "${pb_version}"; then
	go install "google.golang.org/protobuf/cmd/protoc-gen-go@${pb_version}"
fi
if [ ! -x "$gobin/protoc-gen-go-grpc" ] || ! "$gobin/protoc-gen-go-grpc" --version | grep -q "${grpc_gen_version#v}"; then
	go install "google.golang.org/grpc/cmd/protoc-gen-go-grpc@${grpc_gen_version}"
fi

PATH="$gobin:$PATH" protoc \
	--proto_path=rpc \
	--go_out=. --go_opt=module=github.com/resqlite/resqlite \
	--go-grpc_out=. --go-grpc_opt=module=github.com/resqlite/resqlite \
	rpc/*.proto
gofmt -w $(find rpc -name "*.pb.go")
