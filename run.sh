#!/usr/bin/env bash
# Set up (a .venv with the bot) and start it. Settings come from the environment or .env;
# BOT_TOKEN is required to run: asked for (and saved in .env) when started in a terminal
# without one. Arguments go to the bot: ./run.sh scan feed.xml --ticker AMZN
set -euo pipefail
cd "$(dirname "$0")"
if [ "$#" -eq 0 ]; then set -- run; fi
if [ "$1" = run ]; then scripts/token.sh; fi
source scripts/venv.sh
exec python -m bot "$@"
