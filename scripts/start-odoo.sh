#!/usr/bin/env bash
# Start Odoo 19.0 with sales_process_automation and its demo data on
# http://127.0.0.1:8069 (sign in as admin / admin).
#
#   ./scripts/start-odoo.sh
#   ODOO_SRC=/path/to/odoo ./scripts/start-odoo.sh   # Odoo from a source tree
#   SPA_DB=other_db ./scripts/start-odoo.sh          # another database name
#
# The database is created with demo data the first time; later runs update the
# module in it. Stop the server with Ctrl+C.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${SPA_DB:-sales_process_demo}"
HTTP_INTERFACE=127.0.0.1
HTTP_PORT=8069

locate_odoo

if (exec 3<>"/dev/tcp/$HTTP_INTERFACE/$HTTP_PORT") 2>/dev/null; then
    die "port $HTTP_PORT on $HTTP_INTERFACE is already in use: is Odoo already running? Stop it first."
fi

ensure_postgres
ensure_wkhtmltopdf
info "Installing the Python requirements (requirements.txt)"
pip_install_requirements "$REPO_ROOT/requirements.txt"
build_addons_path

COMMON_ARGS=(
    -d "$DB"
    --db-filter="^${DB}\$"
    --addons-path="$ADDONS_PATH"
    --http-interface="$HTTP_INTERFACE"
    --http-port="$HTTP_PORT"
)

if db_exists "$DB" && [ "$(addon_state "$DB")" = installed ]; then
    info "Updating $ADDON in database $DB"
    "${ODOO_CMD[@]}" "${COMMON_ARGS[@]}" -u "$ADDON" --stop-after-init
else
    info "Creating database $DB with $ADDON and demo data (takes a few minutes)"
    "${ODOO_CMD[@]}" "${COMMON_ARGS[@]}" -i "$ADDON" --with-demo --stop-after-init
fi

[ "$(addon_state "$DB")" = installed ] ||
    die "$ADDON is not installed in database $DB: see the log above."

cat <<EOF

============================================================
 Odoo is starting with $ADDON.
   URL:      http://$HTTP_INTERFACE:$HTTP_PORT
   Database: $DB
   Login:    admin
   Password: admin
 Stop it with Ctrl+C.
============================================================

EOF

exec "${ODOO_CMD[@]}" "${COMMON_ARGS[@]}"
