#!/usr/bin/env bash
# Quick start: installs what is missing, starts the managed Neo4j, loads the demo organisation
# and serves the API with the admin console on http://localhost:4000/console and GraphiQL on
# http://localhost:4000/graphql. Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/ensure.sh
ensure_node
ensure_node_modules
ensure_console
exec npx tsx scripts/start.ts --demo "$@"
