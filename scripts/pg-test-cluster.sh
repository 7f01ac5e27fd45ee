#!/usr/bin/env bash
# A throw-away PostgreSQL 15 cluster for the tests (trust auth on loopback
# only, fsync off: never for real data).
#   scripts/pg-test-cluster.sh start DIR   initdb in DIR, start on a free loopback port,
#                                          print postgresql://postgres@127.0.0.1:PORT/postgres
#   scripts/pg-test-cluster.sh stop DIR    stop the cluster and remove DIR
#   scripts/pg-test-cluster.sh pause DIR   stop the server, keeping its data (a database outage)
#   scripts/pg-test-cluster.sh resume DIR  start it again on the same port
# The server runs as the `postgres` user when started as root (it refuses root).
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
[[ -x $PG_BIN/initdb ]] || { echo "pg-test-cluster: no PostgreSQL server found (apt-get install postgresql-15)" >&2; exit 1; }

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A random loopback port in the ephemeral range that nothing answers on.
free_port() {
  local port
  for _ in $(seq 50); do
    port=$((32768 + RANDOM % 28000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  echo "pg-test-cluster: no free port found" >&2; return 1
}

# Loopback only, socket in the private directory, no durability (tests).
start_server() {
  as_pg "$PG_BIN/pg_ctl" -D "$1/data" -l "$1/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $2 -k $1/socket -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null || { cat "$1/server.log" >&2; exit 1; }
}

cmd=${1:-}; dir=${2:-}
[[ -n $cmd && -n $dir ]] || { sed -n '4,9p' "$0" >&2; exit 2; }

case $cmd in
  start)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    mkdir -p "$dir/data" "$dir/socket"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir/data" "$dir/socket"
    chmod 700 "$dir/data"
    as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    echo "$port" > "$dir/port"
    start_server "$dir" "$port"
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  pause)
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    start_server "$dir" "$(cat "$dir/port")"
    ;;
  stop)
    if [[ -f $dir/data/postmaster.pid ]]; then
      as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) sed -n '4,9p' "$0" >&2; exit 2 ;;
esac
