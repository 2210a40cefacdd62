#!/usr/bin/env sh
# Run by the publish (src/Engram.Cli/Engram.Cli.csproj) once engram and engram-mcp are in FOLDER: asks the
# published engram mcp for its answers to initialize (server/discover), tools/list and the resource lists in each
# protocol version it speaks and keeps them beside engram-mcp (mcp-answers.json), so that the first agent session
# after an install gets them in milliseconds too. Nothing of the user's is touched: the sessions run in a throwaway
# ENGRAM_HOME.
set -eu
folder="${1%/}"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
answers="$home/cache/mcp-answers.json"

# keep MARKER REQUEST...: one session of the REQUESTs, its input kept open until MARKER is among the kept answers
# (at most 30 s): engram mcp drops what it has not answered when its input ends.
keep() {
  marker="$1"
  shift
  {
    printf '%s\n' "$@"
    tries=0
    until grep -q "$marker" "$answers" 2>/dev/null || [ $tries -ge 300 ]; do
      sleep 0.1
      tries=$((tries + 1))
    done
  } | ENGRAM_HOME="$home" ENGRAM_NO_WORKER=1 "$folder/engram-mcp" >/dev/null
}

for version in 2024-11-05 2025-03-26 2025-06-18 2025-11-25; do
  keep "resources/templates/list@$version" \
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"$version\",\"capabilities\":{},\"clientInfo\":{\"name\":\"engram-publish\",\"version\":\"1\"}}}" \
    '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
    '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' \
    '{"jsonrpc":"2.0","id":3,"method":"resources/list"}' \
    '{"jsonrpc":"2.0","id":4,"method":"resources/templates/list"}'
done
# The stateless protocol (2026-07-28, Claude Code 2.1.3xx): no initialize; every request names its version in _meta.
meta='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}'
keep "resources/templates/list@2026-07-28" \
  "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"server/discover\",\"params\":{$meta}}" \
  "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\",\"params\":{$meta}}" \
  "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/list\",\"params\":{$meta}}" \
  "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/templates/list\",\"params\":{$meta}}"
cp "$answers" "$folder/mcp-answers.json"
