# shellcheck shell=bash
# The "s3" service: OpenStack Swift with the s3api middleware, the only S3 server packaged
# for Debian that checks request signatures. Single node, one replica, everything under
# $CANDOR_DATA_DIR/swift:
#   etc/      generated configs, rings, ports.env and hash.env (created once, kept)
#   devices/  the one storage "device" (a plain directory)
#   log/      one log per process
# Processes: memcached (tempauth tokens, proxy cache), account, container, object, proxy.

# Debian's Swift lives in the system python; a pyenv/venv python3 earlier on PATH lacks it.
SWIFT_PYTHON=/usr/bin/python3
SWIFT_TEMPLATES=$LIB/swift
SWIFT_BACKENDS=(account container object)
SWIFT_PART_POWER=8   # 256 partitions: plenty for one device, quick to build

s3_config() {
  local default_port=80
  [[ $S3_ENDPOINT == https://* ]] && default_port=443
  url_parse "$S3_ENDPOINT" "$default_port"
  S3_HOST=$URL_HOST S3_PORT=$URL_PORT S3_SCHEME=$URL_SCHEME
  S3_URL="$S3_SCHEME://$S3_HOST:$S3_PORT"
  [[ $S3_HOST == *:* ]] && S3_URL="$S3_SCHEME://[$S3_HOST]:$S3_PORT"
  SW_DIR=$DATA_DIR/swift
  SW_ETC=$SW_DIR/etc
  SW_LOG=$SW_DIR/log
}

# ---------------------------------------------------------------- buckets

# Create the buckets unless they exist, with SigV4-signed S3 requests (see s3-buckets.py).
s3_ensure_buckets() {
  local py=$SWIFT_PYTHON out rc=0
  [[ -x $py ]] || py=$(command -v python3) || { warn "no python3: cannot check the buckets"; return 1; }
  out=$(S3_ENDPOINT=$S3_URL "$py" "$SWIFT_TEMPLATES/s3-buckets.py" "$S3_BUCKET" "$S3_ARTIFACTS_BUCKET" 2>&1) || rc=$?
  [[ -z $out ]] || printf '%s\n' "$out" | while IFS= read -r line; do info "$line"; done
  return "$rc"
}

# ---------------------------------------------------------------- setup

# Backend and memcached ports: the first free block of four from 6200 up (or $SWIFT_PORT_BASE),
# chosen on first setup and kept in etc/ports.env because the rings record them.
s3_ports() {
  local f=$SW_ETC/ports.env base p free
  if [[ ! -s $f ]]; then
    for ((base = ${SWIFT_PORT_BASE:-6200}; base < 65000; base += 10)); do
      free=1
      for ((p = base; p < base + 4; p++)); do
        if ((p == S3_PORT)) || port_open 127.0.0.1 "$p"; then free=0; break; fi
      done
      ((free)) && break
    done
    ((free)) || die "no free ports for the Swift backends"
    printf 'SWIFT_OBJECT_PORT=%d\nSWIFT_CONTAINER_PORT=%d\nSWIFT_ACCOUNT_PORT=%d\nSWIFT_MEMCACHED_PORT=%d\n' \
      "$base" $((base + 1)) $((base + 2)) $((base + 3)) >"$f"
  fi
  # shellcheck disable=SC1090
  . "$f"
}

# Object placement depends on the hash prefix/suffix: generate once, never change.
s3_hash() {
  local f=$SW_ETC/hash.env
  if [[ ! -s $f ]]; then
    printf 'SWIFT_HASH_PREFIX=%s\nSWIFT_HASH_SUFFIX=%s\n' \
      "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" >"$f"
  fi
  # shellcheck disable=SC1090
  . "$f"
}

b64_nopad() { printf '%s' "$1" | base64 -w0 | tr -d '='; }

# Write configs; sets SW_CHANGED to the components whose config changed (they need a restart).
s3_write_configs() {
  local account user secret c
  [[ $S3_ACCESS_KEY_ID == ?*:?* ]] || die "S3_ACCESS_KEY_ID must be '<account>:<user>' for Swift's tempauth (got '$S3_ACCESS_KEY_ID')"
  [[ $S3_SECRET_ACCESS_KEY =~ ^[^[:space:]]+$ ]] || die "S3_SECRET_ACCESS_KEY must be non-empty without whitespace"
  account=${S3_ACCESS_KEY_ID%%:*}
  user=${S3_ACCESS_KEY_ID#*:}
  secret=$S3_SECRET_ACCESS_KEY   # Swift reads these values raw: no '%' escaping
  local common=(USER="$(id -un)" ETC="$SW_ETC" DEVICES="$SW_DIR/devices"
    ACCOUNT_PORT="$SWIFT_ACCOUNT_PORT" CONTAINER_PORT="$SWIFT_CONTAINER_PORT" OBJECT_PORT="$SWIFT_OBJECT_PORT")

  SW_CHANGED=()
  if render "$SWIFT_TEMPLATES/swift.conf.in" "$SW_ETC/swift.conf" \
    HASH_PREFIX="$SWIFT_HASH_PREFIX" HASH_SUFFIX="$SWIFT_HASH_SUFFIX"; then
    SW_CHANGED=("${SWIFT_BACKENDS[@]}" proxy)
  fi
  for c in "${SWIFT_BACKENDS[@]}"; do
    render "$SWIFT_TEMPLATES/$c-server.conf.in" "$SW_ETC/$c-server.conf" "${common[@]}" && SW_CHANGED+=("$c")
  done
  # The proxy config holds the secret: keep it private.
  local mask
  mask=$(umask)
  umask 077
  render "$SWIFT_TEMPLATES/proxy-server.conf.in" "$SW_ETC/proxy-server.conf" "${common[@]}" \
    BIND_IP="$(bind_addr "$S3_HOST")" PROXY_PORT="$S3_PORT" REGION="$S3_REGION" \
    MEMCACHED_PORT="$SWIFT_MEMCACHED_PORT" SECRET="$secret" \
    ACCOUNT_B64="$(b64_nopad "$account")" USER_B64="$(b64_nopad "$user")" && SW_CHANGED+=(proxy)
  umask "$mask"
  return 0
}

# Rings: one device, one replica. Rebuilt (cheap, and placement-neutral with a single device)
# only when the backend ports they record change.
s3_rings() {
  local stamp=$SW_ETC/rings.stamp want c pids=() failed=0
  want="v1 $SWIFT_PART_POWER $SWIFT_ACCOUNT_PORT $SWIFT_CONTAINER_PORT $SWIFT_OBJECT_PORT"
  if [[ -f $stamp && "$(<"$stamp")" == "$want" ]] &&
    [[ -f $SW_ETC/account.ring.gz && -f $SW_ETC/container.ring.gz && -f $SW_ETC/object.ring.gz ]]; then
    return 1
  fi
  info "building rings"
  rm -f "$stamp"
  rm -rf "$SW_ETC/backups"
  # Each swift-ring-builder call costs ~1s of Python start-up: build the three in parallel.
  for c in "${SWIFT_BACKENDS[@]}"; do
    s3_build_ring "$c" >>"$SW_LOG/rings.log" 2>&1 9>&- &
    pids+=($!)
  done
  for c in "${pids[@]}"; do wait "$c" || failed=1; done
  ((!failed)) || die_with_log "swift-ring-builder failed" "$SW_LOG/rings.log"
  echo "$want" >"$stamp"
}

# s3_build_ring account|container|object (runs in a subshell: exit codes, no die)
s3_build_ring() {
  local c=$1 port=SWIFT_${1^^}_PORT builder=$SW_ETC/$1.builder rc=0
  rm -f "$builder" "$SW_ETC/$c.ring.gz"
  "$SWIFT_PYTHON" /usr/bin/swift-ring-builder "$builder" create "$SWIFT_PART_POWER" 1 1 || return
  "$SWIFT_PYTHON" /usr/bin/swift-ring-builder "$builder" add \
    --region 1 --zone 1 --ip 127.0.0.1 --port "${!port}" --device d1 --weight 100 || return
  # Exit status 1 means "finished with warnings" (e.g. fewer devices than ideal): fine here.
  "$SWIFT_PYTHON" /usr/bin/swift-ring-builder "$builder" rebalance || rc=$?
  ((rc <= 1))
}

# ---------------------------------------------------------------- processes

s3_start_memcached() {
  local user_args=()
  ((EUID == 0)) && user_args=(-u root)   # memcached refuses to run as root without it
  spawn swift-memcached "$SW_DIR" "$SW_LOG/memcached.log" \
    memcached -l 127.0.0.1 -p "$SWIFT_MEMCACHED_PORT" -U 0 -m 64 "${user_args[@]}"
}

s3_start_server() {
  local c=$1
  spawn "swift-$c" "$SW_DIR" "$SW_LOG/$c.log" \
    "$SWIFT_PYTHON" "$SWIFT_TEMPLATES/swift-server.py" "$c-server" "$SW_ETC/$c-server.conf"
}

# GET /healthcheck answers "OK". Plain bash: curl is not on a minimal Debian.
proxy_healthy() {
  # shellcheck disable=SC2016  # $1/$2 expand in the inner bash
  timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" &&
    printf "GET /healthcheck HTTP/1.0\r\nHost: %s\r\n\r\n" "$1" >&3 && grep -q "^OK" <&3' \
    _ "$S3_HOST" "$S3_PORT" 2>/dev/null
}

# Everything this script may have started for s3, in stop order.
S3_PROCS=(proxy object container account memcached)

s3_pids() {
  local p pid out=()
  for p in "${S3_PROCS[@]}"; do
    pid=$(managed_pid "swift-$p" "$SW_DIR") && out+=("$p:$pid")
  done
  echo "${out[*]}"
}

# ---------------------------------------------------------------- commands

s3_up() {
  s3_config
  local c port started=0

  if ! managed_pid swift-proxy "$SW_DIR" >/dev/null && port_open "$S3_HOST" "$S3_PORT"; then
    info "up at $S3_URL (already running, not ours: using it)"
    s3_ensure_buckets || warn "could not verify/create the buckets on $S3_URL"
    return 0
  fi
  is_local_host "$S3_HOST" || die "nothing answers at $S3_URL and it is not this machine"
  [[ $S3_SCHEME == http ]] || die "can only start a plain-http Swift; use an http:// S3_ENDPOINT"

  # Before anything that runs Swift's tools (the rings need swift-ring-builder).
  ensure_pkgs swift-proxy swift-object swift-container swift-account memcached
  mkdir -p "$SW_ETC" "$SW_DIR/devices/d1" "$SW_LOG" "$RUN_DIR"
  s3_ports
  s3_hash
  s3_write_configs
  if s3_rings; then SW_CHANGED=(memcached "${SWIFT_BACKENDS[@]}" proxy); fi   # ports moved

  # Restart what runs with an outdated config; start what is not running.
  for c in "${SW_CHANGED[@]}"; do
    if stop_managed "swift-$c" "$SW_DIR" 10; then info "restarting $c (configuration changed)"; fi
  done
  local need=()
  managed_pid swift-memcached "$SW_DIR" >/dev/null || need+=(memcached)
  for c in "${SWIFT_BACKENDS[@]}" proxy; do
    managed_pid "swift-$c" "$SW_DIR" >/dev/null || need+=("$c")
  done

  if ((${#need[@]})); then
    started=1
    info "starting ${need[*]} (data in $SW_DIR)"
    # All at once: the proxy only needs the backends when requests arrive (buckets, below).
    for c in "${need[@]}"; do
      if [[ $c == proxy ]]; then
        port_closed "$S3_HOST" "$S3_PORT" || die "port $S3_PORT is taken by another process"
        s3_start_server proxy
        continue
      fi
      port=SWIFT_${c^^}_PORT
      port_closed 127.0.0.1 "${!port}" ||
        die "port ${!port} (Swift $c) is taken by another process; delete $SW_ETC/ports.env to pick new ports"
      if [[ $c == memcached ]]; then s3_start_memcached; else s3_start_server "$c"; fi
    done
    wait_until memcached "$SW_LOG/memcached.log" swift-memcached port_open 127.0.0.1 "$SWIFT_MEMCACHED_PORT"
    for c in "${SWIFT_BACKENDS[@]}"; do
      port=SWIFT_${c^^}_PORT
      wait_until "$c-server" "$SW_LOG/$c.log" "swift-$c" port_open 127.0.0.1 "${!port}"
    done
  fi
  wait_until "proxy-server" "$SW_LOG/proxy.log" swift-proxy proxy_healthy

  # A signed request per bucket: proves s3api + tempauth + SigV4 end to end, not just a port.
  s3_ensure_buckets || die "Swift runs but the buckets are not usable (see above and $SW_LOG/proxy.log)"
  if ((started)); then
    info "up at $S3_URL (started by this script; buckets $S3_BUCKET, $S3_ARTIFACTS_BUCKET)"
  else
    info "up at $S3_URL (started by this script, already running)"
  fi
}

s3_down() {
  s3_config
  local p stopped=()
  for p in "${S3_PROCS[@]}"; do
    stop_managed "swift-$p" "$SW_DIR" 10 && stopped+=("$p")
  done
  if ((${#stopped[@]})); then
    info "stopped ${stopped[*]}"
  elif port_open "$S3_HOST" "$S3_PORT"; then
    info "$S3_URL is not ours: leaving it running"
  else
    info "not running"
  fi
}

s3_status() {
  s3_config
  local state=down ours=no pids
  port_open "$S3_HOST" "$S3_PORT" && state=up
  pids=$(s3_pids)
  [[ -n $pids ]] && ours="yes ($pids)"
  status_line s3 "$S3_URL" "$state" "$ours"
  [[ $state == up ]]
}
