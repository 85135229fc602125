#!/usr/bin/env bash
# Starts the Debian PostgreSQL cluster (no systemd here) and creates the `devops`
# superuser the tests and `make run` connect as. Idempotent.
set -euo pipefail

"$(dirname "$0")/ensure-deb.sh" pg_lsclusters postgresql
version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }

if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -q "^$version main$"; then
  as_postgres true 2>/dev/null || true
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
fi
for _ in $(seq 1 50); do
  as_postgres psql -qtAc 'SELECT 1' >/dev/null 2>&1 && break
  sleep 0.2
done
if ! as_postgres psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'devops'" | grep -q 1; then
  as_postgres psql -qc "CREATE ROLE devops LOGIN SUPERUSER PASSWORD 'devops'"
fi
# Tests create and drop many databases; the Mattermost servers open many connections.
if [ "$(as_postgres psql -qtAc 'SHOW max_connections')" -lt 400 ]; then
  as_postgres psql -qc "ALTER SYSTEM SET max_connections = 400" >/dev/null
  pg_ctlcluster --skip-systemctl-redirect "$version" main restart
fi
