#!/usr/bin/env bash
# Run the whole test suite of sales_process_automation:
#   1. install the module in three fresh databases: without demo data, with
#      demo data, and with demo data beside the OCA modules companies run with
#      it (the coexistence database); fail on any WARNING, ERROR or CRITICAL
#      line in the install logs;
#   2. upgrade check: install the previous release (from this repository's
#      history) with demo data, give it SLA events, a stage-skip request and a
#      contract chain, upgrade it to this code, and fail when a record, a
#      renamed field's value or a report figure is lost or changed;
#   3. run the module's tests with pytest-odoo on the three databases, the
#      browser tours in a headless Chromium (installed with apt-get when missing);
#   4. check that README.rst and the add-on's README.rst render without any
#      docutils error or warning;
#   5. check that the .pot is up to date (against one exported from the demo
#      database) and that zh_CN, ru and fr are complete, nothing untranslated or
#      fuzzy (scripts/check_translations.py; SPA_CHECK_TRANSLATIONS=0 skips it);
#   6. run pylint-odoo with the mandatory OCA configuration (.pylintrc-mandatory);
#   7. run ruff (ruff.toml, OCA's configuration) on the whole repository: no
#      finding, every file formatted.
# Logs are kept in .test-logs/. Exit status is 0 only when every step passes.
#
#   ./scripts/run-tests.sh
#   ODOO_SRC=/path/to/odoo ./scripts/run-tests.sh   # Odoo from a source tree
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB_NODEMO=spa_test_nodemo
DB_DEMO=spa_test_demo
DB_COEXIST=spa_test_coexist
DB_UPGRADE=spa_test_upgrade
# OCA modules installed beside the add-on in the coexistence database
COEXIST_MODULES="sale_tier_validation,helpdesk_mgmt_sla,helpdesk_mgmt_crm,helpdesk_mgmt_sale,crm_stage_probability,helpdesk_mgmt_rating"
# The release whose databases must upgrade to this code
PREVIOUS_RELEASE=19.0.1.0.0
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

drop_db() {
    if db_exists "$1"; then
        info "Dropping database $1"
        "${ODOO_CMD[@]}" db drop "$1" >"$LOG_DIR/drop-$1.out" 2>&1 ||
            die "cannot drop database $1 (see $LOG_DIR/drop-$1.out)"
    fi
}

# run_odoo STEP DB ADDONS_PATH [odoo options...]: Odoo with --stop-after-init,
# logging to $LOG_DIR/STEP-DB.log; fails (with what went wrong) when Odoo
# fails or its log has a WARNING, ERROR or CRITICAL line.
run_odoo() {
    local step="$1" db="$2" addons_path="$3"
    shift 3
    local log="$LOG_DIR/$step-$db.log" out="$LOG_DIR/$step-$db.out"
    local rc=0
    "${ODOO_CMD[@]}" -d "$db" "$@" --stop-after-init \
        --addons-path="$addons_path" --http-interface=127.0.0.1 \
        --log-level=info --logfile="$log" >"$out" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: Odoo exited with status $rc; its output ($out):"
        tail -n 40 "$out"
        return 1
    fi
    if grep -E ' (WARNING|ERROR|CRITICAL) ' "$log" >"$LOG_DIR/$step-$db.problems"; then
        echo "FAIL: the $step log of $db has WARNING/ERROR/CRITICAL lines:"
        cat "$LOG_DIR/$step-$db.problems"
        return 1
    fi
}

# install_addon DB MODULES [extra odoo options...]: fresh database DB with
# the modules (the add-on and any other) installed.
install_addon() {
    local db="$1" modules="$2"
    shift 2
    local name="install $modules in $db${*:+ $*}"
    drop_db "$db"
    info "Installing $modules in a new database $db${*:+ $*} (log: .test-logs/install-$db.log)"
    local ok=1
    run_odoo install "$db" "$ADDONS_PATH" -i "$modules" "$@" || ok=0
    if [ "$(addon_state "$db")" != installed ]; then
        echo "FAIL: $ADDON is not installed in $db."
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

# upgrade_check: the previous release, with demo data and seeded records,
# upgraded to this code keeps its records, renamed values and report figures.
upgrade_check() {
    local name="upgrade $ADDON $PREVIOUS_RELEASE -> HEAD in $DB_UPGRADE"
    local manifest="$ADDON/__manifest__.py" removed previous
    removed="$(git -C "$REPO_ROOT" log -1 --format=%H -S"\"version\": \"$PREVIOUS_RELEASE\"" -- "$manifest" 2>/dev/null || true)"
    if [ -z "$removed" ] || ! previous="$(git -C "$REPO_ROOT" rev-parse -q --verify "$removed^" 2>/dev/null)"; then
        echo "FAIL: release $PREVIOUS_RELEASE not found in the git history (a shallow clone?)."
        record "$name" FAIL
        return
    fi
    local old_tree="$LOG_DIR/previous-release"
    mkdir -p "$old_tree"
    git -C "$REPO_ROOT" archive "$previous" "$ADDON" | tar -x -C "$old_tree"
    local old_path="$old_tree${ADDONS_PATH#"$REPO_ROOT"}"
    drop_db "$DB_UPGRADE"
    info "Installing release $PREVIOUS_RELEASE (${previous:0:7}) with demo data in $DB_UPGRADE"
    local ok=1
    run_odoo install "$DB_UPGRADE" "$old_path" -i "$ADDON" --with-demo || ok=0
    if [ "$ok" -eq 1 ]; then
        info "Seeding SLA events, a stage-skip request and a contract chain"
        "${ODOO_CMD[@]}" shell -d "$DB_UPGRADE" --addons-path="$old_path" --no-http \
            --log-level=warn <"$REPO_ROOT/scripts/upgrade_seed.py" \
            >"$LOG_DIR/seed-$DB_UPGRADE.out" 2>&1 || ok=0
        grep -q "upgrade seed: done" "$LOG_DIR/seed-$DB_UPGRADE.out" || {
            echo "FAIL: seeding $DB_UPGRADE failed ($LOG_DIR/seed-$DB_UPGRADE.out):"
            tail -n 30 "$LOG_DIR/seed-$DB_UPGRADE.out"
            ok=0
        }
    fi
    if [ "$ok" -eq 1 ]; then
        python3 "$REPO_ROOT/scripts/upgrade_check.py" snapshot "$DB_UPGRADE" before \
            "$LOG_DIR/upgrade-before.json" || ok=0
    fi
    if [ "$ok" -eq 1 ]; then
        info "Upgrading $DB_UPGRADE to this code (log: .test-logs/upgrade-$DB_UPGRADE.log)"
        run_odoo upgrade "$DB_UPGRADE" "$ADDONS_PATH" -u "$ADDON" || ok=0
    fi
    if [ "$ok" -eq 1 ]; then
        python3 "$REPO_ROOT/scripts/upgrade_check.py" snapshot "$DB_UPGRADE" after \
            "$LOG_DIR/upgrade-after.json" "$LOG_DIR/upgrade-before.json" &&
            python3 "$REPO_ROOT/scripts/upgrade_check.py" compare \
                "$LOG_DIR/upgrade-before.json" "$LOG_DIR/upgrade-after.json" || ok=0
    fi
    if [ "$ok" -eq 1 ]; then
        echo "OK: $DB_UPGRADE upgraded, clean log, records and figures kept."
        record "$name" PASS
    else
        echo "FAIL: the upgrade check of $DB_UPGRADE failed (see above)."
        record "$name" FAIL
    fi
}

install_addon "$DB_NODEMO" "$ADDON" || true
install_addon "$DB_DEMO" "$ADDON" --with-demo || true
install_addon "$DB_COEXIST" "$ADDON,$COEXIST_MODULES" --with-demo || true
upgrade_check

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
run_pytest "$DB_COEXIST"

# The READMEs render without any docutils error or warning
info "Checking that README.rst and $ADDON/README.rst render cleanly"
rc=0
python3 -c '
import sys
import docutils.core
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as readme:
        docutils.core.publish_doctree(
            readme.read(),
            source_path=path,
            settings_overrides={"halt_level": 2, "report_level": 2},
        )
    print("OK: " + path + " renders cleanly.")
' README.rst "$ADDON/README.rst" 2>&1 | tee "$LOG_DIR/readme.log" || rc=$?
if [ "$rc" -eq 0 ]; then
    record "README.rst and $ADDON/README.rst render without warnings" PASS
else
    record "README.rst and $ADDON/README.rst render without warnings" FAIL
fi

# Translations: the .pot is up to date and the catalogues complete
# (SPA_CHECK_TRANSLATIONS=0 skips it while a change is being translated).
if [ "${SPA_CHECK_TRANSLATIONS:-1}" = 1 ]; then
    info "Checking the translations against a .pot exported from $DB_DEMO"
    rc=0
    if [ "$(addon_state "$DB_DEMO")" != installed ]; then
        echo "FAIL: $ADDON is not installed in $DB_DEMO: nothing to export."
        rc=1
    else
        "${ODOO_CMD[@]}" --addons-path="$ADDONS_PATH" i18n export -d "$DB_DEMO" \
            -o "$LOG_DIR/exported.pot" "$ADDON" >"$LOG_DIR/i18n-export.out" 2>&1 || rc=$?
        [ "$rc" -eq 0 ] || tail -n 20 "$LOG_DIR/i18n-export.out"
    fi
    if [ "$rc" -eq 0 ]; then
        python3 "$REPO_ROOT/scripts/check_translations.py" "$LOG_DIR/exported.pot" \
            "$ADDON/i18n" 2>&1 | tee "$LOG_DIR/translations.log" || rc=$?
    fi
    if [ "$rc" -eq 0 ]; then
        record "translations (.pot up to date, zh_CN, ru, fr complete)" PASS
    else
        record "translations (.pot up to date, zh_CN, ru, fr complete)" FAIL
    fi
fi

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

info "Running ruff check and ruff format --check (ruff.toml)"
rc=0
# --no-fix: ruff.toml fixes by default, CI only reports
{ python3 -m ruff check --no-fix --output-format concise "$REPO_ROOT" &&
    python3 -m ruff format --check "$REPO_ROOT"; } 2>&1 |
    tee "$LOG_DIR/ruff.log" || rc=$?
if [ "$rc" -eq 0 ]; then
    record "ruff (lint and format)" PASS
else
    record "ruff (lint and format, exit status $rc)" FAIL
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
