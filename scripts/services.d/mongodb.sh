# shellcheck shell=bash
# MongoDB: optional. Debian has no MongoDB package, so use one that answers at MONGODB_URL,
# or a `mongod` found on PATH; otherwise just say so (the tests use a wire-protocol double).

MONGODB_NOTE="no MongoDB server: set MONGODB_URL to one; the tests use the wire-protocol test double under test/"

mongodb_config() {
  local url=$MONGODB_URL
  MONGO_SRV=0
  [[ $url == mongodb+srv://* ]] && MONGO_SRV=1
  # A replica-set URL lists several hosts; probing the first one is enough here.
  if [[ $url == *,* ]]; then
    local scheme=${url%%://*} rest=${url#*://}
    local auth=
    [[ $rest == *@* ]] && auth=${rest%%@*}@ && rest=${rest#*@}
    url="$scheme://$auth${rest%%,*}"
  fi
  url_parse "$url" 27017
  MONGO_HOST=$URL_HOST MONGO_PORT=$URL_PORT
  MONGO_DIR=$DATA_DIR/mongodb
  MONGO_LOG=$MONGO_DIR/mongod.log
}

mongodb_up() {
  mongodb_config
  local pid
  if ((MONGO_SRV)); then
    info "MONGODB_URL is a mongodb+srv:// URL: not probed, nothing to start"
    return 0
  fi
  already_up mongodb "$MONGO_DIR" "$MONGO_HOST" "$MONGO_PORT" "$MONGO_LOG" && return 0
  if ! is_local_host "$MONGO_HOST" || ! command -v mongod >/dev/null; then
    info "$MONGODB_NOTE"
    return 0
  fi
  stop_stale mongodb "$MONGO_DIR"
  mkdir -p "$MONGO_DIR/db" "$RUN_DIR"
  info "starting mongod on $MONGO_HOST:$MONGO_PORT"
  # --fork returns once the server accepts connections (or failed).
  (cd "$MONGO_DIR" && mongod --dbpath "$MONGO_DIR/db" --port "$MONGO_PORT" \
    --bind_ip "$(bind_addr "$MONGO_HOST")" --fork --logpath "$MONGO_LOG" --logappend \
    --pidfilepath "$(pidfile mongodb)" </dev/null >>"$MONGO_DIR/mongod.stdout" 2>&1 9>&-) ||
    die_with_log "mongod failed to start" "$MONGO_LOG"
  record_endpoint mongodb "$MONGO_HOST:$MONGO_PORT"
  wait_until mongodb "$MONGO_LOG" mongodb port_open "$MONGO_HOST" "$MONGO_PORT"
  info "up at $MONGO_HOST:$MONGO_PORT (started by this script)"
}

mongodb_down() {
  mongodb_config
  if stop_managed mongodb "$MONGO_DIR" 60; then
    info "stopped"
  elif ((!MONGO_SRV)) && port_open "$MONGO_HOST" "$MONGO_PORT"; then
    info "$MONGO_HOST:$MONGO_PORT is not ours: leaving it running"
  else
    info "not running"
  fi
}

mongodb_status() {
  mongodb_config
  if ((MONGO_SRV)); then
    status_line mongodb "(mongodb+srv)" "?" "no"
    return 1
  fi
  show_status mongodb "$MONGO_HOST:$MONGO_PORT" "$MONGO_HOST" "$MONGO_PORT" mongodb "$MONGO_DIR" ||
    { info "$MONGODB_NOTE" >&2; return 1; }
}
