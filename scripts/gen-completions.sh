#!/usr/bin/env bash
# Regenerates the committed shell completion scripts from the clap definition.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/llmroute
$bin completions bash > completions/llmroute.bash
$bin completions zsh > completions/_llmroute
$bin completions fish > completions/llmroute.fish
$bin completions powershell > completions/_llmroute.ps1
$bin completions elvish > completions/llmroute.elv
echo "completions regenerated in completions/"
