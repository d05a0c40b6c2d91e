#!/usr/bin/env bash
# Install (if needed) and start a PostgreSQL server on localhost for the multi-worker tests,
# create a user and a database for them, and hand their URL to the tests.
#
# Usage (from the repository root):
#   source .ci/postgres.sh                                   # exports AUTOMETA_TEST_POSTGRES_URL
#   export AUTOMETA_TEST_POSTGRES_URL="$(bash .ci/postgres.sh)"   # URL on stdout, logs on stderr
#   bash .ci/postgres.sh stop                                # stop the server this script started
#
# Root-safe: the server runs as the "postgres" system user (Debian's pg_ctlcluster, or
# initdb/pg_ctl through runuser/sudo where pg_ctlcluster is missing).  Idempotent: running it
# again reuses the running server, the user and the database.
#
# Settings (environment): AUTOMETA_PG_USER (autometa), AUTOMETA_PG_PASSWORD (autometa),
# AUTOMETA_PG_DB (autometa_test), AUTOMETA_PG_PORT (the cluster's port, else 5432),
# AUTOMETA_PG_MODE=initdb (a private server in /tmp/autometa-pg instead of Debian's cluster).

_autometa_pg() (
    set -euo pipefail
    action="${1:-start}"
    user="${AUTOMETA_PG_USER:-autometa}"
    password="${AUTOMETA_PG_PASSWORD:-autometa}"
    db="${AUTOMETA_PG_DB:-autometa_test}"
    datadir_fallback="/tmp/autometa-pg/data"

    log() { echo "[postgres.sh] $*" >&2; }
    as_postgres() {
        if [ "$(id -u)" = 0 ]; then
            if command -v runuser >/dev/null; then runuser -u postgres -- "$@"
            else su postgres -s /bin/sh -c "$(printf '%q ' "$@")"; fi
        else
            sudo -u postgres "$@"
        fi
    }
    as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

    if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
        log "installing postgresql with apt-get"
        as_root apt-get update >&2
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y postgresql >&2
    fi
    version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    bin="/usr/lib/postgresql/${version}/bin"

    if command -v pg_ctlcluster >/dev/null && [ "${AUTOMETA_PG_MODE:-}" != initdb ]; then
        if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
            log "creating cluster ${version}/main"
            as_root pg_createcluster "$version" main >&2
        fi
        port="${AUTOMETA_PG_PORT:-$(pg_lsclusters -h | awk -v v="$version" \
            '$1 == v && $2 == "main" {print $3}')}"
        if [ "$action" = stop ]; then
            as_root pg_ctlcluster "$version" main stop >&2 || true
            log "stopped cluster ${version}/main"
            return 0
        fi
        if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' \
                | grep -q online; then
            log "starting cluster ${version}/main on port ${port}"
            as_root pg_ctlcluster "$version" main start >&2
        fi
        socket_dir=/var/run/postgresql
    else
        port="${AUTOMETA_PG_PORT:-5432}"
        socket_dir=/tmp
        if [ "$action" = stop ]; then
            as_postgres "$bin/pg_ctl" -D "$datadir_fallback" stop -m fast >&2 || true
            return 0
        fi
        if [ ! -f "$datadir_fallback/PG_VERSION" ]; then
            as_root mkdir -p "$datadir_fallback"
            as_root chown -R postgres "$(dirname "$datadir_fallback")"
            as_postgres "$bin/initdb" -D "$datadir_fallback" --auth-local=peer \
                --auth-host=scram-sha-256 >&2
        fi
        if ! as_postgres "$bin/pg_ctl" -D "$datadir_fallback" status >/dev/null 2>&1; then
            as_postgres "$bin/pg_ctl" -D "$datadir_fallback" -l "$datadir_fallback/log" \
                -o "-p $port -k $socket_dir -c listen_addresses=localhost" -w start >&2
        fi
    fi

    for _ in $(seq 1 30); do
        if "$bin/pg_isready" -q -h localhost -p "$port"; then break; fi
        sleep 1
    done
    "$bin/pg_isready" -h localhost -p "$port" >&2

    psql_admin() { as_postgres "$bin/psql" -h "$socket_dir" -p "$port" -v ON_ERROR_STOP=1 -qtA "$@"; }
    if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '${user}'")" != 1 ]; then
        log "creating role ${user}"
        psql_admin -c "CREATE ROLE \"${user}\" LOGIN PASSWORD '${password}'" >&2
    else
        psql_admin -c "ALTER ROLE \"${user}\" LOGIN PASSWORD '${password}'" >&2
    fi
    if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '${db}'")" != 1 ]; then
        log "creating database ${db}"
        psql_admin -c "CREATE DATABASE \"${db}\" OWNER \"${user}\"" >&2
    fi
    url="postgresql://${user}:${password}@localhost:${port}/${db}"  # as users write it
    PGPASSWORD="$password" "$bin/psql" -h localhost -p "$port" -U "$user" -d "$db" -qtA \
        -c "SELECT 1" >/dev/null
    log "ready: ${url}"
    echo "$url"
)

if [ "${BASH_SOURCE[0]}" != "${0}" ]; then  # sourced: start, export into the caller's shell
    if _autometa_url="$(_autometa_pg start)"; then
        export AUTOMETA_TEST_POSTGRES_URL="$_autometa_url"
        echo "[postgres.sh] exported AUTOMETA_TEST_POSTGRES_URL" >&2
        unset _autometa_url
    else
        echo "[postgres.sh] PostgreSQL setup failed" >&2
        unset _autometa_url
        return 1
    fi
elif [ "${1:-start}" = stop ]; then
    _autometa_pg stop
else
    _autometa_pg start
fi
