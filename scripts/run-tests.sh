#!/usr/bin/env bash
# Run the whole test suite of sales_process_automation:
#   1. install the module in two fresh databases, without and with demo data,
#      and fail on any WARNING, ERROR or CRITICAL line in the install logs;
#   2. run the module's tests with pytest-odoo on both databases, the browser
#      tours in a headless Chromium (installed with apt-get when missing);
#   3. run pylint-odoo with the mandatory OCA configuration (.pylintrc-mandatory).
# Logs are kept in .test-logs/. Exit status is 0 only when every step passes.
#
#   ./scripts/run-tests.sh
#   ODOO_SRC=/path/to/odoo ./scripts/run-tests.sh   # Odoo from a source tree
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB_NODEMO=spa_test_nodemo
DB_DEMO=spa_test_demo
LOG_DIR="$REPO_ROOT/.test-logs"
START=$SECONDS

STEP_NAMES=()
STEP_RESULTS=()
record() {
    STEP_NAMES+=("$1")
    STEP_RESULTS+=("$2")
}

locate_odoo
ensure_postgres
ensure_chromium
info "Installing the Python requirements (requirements.txt, requirements-test.txt)"
pip_install_requirements "$REPO_ROOT/requirements.txt"
pip_install_requirements "$REPO_ROOT/requirements-test.txt"
build_addons_path

rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"
cd "$REPO_ROOT"

# install_addon DB [extra odoo options...]: fresh database DB with the add-on.
install_addon() {
    local db="$1"
    shift
    local log="$LOG_DIR/install-$db.log"
    local name="install $ADDON in $db${*:+ $*}"
    if db_exists "$db"; then
        info "Dropping database $db"
        "${ODOO_CMD[@]}" db drop "$db" >"$LOG_DIR/drop-$db.out" 2>&1 ||
            die "cannot drop database $db (see $LOG_DIR/drop-$db.out)"
    fi
    info "Installing $ADDON in a new database $db${*:+ $*} (log: ${log#"$REPO_ROOT"/})"
    local rc=0
    "${ODOO_CMD[@]}" -d "$db" -i "$ADDON" "$@" --stop-after-init \
        --addons-path="$ADDONS_PATH" --http-interface=127.0.0.1 \
        --log-level=info --logfile="$log" >"$LOG_DIR/install-$db.out" 2>&1 || rc=$?
    local ok=1
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: Odoo exited with status $rc; its output ($LOG_DIR/install-$db.out):"
        tail -n 40 "$LOG_DIR/install-$db.out"
        ok=0
    fi
    if [ "$(addon_state "$db")" != installed ]; then
        echo "FAIL: $ADDON is not installed in $db."
        ok=0
    fi
    if grep -E ' (WARNING|ERROR|CRITICAL) ' "$log" >"$LOG_DIR/install-$db.problems"; then
        echo "FAIL: the install log of $db has WARNING/ERROR/CRITICAL lines:"
        cat "$LOG_DIR/install-$db.problems"
        ok=0
    fi
    if [ "$ok" -eq 1 ]; then
        echo "OK: $db installed, clean log."
        record "$name" PASS
    else
        record "$name" FAIL
    fi
    [ "$ok" -eq 1 ]
}

install_addon "$DB_NODEMO" || true
install_addon "$DB_DEMO" --with-demo || true

# pytest-odoo: --odoo-database selects the database, --odoo-addons-path lets
# Odoo import the add-on as odoo.addons.sales_process_automation. The suite
# runs on both databases: it must hold with and without demo data.
PYTEST_SUMMARY=""
run_pytest() {
    local db="$1"
    local log="$LOG_DIR/pytest-$db.log"
    if [ "$(addon_state "$db")" != installed ]; then
        echo "FAIL: pytest not run: $ADDON could not be installed in $db."
        record "pytest $ADDON/tests on $db (not run)" FAIL
        return
    fi
    info "Running the tests with pytest-odoo on $db"
    local rc=0
    python3 -m pytest -p no:cacheprovider \
        --odoo-database="$db" \
        --odoo-addons-path="$ADDONS_PATH" \
        --odoo-log-level=warn \
        --odoo-http \
        --odoo-extra=http-interface=127.0.0.1 \
        "$ADDON/tests" 2>&1 | tee "$log" || rc=$?
    PYTEST_SUMMARY="$PYTEST_SUMMARY
  $db: $(grep -E '^=+ .* =+$' "$log" | tail -n 1 || true)"
    if [ "$rc" -eq 0 ]; then
        record "pytest $ADDON/tests on $db" PASS
    elif [ "$rc" -eq 5 ]; then
        echo "FAIL: pytest collected no test."
        record "pytest $ADDON/tests on $db (no test collected)" FAIL
    else
        record "pytest $ADDON/tests on $db (exit status $rc)" FAIL
    fi
}
run_pytest "$DB_NODEMO"
run_pytest "$DB_DEMO"

info "Running pylint-odoo with .pylintrc-mandatory"
rc=0
python3 -m pylint --rcfile="$REPO_ROOT/.pylintrc-mandatory" --output-format=text \
    "$ADDON" 2>&1 | tee "$LOG_DIR/pylint.log" || rc=$?
if [ "$rc" -eq 0 ]; then
    echo "OK: pylint-odoo found nothing."
    record "pylint-odoo (mandatory checks)" PASS
else
    record "pylint-odoo (mandatory checks, exit status $rc)" FAIL
fi

echo
echo "================ Summary ($((SECONDS - START)) s, logs in .test-logs/) ================"
FAILED=0
for i in "${!STEP_NAMES[@]}"; do
    printf '%-4s  %s\n' "${STEP_RESULTS[$i]}" "${STEP_NAMES[$i]}"
    [ "${STEP_RESULTS[$i]}" = PASS ] || FAILED=1
done
echo "pytest: $PYTEST_SUMMARY"
count_of() {
    cat "$LOG_DIR"/pytest-*.log 2>/dev/null |
        grep -E '^=+ .* in [0-9.]+s.* =+$' |
        grep -oE "[0-9]+ $1" | awk '{ total += $1 } END { print total + 0 }'
}
echo "tests: $(count_of passed) passed, $(count_of failed) failed, $(count_of skipped) skipped"
if [ "$FAILED" -ne 0 ]; then
    echo "RESULT: FAILED"
    exit 1
fi
echo "RESULT: all steps passed"
