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

ensure_console() {
  # The admin console (/console) is built from console/ by Vite: when console/dist is missing or
  # older than the console's sources, schema.graphql or the lock file. The operations are typed
  # from schema.graphql first (GraphQL Code Generator): one that no longer matches fails here.
  local built=console/dist/index.html
  if [ ! -f "$built" ] || [ -n "$(find console/src console/index.html console/vite.config.ts console/codegen.ts schema.graphql package-lock.json -newer "$built" -not -path 'console/src/gql/*' -print -quit 2>/dev/null)" ]; then
    echo "building the admin console (console/dist)" >&2
    npx graphql-codegen --config console/codegen.ts
    npx vite build --config console/vite.config.ts --logLevel warn
  fi
}

ensure_chromium() {
  # The console's end-to-end tests drive Debian's Chromium (playwright-core downloads no browser).
  if ! command -v chromium >/dev/null 2>&1; then
    echo "chromium is missing; installing it from Debian's packages" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
  fi
}
