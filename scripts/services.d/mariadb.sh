# shellcheck shell=bash
# MariaDB: use whatever answers at MARIADB_URL's host:port; otherwise run our own mariadbd
# with data in $CANDOR_DATA_DIR/mariadb (root with an empty password, also over TCP).

mariadb_config() {
  url_parse "$MARIADB_URL" 3306
  MDB_HOST=$URL_HOST MDB_PORT=$URL_PORT
  MDB_USER=$(url_decode "${URL_USER:-root}")
  MDB_PASS=$(url_decode "$URL_PASS")
  MDB_DB=$(url_decode "${URL_PATH#/}")
  MDB_DIR=$DATA_DIR/mariadb
  MDB_LOG=$MDB_DIR/mariadb.log
  MDB_SOCK=$MDB_DIR/mariadb.sock
}

# Quote for use inside '...' / `...` in SQL.
sql_str() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\'\'}"; }
# shellcheck disable=SC2016  # literal backquotes
sql_id() { printf '`%s`' "${1//\`/\`\`}"; }

mariadb_sql() {
  mariadb --no-defaults --protocol=socket --socket="$MDB_SOCK" -uroot --batch -e "$1" </dev/null
}

# Make MARIADB_URL usable on a server we created: its database, and its user if not root.
mariadb_provision() {
  local sql='' host
  [[ -n $MDB_DB ]] && sql+="CREATE DATABASE IF NOT EXISTS $(sql_id "$MDB_DB") CHARACTER SET utf8mb4;"
  if [[ $MDB_USER != root ]]; then
    for host in localhost 127.0.0.1 ::1; do
      sql+="CREATE USER IF NOT EXISTS $(sql_str "$MDB_USER")@$(sql_str "$host") IDENTIFIED BY $(sql_str "$MDB_PASS");"
      sql+="GRANT ALL ON $(sql_id "${MDB_DB:-*}").* TO $(sql_str "$MDB_USER")@$(sql_str "$host");"
    done
  elif [[ -n $MDB_PASS ]]; then
    warn "MARIADB_URL has a root password; our server's root has none (the password is ignored)"
  fi
  [[ -z $sql ]] || mariadb_sql "$sql" >>"$MDB_LOG" 2>&1 || die_with_log "could not create the database/user" "$MDB_LOG"
}

mariadb_up() {
  mariadb_config
  local pid bin
  already_up mariadb "$MDB_DIR" "$MDB_HOST" "$MDB_PORT" "$MDB_LOG" && return 0
  is_local_host "$MDB_HOST" || die "nothing answers at $MDB_HOST:$MDB_PORT and it is not this machine"
  ((${#MDB_SOCK} < 100)) || die "socket path too long for a unix socket: $MDB_SOCK (use a shorter CANDOR_DATA_DIR)"

  stop_stale mariadb "$MDB_DIR"
  ensure_pkgs mariadb-server mariadb-client
  mkdir -p "$MDB_DIR"
  if [[ ! -d $MDB_DIR/data/mysql ]]; then
    info "initialising a new database in $MDB_DIR/data"
    rm -rf "$MDB_DIR/data"   # leftovers of an interrupted initialisation
    # --no-defaults: ignore the machine's /etc/mysql config, this instance is self-contained.
    mariadb-install-db --no-defaults --datadir="$MDB_DIR/data" --user="$(id -un)" \
      --auth-root-authentication-method=normal --skip-test-db >>"$MDB_LOG" 2>&1 </dev/null ||
      die_with_log "mariadb-install-db failed" "$MDB_LOG"
  fi

  # Debian keeps mariadbd in /usr/sbin, which is not on every user's PATH.
  bin=$(PATH=$PATH:/usr/sbin command -v mariadbd) || die "mariadbd not found"
  info "starting mariadbd on $MDB_HOST:$MDB_PORT (data in $MDB_DIR)"
  # utf8mb4: Debian's packaged config sets it, the compiled-in default (latin1) would not.
  spawn mariadb "$MDB_DIR" "$MDB_LOG" "$bin" --no-defaults \
    --datadir="$MDB_DIR/data" --port="$MDB_PORT" --bind-address="$(bind_addr "$MDB_HOST")" \
    --socket="$MDB_SOCK" --pid-file="$(pidfile mariadb)" --user="$(id -un)" \
    --skip-name-resolve --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci
  record_endpoint mariadb "$MDB_HOST:$MDB_PORT"
  wait_until mariadb "$MDB_LOG" mariadb port_open "$MDB_HOST" "$MDB_PORT"
  mariadb_provision
  info "up at $MDB_HOST:$MDB_PORT (started by this script)"
}

mariadb_down() {
  mariadb_config
  if stop_managed mariadb "$MDB_DIR" 60; then
    info "stopped"
  elif port_open "$MDB_HOST" "$MDB_PORT"; then
    info "$MDB_HOST:$MDB_PORT is not ours: leaving it running"
  else
    info "not running"
  fi
}

mariadb_status() {
  mariadb_config
  show_status mariadb "$MDB_HOST:$MDB_PORT" "$MDB_HOST" "$MDB_PORT" mariadb "$MDB_DIR"
}
