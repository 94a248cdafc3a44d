# shellcheck shell=bash
# shellcheck disable=SC2034  # URL_* and friends are read by the service files
# Shared helpers for scripts/services. Sourced, not executed.
# Expects ROOT, DATA_DIR, RUN_DIR and TIMEOUT to be set by scripts/services.

# ---------------------------------------------------------------- messages

SVC=services   # prefix for messages; set to the service being handled

info() { printf '[%s] %s\n' "$SVC" "$*"; }
warn() { printf '[%s] warning: %s\n' "$SVC" "$*" >&2; }
die()  { printf '[%s] error: %s\n' "$SVC" "$*" >&2; exit 1; }

# die_with_log MESSAGE LOGFILE: fail and show why (the log tail is usually the answer).
die_with_log() {
  printf '[%s] error: %s\n' "$SVC" "$1" >&2
  if [[ -s $2 ]]; then
    printf '[%s] last lines of %s:\n' "$SVC" "$2" >&2
    tail -n 25 "$2" | sed 's/^/    /' >&2
  fi
  exit 1
}

# ---------------------------------------------------------------- URLs

# url_parse URL DEFAULT_PORT: sets URL_SCHEME URL_USER URL_PASS URL_HOST URL_PORT URL_PATH.
# Handles scheme://[user[:pass]@]host[:port][/path][?query], with [v6] hosts.
url_parse() {
  local url=$1 rest hostport auth
  [[ $url == *://* ]] || die "not a URL: '$url'"
  URL_SCHEME=${url%%://*}
  rest=${url#*://}
  rest=${rest%%\?*}
  hostport=${rest%%/*}
  URL_PATH=''
  [[ $rest == */* ]] && URL_PATH=/${rest#*/}
  URL_USER='' URL_PASS=''
  if [[ $hostport == *@* ]]; then
    auth=${hostport%@*}
    hostport=${hostport##*@}
    URL_USER=${auth%%:*}
    [[ $auth == *:* ]] && URL_PASS=${auth#*:}
  fi
  URL_PORT=''
  if [[ $hostport == \[*\]* ]]; then
    URL_HOST=${hostport#\[}
    URL_HOST=${URL_HOST%%\]*}
    rest=${hostport##*\]}
    URL_PORT=${rest#:}
  else
    URL_HOST=${hostport%%:*}
    [[ $hostport == *:* ]] && URL_PORT=${hostport##*:}
  fi
  URL_PORT=${URL_PORT:-$2}
  [[ -n $URL_HOST ]] || die "no host in URL '$url'"
  if ! [[ $URL_PORT =~ ^[0-9]{1,5}$ ]] || ((10#$URL_PORT < 1 || 10#$URL_PORT > 65535)); then
    die "bad port in URL '$url'"
  fi
}

# url_decode STRING: undo %XX escapes (passwords in URLs).
url_decode() { local s=${1//\\/\\\\}; printf '%b' "${s//%/\\x}"; }

# We can only start servers on this machine.
is_local_host() {
  case $1 in
    localhost | 127.* | ::1 | 0.0.0.0 | ::) return 0 ;;
    *) return 1 ;;
  esac
}

# Address to bind a server we start: loopback unless the URL names a specific local address.
bind_addr() {
  case $1 in
    localhost) echo 127.0.0.1 ;;
    *) echo "$1" ;;
  esac
}

# ---------------------------------------------------------------- probes

# port_open HOST PORT: does anything accept TCP connections there? (bash /dev/tcp: no nc needed)
port_open() {
  # shellcheck disable=SC2016  # $1/$2 expand in the inner bash
  timeout 2 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

port_closed() { ! port_open "$@"; }

# ---------------------------------------------------------------- processes

pidfile() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

# pid_running PID: alive and not a zombie.
pid_running() {
  local state
  [[ -r /proc/$1/stat ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# managed_pid NAME DIR: print the pid recorded for NAME if that process is still running
# and belongs to DIR (an argument names a path under DIR, or DIR is its working directory).
# The DIR check protects against a recycled pid: we must never signal a stranger.
managed_pid() {
  local f pid cwd
  f=$(pidfile "$1")
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] && pid_running "$pid" || return 1
  if tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2/"; then
    echo "$pid"
    return 0
  fi
  cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || return 1
  [[ $cwd == "$2" || $cwd == "$2 (deleted)" ]] || return 1
  echo "$pid"
}

# spawn NAME DIR LOG CMD...: run CMD detached in its own session (so it survives us and
# `down` can signal its whole process group), in DIR, output appended to LOG; record its pid.
spawn() {
  local name=$1 dir=$2 log=$3
  shift 3
  mkdir -p "$RUN_DIR" "$(dirname "$log")"
  printf '\n=== %s: starting %s\n' "$(date '+%F %T')" "$*" >>"$log"
  # No job control in this script, so the subshell is not a group leader and setsid
  # calls setsid(2) in place (no fork): $! is the server's own pid.
  # 9>&-: don't hand our lock (see take_lock) to a long-lived daemon.
  (cd "$dir" && exec setsid "$@" >>"$log" 2>&1 </dev/null 9>&-) &
  echo "$!" >"$(pidfile "$name")"
}

# stop_managed NAME DIR [GRACE_SECONDS]: SIGTERM our process (group), SIGKILL after the grace time.
# Returns 1 if there was nothing of ours to stop.
stop_managed() {
  local name=$1 dir=$2 grace=${3:-30} pid i
  if ! pid=$(managed_pid "$name" "$dir"); then
    rm -f "$(pidfile "$name")" "$(pidfile "$name").endpoint"
    return 1
  fi
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    pid_running "$pid" || break
    sleep 0.1
  done
  if pid_running "$pid"; then
    warn "$name (pid $pid) ignored SIGTERM for ${grace}s; killing it"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$(pidfile "$name")" "$(pidfile "$name").endpoint"
}

# our_instance NAME DIR ENDPOINT: true if our NAME runs and serves ENDPOINT (pid in OUR_PID).
our_instance() {
  local was
  OUR_PID=$(managed_pid "$1" "$2") || return 1
  was=$(cat "$(pidfile "$1").endpoint" 2>/dev/null) || was=$3
  [[ $was == "$3" ]]
}

# stop_stale NAME DIR: before starting NAME, stop our instance still serving an endpoint
# from an earlier configuration: two instances cannot share one data dir.
stop_stale() {
  local was
  was=$(cat "$(pidfile "$1").endpoint" 2>/dev/null) || was="another endpoint"
  if stop_managed "$1" "$2" 60; then info "stopped our earlier $1 on $was (the URL changed)"; fi
  return 0
}

# record_endpoint NAME ENDPOINT: remember what our NAME serves (see our_instance).
record_endpoint() { echo "$2" >"$(pidfile "$1").endpoint"; }

# wait_until DESCRIPTION LOG PIDNAME CMD...: poll CMD until it succeeds. Fails early if the
# process recorded under PIDNAME (may be empty) died, or after $TIMEOUT seconds.
wait_until() {
  local desc=$1 log=$2 pidname=$3 deadline pid=
  shift 3
  deadline=$((SECONDS + TIMEOUT))
  [[ -n $pidname && -s $(pidfile "$pidname") ]] && pid=$(<"$(pidfile "$pidname")")
  until "$@"; do
    if [[ -n $pid ]] && ! pid_running "$pid"; then
      die_with_log "$desc: the process exited during startup" "$log"
    fi
    ((SECONDS < deadline)) || die_with_log "$desc: not ready after ${TIMEOUT}s" "$log"
    sleep 0.2
  done
}

# ---------------------------------------------------------------- packages

APT_UPDATED=0

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# ensure_pkgs PKG...: install missing Debian packages without prompting (CI has no stdin).
ensure_pkgs() {
  local p missing=() sudo=() policy=/usr/sbin/policy-rc.d made_policy=0
  for p; do have_pkg "$p" || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get to install them"
  if ((EUID != 0)); then
    command -v sudo >/dev/null || die "missing packages (${missing[*]}); run as root or install sudo"
    sudo=(sudo -n)
  fi
  info "installing from apt: ${missing[*]}"
  # Package postinst scripts would start the stock daemons on their default ports
  # (3306, 6379, 11211, ...). We run our own instances, so deny service starts for the install.
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee "$policy" >/dev/null
    "${sudo[@]}" chmod 755 "$policy"
    made_policy=1
  fi
  local rc=0
  {
    if ((!APT_UPDATED)); then
      "${sudo[@]}" apt-get -q update && APT_UPDATED=1
    fi &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}"
  } </dev/null 9>&- || rc=$?
  ((made_policy)) && "${sudo[@]}" rm -f "$policy"
  ((rc == 0)) || die "apt-get install ${missing[*]} failed (exit $rc)"
}

# ---------------------------------------------------------------- templates

# render TEMPLATE OUT KEY=VALUE...: replace @KEY@ placeholders; rewrite OUT only if it changed.
# Returns 0 if OUT changed, 1 if it was already up to date.
render() {
  local tpl=$1 out=$2 text kv
  shift 2
  text=$(<"$tpl")
  for kv; do
    text=${text//"@${kv%%=*}@"/"${kv#*=}"}
  done
  if [[ $text =~ @[A-Z0-9_]+@ ]]; then die "unfilled placeholder ${BASH_REMATCH[0]} in $tpl"; fi
  if [[ -f $out ]] && [[ "$(<"$out")" == "$text" ]]; then
    return 1
  fi
  printf '%s\n' "$text" >"$out.tmp"
  mv "$out.tmp" "$out"
}

# ---------------------------------------------------------------- status

# status_line NAME ENDPOINT STATE STARTED_BY_SCRIPT
status_line() { printf '%-8s %-28s %-5s %s\n' "$@"; }

# show_status NAME ENDPOINT HOST PORT PIDNAME DIR: print the line; succeed if it answers.
show_status() {
  local state=down ours=no pid was
  port_open "$3" "$4" && state=up
  if pid=$(managed_pid "$5" "$6"); then
    ours="yes (pid $pid)"
    was=$(cat "$(pidfile "$5").endpoint" 2>/dev/null) || was=$2
    [[ $was == "$2" ]] || ours="no (ours, pid $pid, serves $was)"
  fi
  status_line "$1" "$2" "$state" "$ours"
  [[ $state == up ]]
}

# Reports and succeeds when a service already answers on host:port: our own instance (waited
# for until it answers) or someone else's, which is used as it is.
already_up() { # already_up <service> <data dir> <host> <port> <log>
  local svc=$1 dir=$2 host=$3 port=$4 log=$5
  if our_instance "$svc" "$dir" "$host:$port"; then
    wait_until "$svc" "$log" "$svc" port_open "$host" "$port"
    info "up at $host:$port (started by this script, pid $OUR_PID)"
    return 0
  fi
  if port_open "$host" "$port"; then
    info "up at $host:$port (already running, not ours: using it)"
    return 0
  fi
  return 1
}
