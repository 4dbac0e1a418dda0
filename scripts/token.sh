#!/usr/bin/env bash
# Run by run.sh before `run`: make sure there is a bot token. Taken from BOT_TOKEN in the
# environment or in .env; when it is missing (or still the .env.example placeholder) and we
# are in a terminal, ask for it and write it to .env; started by a process manager (no
# terminal), say in one line what is missing and fail. The token is never echoed.
set -euo pipefail
placeholder='replace-with-the-token-from-BotFather'

from_env_file() {
  [ -f .env ] || return 0
  sed -n 's/^[[:space:]]*BOT_TOKEN[[:space:]]*=[[:space:]]*//p' .env | tail -n 1 | tr -d "\"'\r"
}

token=${BOT_TOKEN:-$(from_env_file)}
if [ -n "$token" ] && [[ "$token" != *"$placeholder"* ]]; then
  exit 0
fi
if [ ! -t 0 ]; then
  echo "BOT_TOKEN is not set: put the token from @BotFather in .env (see .env.example) or in the environment, or start ./run.sh in a terminal to be asked for it" >&2
  exit 1
fi
echo "No bot token yet. Create a bot with @BotFather (https://t.me/BotFather, /newbot) and paste its token here."
for _ in 1 2 3; do
  read -r -s -p "BOT_TOKEN: " token || exit 1
  echo
  if [[ "$token" =~ ^[0-9]+:[A-Za-z0-9_-]+$ ]]; then
    [ -f .env ] || { [ -f .env.example ] && cp .env.example .env; } || true
    touch .env
    chmod 600 .env
    if grep -q '^[[:space:]]*BOT_TOKEN[[:space:]]*=' .env; then
      # The token holds only digits, letters, ':', '_' and '-': safe between sed's '|'.
      sed -i.bak "s|^[[:space:]]*BOT_TOKEN[[:space:]]*=.*|BOT_TOKEN=$token|" .env && rm -f .env.bak
    else
      printf 'BOT_TOKEN=%s\n' "$token" >> .env
    fi
    echo "Saved BOT_TOKEN in .env."
    exit 0
  fi
  echo "That does not look like a token (digits, a colon, then letters and digits); try again." >&2
done
exit 1
