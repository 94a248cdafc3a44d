# shellcheck shell=bash
# Redis: use whatever answers at REDIS_URL's host:port; otherwise run our own redis-server
# (no persistence: it holds queues and caches for development) in $CANDOR_DATA_DIR/redis.

redis_config() {
  url_parse "$REDIS_URL" 6379
  REDIS_HOST=$URL_HOST REDIS_PORT=$URL_PORT
  REDIS_PASS=$(url_decode "$URL_PASS")
  REDIS_DIR=$DATA_DIR/redis
  REDIS_LOG=$REDIS_DIR/redis.log
}

redis_up() {
  redis_config
  local pid args
  already_up redis "$REDIS_DIR" "$REDIS_HOST" "$REDIS_PORT" "$REDIS_LOG" && return 0
  is_local_host "$REDIS_HOST" || die "nothing answers at $REDIS_HOST:$REDIS_PORT and it is not this machine"
  [[ $REDIS_URL != rediss://* ]] || die "can only start a plain (non-TLS) Redis; use a redis:// REDIS_URL"

  stop_stale redis "$REDIS_DIR"
  ensure_pkgs redis-server
  mkdir -p "$REDIS_DIR" "$RUN_DIR"
  rm -f "$(pidfile redis)"
  args=(--daemonize yes --bind "$(bind_addr "$REDIS_HOST")" --port "$REDIS_PORT"
    --dir "$REDIS_DIR" --save "" --appendonly no
    --pidfile "$(pidfile redis)" --logfile "$REDIS_LOG")
  [[ -z $REDIS_PASS ]] || args+=(--requirepass "$REDIS_PASS")
  info "starting redis-server on $REDIS_HOST:$REDIS_PORT"
  # Started without a config file, so /etc/redis/redis.conf does not apply.
  (cd "$REDIS_DIR" && redis-server "${args[@]}" </dev/null >>"$REDIS_LOG" 2>&1 9>&-) ||
    die_with_log "redis-server failed to start" "$REDIS_LOG"
  record_endpoint redis "$REDIS_HOST:$REDIS_PORT"
  wait_until redis "$REDIS_LOG" "" test -s "$(pidfile redis)"
  wait_until redis "$REDIS_LOG" redis port_open "$REDIS_HOST" "$REDIS_PORT"
  info "up at $REDIS_HOST:$REDIS_PORT (started by this script)"
}

redis_down() {
  redis_config
  if stop_managed redis "$REDIS_DIR" 30; then
    info "stopped"
  elif port_open "$REDIS_HOST" "$REDIS_PORT"; then
    info "$REDIS_HOST:$REDIS_PORT is not ours: leaving it running"
  else
    info "not running"
  fi
}

redis_status() {
  redis_config
  show_status redis "$REDIS_HOST:$REDIS_PORT" "$REDIS_HOST" "$REDIS_PORT" redis "$REDIS_DIR"
}
