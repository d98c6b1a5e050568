# Shared by scripts/demo.sh and scripts/test.sh: install what is missing, nothing more.
ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)'; then
    echo "Node.js 20.19 or newer is required (found: $(node --version 2>/dev/null || echo none))" >&2
    exit 1
  fi
}

ensure_node_modules() {
  # npm ci when node_modules is missing or older than the lock file.
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "installing npm packages (npm ci)" >&2
    npm ci --no-audit --no-fund --loglevel=error
  fi
}
