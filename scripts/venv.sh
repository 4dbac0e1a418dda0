# Sourced by run.sh and test.sh: make .venv (once) and install the bot into it, again only
# when pyproject.toml changed. $1 names an extra to install ("test").
python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv
extra=${1:+[$1]}
stamp=".venv/.installed${1:+-$1}"
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".$extra"
  echo "$want" > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
