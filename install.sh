#!/usr/bin/env sh
# Installs Engram from this checkout, the fast way: engram compiled ReadyToRun for this machine, with the
# native (NativeAOT) capture hook engram-hook, MCP front engram-mcp and command front engram-front beside it.
# The 'engram' on PATH is engram-front: it hands one-shot search and add to the running worker and runs the
# managed engram (in the same process) for everything else. Then run 'engram install' to wire the agents.
#   ENGRAM_INSTALL_DIR  where the files go   (default ~/.local/share/engram)
#   ENGRAM_BIN_DIR      where 'engram' is linked (default ~/.local/bin; put it on PATH)
# Running it again upgrades in place: the new build is swapped in whole, so a running worker keeps its files.
set -eu
cd "$(dirname "$0")"
prefix="${ENGRAM_INSTALL_DIR:-$HOME/.local/share/engram}"
bin="${ENGRAM_BIN_DIR:-$HOME/.local/bin}"
rid="$(dotnet --info | awk '$1 == "RID:" { print $2; exit }')"
[ -n "$rid" ] || { echo "install.sh: could not read this machine's runtime identifier from 'dotnet --info'" >&2; exit 1; }

staging="$prefix.new"
rm -rf "$staging"
dotnet publish src/Engram.Cli -c Release -r "$rid" -o "$staging" -nologo -v:q
for native in engram-hook engram-mcp engram-front; do
  [ -x "$staging/$native" ] || { echo "install.sh: $native was not built (NativeAOT needs clang or gcc)" >&2; exit 1; }
done
mkdir -p "$(dirname "$prefix")" "$bin"
if [ -d "$prefix" ]; then rm -rf "$prefix.old"; mv "$prefix" "$prefix.old"; fi
mv "$staging" "$prefix"
rm -rf "$prefix.old"
ln -sf "$prefix/engram-front" "$bin/engram"
echo "installed engram, engram-hook, engram-mcp and engram-front in $prefix; linked $bin/engram to engram-front"
case ":$PATH:" in *":$bin:"*) ;; *) echo "add $bin to PATH, then run: engram install" ;; esac
