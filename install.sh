#!/usr/bin/env sh
# Installs Engram from this checkout, the fast way: engram compiled ReadyToRun for this machine, and the
# native capture hook engram-hook (NativeAOT) beside it. Then run 'engram install' to wire Claude Code.
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
[ -x "$staging/engram-hook" ] || { echo "install.sh: engram-hook was not built (NativeAOT needs clang or gcc)" >&2; exit 1; }
mkdir -p "$(dirname "$prefix")" "$bin"
if [ -d "$prefix" ]; then rm -rf "$prefix.old"; mv "$prefix" "$prefix.old"; fi
mv "$staging" "$prefix"
rm -rf "$prefix.old"
ln -sf "$prefix/engram" "$bin/engram"
echo "installed engram, engram-hook and engram-mcp in $prefix; linked $bin/engram"
case ":$PATH:" in *":$bin:"*) ;; *) echo "add $bin to PATH, then run: engram install" ;; esac
