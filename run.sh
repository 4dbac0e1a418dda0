#!/usr/bin/env bash
# Set up (a .venv with the bot) and start it. Settings come from the environment or .env;
# BOT_TOKEN is required. Arguments go to the bot: ./run.sh scan feed.xml --ticker AMZN
set -euo pipefail
cd "$(dirname "$0")"
source scripts/venv.sh
if [ "$#" -eq 0 ]; then set -- run; fi
exec python -m bot "$@"
