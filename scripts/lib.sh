# shellcheck shell=bash
# Helpers shared by scripts/start-odoo.sh and scripts/run-tests.sh.
# Source it from a script running under `set -euo pipefail`.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ADDON="sales_process_automation"
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

info() { printf '==> %s\n' "$*"; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# Run a command as root (directly when we are root, else through sudo).
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root rights (or sudo) to run: $*"
    fi
}

# Run a shell command line as the postgres OS user.
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && su postgres -c "$1")
    elif command -v sudo >/dev/null 2>&1; then
        (cd / && sudo -u postgres sh -c "$1")
    else
        die "need root rights (or sudo) to run as postgres: $1"
    fi
}

# Find Odoo 19.0. Sets ODOO_CMD (array) and ODOO_MODE ("src" or "installed").
# ODOO_SRC, when set, wins over an Odoo importable by python3.
locate_odoo() {
    if [ -n "${ODOO_SRC:-}" ]; then
        local src
        src="$(cd "$ODOO_SRC" 2>/dev/null && pwd)" ||
            die "ODOO_SRC=$ODOO_SRC is not a directory."
        ODOO_SRC="$src"
        if [ ! -d "$ODOO_SRC/odoo" ] || [ ! -d "$ODOO_SRC/addons" ] || [ ! -f "$ODOO_SRC/odoo-bin" ]; then
            die "ODOO_SRC=$ODOO_SRC is not an Odoo source tree (it needs odoo/, addons/ and odoo-bin)."
        fi
        export ODOO_SRC
        export PYTHONPATH="$ODOO_SRC${PYTHONPATH:+:$PYTHONPATH}"
        ODOO_MODE=src
        ODOO_CMD=(python3 "$ODOO_SRC/odoo-bin")
        info "Using Odoo from ODOO_SRC=$ODOO_SRC"
    elif python3 -c "import odoo.release" >/dev/null 2>&1; then
        ODOO_MODE=installed
        ODOO_CMD=(python3 -m odoo)
        info "Using Odoo importable by python3 ($(command -v python3))"
    else
        die "Odoo 19.0 was not found. Install Odoo 19.0 Community so that \`python3 -c 'import odoo.release'\` works, or set ODOO_SRC to an Odoo 19.0 source tree (a folder with odoo/, addons/ and odoo-bin), e.g. ODOO_SRC=/path/to/odoo $0"
    fi

    local version
    version="$(python3 -c 'import odoo.release as r; print(r.version)' 2>/dev/null)" ||
        die "cannot import odoo.release with python3; is Odoo 19.0 installed correctly?"
    case "$version" in
    19.0*) ;;
    *) die "Odoo 19.0 is required, found Odoo $version." ;;
    esac

    if ! "${ODOO_CMD[@]}" --version >/dev/null 2>&1; then
        if [ "$ODOO_MODE" = src ] && [ -f "$ODOO_SRC/requirements.txt" ]; then
            info "Installing the Python dependencies of Odoo ($ODOO_SRC/requirements.txt)"
            as_root env DEBIAN_FRONTEND=noninteractive apt-get update
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y \
                build-essential libpq-dev libldap2-dev libsasl2-dev
            python3 -m pip install -r "$ODOO_SRC/requirements.txt"
        fi
        "${ODOO_CMD[@]}" --version >/dev/null ||
            die "Odoo does not start (\`${ODOO_CMD[*]} --version\` fails): are Odoo's Python dependencies installed?"
    fi
}

# Make sure a PostgreSQL server runs and the current OS user is a superuser role.
# Invoice PDFs (the contract chain emails them) need wkhtmltopdf.
ensure_wkhtmltopdf() {
    if ! command -v wkhtmltopdf >/dev/null 2>&1; then
        info "Installing wkhtmltopdf (invoice PDFs)"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y wkhtmltopdf
    fi
}

ensure_postgres() {
    if ! command -v psql >/dev/null 2>&1 || ! command -v pg_ctlcluster >/dev/null 2>&1; then
        info "Installing PostgreSQL"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql
    fi

    if ! pg_isready -q; then
        info "Starting PostgreSQL"
        if [ -z "$(pg_lsclusters -h 2>/dev/null)" ]; then
            local version
            version="$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)"
            [ -n "$version" ] || die "PostgreSQL server binaries not found in /usr/lib/postgresql."
            as_root pg_createcluster "$version" main
        fi
        local cl_version cl_name cl_status
        while read -r cl_version cl_name _ cl_status _; do
            if [ "$cl_status" != online ]; then
                as_root pg_ctlcluster "$cl_version" "$cl_name" start
            fi
        done < <(pg_lsclusters -h)
        local tries=0
        until pg_isready -q; do
            tries=$((tries + 1))
            [ "$tries" -le 30 ] || die "PostgreSQL did not start (see /var/log/postgresql/)."
            sleep 1
        done
    fi

    local user
    user="$(id -un)"
    if [ "$user" = postgres ]; then
        die "do not run this as the postgres OS user: Odoo refuses the 'postgres' database role."
    fi
    if ! psql -X -q -d postgres -tAc "SELECT 1" >/dev/null 2>&1; then
        info "Creating the PostgreSQL superuser role '$user'"
        as_postgres "createuser --superuser '$user'"
    fi
}

# Make sure a headless Chromium runs the browser tours (HttpCase.start_tour):
# Debian's chromium package when no Chrome or Chromium is found.
ensure_chromium() {
    local browser
    for browser in chromium chromium-browser google-chrome google-chrome-stable; do
        if command -v "$browser" >/dev/null 2>&1; then
            return
        fi
    done
    info "Installing Chromium for the browser tours"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
}

# True when pip knows no "odoo" distribution: Odoo is a source tree (ODOO_SRC)
# or a tree put on python3's path by hand (a .pth file), not a pip install.
odoo_without_pip_metadata() {
    [ "$ODOO_MODE" = src ] ||
        ! python3 -c 'import importlib.metadata as m; m.version("odoo")' >/dev/null 2>&1
}

# Install a requirements file. When pip does not know Odoo as a distribution,
# the odoo-addon-* wheels are installed with --no-deps: their odoo==19.0.*
# requirement is the Odoo found by locate_odoo, which pip cannot see.
pip_install_requirements() {
    local file="$1"
    if odoo_without_pip_metadata && grep -qE '^[[:space:]]*odoo-addon-' "$file"; then
        local addons others
        addons="$(mktemp)"
        others="$(mktemp)"
        grep -E '^[[:space:]]*odoo-addon-' "$file" >"$addons"
        grep -vE '^[[:space:]]*odoo-addon-' "$file" >"$others"
        python3 -m pip install -q --no-deps -r "$addons"
        python3 -m pip install -q -r "$others"
        rm -f "$addons" "$others"
    else
        python3 -m pip install -q -r "$file"
    fi
}

# Comma-separated addons path for Odoo. Sets ADDONS_PATH.
build_addons_path() {
    [ -f "$REPO_ROOT/$ADDON/__manifest__.py" ] ||
        die "$REPO_ROOT/$ADDON/__manifest__.py not found."
    ADDONS_PATH="$REPO_ROOT"
    if [ "$ODOO_MODE" = src ]; then
        local oca_dir
        oca_dir="$(python3 -c 'import importlib.metadata as m; print(m.distribution("odoo-addon-helpdesk_mgmt").locate_file("odoo/addons"))')"
        ADDONS_PATH="$ADDONS_PATH,$ODOO_SRC/addons,$oca_dir"
    fi
}

db_exists() {
    [ "$(psql -X -q -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]
}

# Prints the state of the add-on in database $1 ("" when not there).
addon_state() {
    psql -X -q -d "$1" -tAc "SELECT state FROM ir_module_module WHERE name = '$ADDON'" 2>/dev/null || true
}
