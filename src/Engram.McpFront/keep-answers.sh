#!/usr/bin/env sh
# Run by the publish (src/Engram.Cli/Engram.Cli.csproj) once engram and engram-mcp are in FOLDER: asks the
# published engram mcp for its answers to initialize, tools/list and the resource lists in each protocol version it speaks and
# keeps them beside engram-mcp (mcp-answers.json), so that the first agent session after an install gets
# them in milliseconds too. Nothing of the user's is touched: the sessions run in a throwaway ENGRAM_HOME.
set -eu
folder="${1%/}"
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
answers="$home/cache/mcp-answers.json"
for version in 2024-11-05 2025-03-26 2025-06-18 2025-11-25; do
  # The input stays open until the last answer is kept (at most 30 s): engram mcp drops what it has not
  # answered when its input ends.
  {
    printf '%s\n' \
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"$version\",\"capabilities\":{},\"clientInfo\":{\"name\":\"engram-publish\",\"version\":\"1\"}}}" \
      '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
      '{"jsonrpc":"2.0","id":2,"method":"tools/list"}' \
      '{"jsonrpc":"2.0","id":3,"method":"resources/list"}' \
      '{"jsonrpc":"2.0","id":4,"method":"resources/templates/list"}'
    tries=0
    until grep -q "resources/templates/list@$version" "$answers" 2>/dev/null || [ $tries -ge 300 ]; do
      sleep 0.1
      tries=$((tries + 1))
    done
  } | ENGRAM_HOME="$home" ENGRAM_NO_WORKER=1 "$folder/engram-mcp" >/dev/null
done
cp "$answers" "$folder/mcp-answers.json"
