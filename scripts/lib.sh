# Shared steps of scripts/start and scripts/test. Sourced, not run.

PYTHON=${PYTHON:-python3}
VENV=.venv

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m错误 (error):\033[0m %s\n' "$*" >&2; exit 1; }

# Install Debian packages that are missing, as root or through passwordless sudo;
# otherwise stop and say exactly what to run.
ensure_debian_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    die "missing system packages: ${missing[*]}. Install their equivalents (CJK fonts: Noto Sans CJK and GNU Unifont) with your system's package manager, then run this again."
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo -n true 2>/dev/null || die "missing system packages: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}   then run this again."
    sudo="sudo -n"
  fi
  say "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Create the virtual environment and install the project (with extras, e.g. "[test]").
ensure_venv() {
  local extras=${1:-}
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "Python 3.11 or newer is needed (found: $("$PYTHON" --version 2>&1))."
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating $VENV"
    "$PYTHON" -m venv "$VENV" || die "could not create a virtual environment: install python3-venv."
  fi
  local stamp="$VENV/.installed$extras"
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    say "installing Python packages"
    "$VENV/bin/pip" install -q --upgrade pip >/dev/null
    "$VENV/bin/pip" install -q -e ".$extras"
    touch "$stamp"
  fi
}
