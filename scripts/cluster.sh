#!/bin/sh
# scripts/cluster.sh up|down|status|reload|watch|backup|restore [flags]: a local three-node NATS
# JetStream cluster (nats-server built from the version go.mod pins) for
# several `grants serve` instances. State under ./data/cluster (override
# with GRANTS_CLUSTER_DIR or --dir). See README.md, "Deployment".
set -eu
cd "$(dirname "$0")/.."
if [ $# -lt 1 ]; then
	echo "usage: scripts/cluster.sh up|down|status|reload|watch [--dir DIR] [--nodes N] [--sync-interval always|DURATION] | backup --out DIR | restore --from DIR" >&2
	exit 2
fi
mkdir -p bin
go build -o bin/grants ./cmd/grants
exec ./bin/grants cluster "$@"
