# Sourced by test.sh: a throwaway PostgreSQL server for the tests that need one.
# postgres_start: initdb into a temporary folder, start on a free port of 127.0.0.1 (its unix socket in
# that folder, password authentication with a random password) and export ENGRAM_TEST_POSTGRES, the
# connection string the tests read. postgres_stop: stop the server and remove the folder.
# Without PostgreSQL the tests that need it skip locally and fail under CI=true.

_pg_folder=""
_pg_bin=""
_pg_as=()

_pg_find_bin() {
  if [ -n "${ENGRAM_PG_BIN:-}" ]; then echo "$ENGRAM_PG_BIN"; return; fi
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  done
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(command -v pg_ctl)"; fi
}

_pg_port_free() {
  # Something listens when the connection succeeds.
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

postgres_start() {
  _pg_bin=$(_pg_find_bin)
  if [ -z "$_pg_bin" ]; then
    echo "test.sh: PostgreSQL (initdb, pg_ctl) not found; the PostgreSQL tests will skip (they fail under CI=true)" >&2
    return 0
  fi
  _pg_folder=$(mktemp -d "${TMPDIR:-/tmp}/engram-pg.XXXXXX")
  # initdb refuses to run as root: run the server as the postgres system user then.
  if [ "$(id -u)" -eq 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      echo "test.sh: running as root and there is no 'postgres' user to run PostgreSQL as" >&2
      return 1
    fi
    chown postgres "$_pg_folder"
    _pg_as=(runuser -u postgres --)
  fi
  chmod 700 "$_pg_folder"
  local password
  password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  printf '%s\n' "$password" > "$_pg_folder/pwfile"
  [ "$(id -u)" -eq 0 ] && chown postgres "$_pg_folder/pwfile"
  if ! "${_pg_as[@]}" "$_pg_bin/initdb" -D "$_pg_folder/data" -U engram --pwfile="$_pg_folder/pwfile" \
      -A scram-sha-256 -E UTF8 --locale=C --no-sync >"$_pg_folder/initdb.log" 2>&1; then
    cat "$_pg_folder/initdb.log" >&2
    echo "test.sh: initdb failed" >&2
    return 1
  fi
  rm -f "$_pg_folder/pwfile"
  local attempt port
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    _pg_port_free "$port" || continue
    # Durability settings off: the data is thrown away, and the tests must not wait on the disk.
    if "${_pg_as[@]}" "$_pg_bin/pg_ctl" -D "$_pg_folder/data" -l "$_pg_folder/server.log" -w -t 30 start \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$_pg_folder -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        >/dev/null 2>&1; then
      export ENGRAM_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=engram;Password=$password;Database=postgres"
      echo "test.sh: PostgreSQL $("$_pg_bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port (data in $_pg_folder)"
      return 0
    fi
  done
  cat "$_pg_folder/server.log" >&2 2>/dev/null
  echo "test.sh: PostgreSQL did not start" >&2
  return 1
}

postgres_stop() {
  [ -n "$_pg_folder" ] || return 0
  if [ -d "$_pg_folder/data" ]; then
    "${_pg_as[@]}" "$_pg_bin/pg_ctl" -D "$_pg_folder/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$_pg_folder"
  _pg_folder=""
}
