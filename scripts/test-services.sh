#!/usr/bin/env bash
# The services the full test suite needs, installed, built and started by the project itself:
# PostgreSQL (Debian's package), a LiveKit server and stripe-mock (both built from their Go modules).
#
#   scripts/test-services.sh start   install what is missing, start what is not running, wait until each answers,
#                                    write .tools/services/env (read by `npm test`)
#   scripts/test-services.sh stop    stop, by recorded PID, what `start` started (nothing else)
#   scripts/test-services.sh status  say what runs
#
# Idempotent: a second `start` finds everything up and does nothing; two at once are serialised by a lock.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

LIVEKIT_VERSION=v1.13.5
STRIPE_MOCK_VERSION=v0.203.0
LIVEKIT_PORT=7880
STRIPE_MOCK_PORT=12111
POSTGRES_PORT=5432
# The fixed development key in test/livekit/livekit.yaml.
LIVEKIT_KEY=devkey
LIVEKIT_SECRET=secret-for-echosphere-tests-only-0123456789
POSTGRES_PASSWORD=postgres

state=$root/.tools/services
tools=$root/.tools
mkdir -p "$state"

log() { printf -- '--- %s\n' "$*" >&2; }

# running NAME: true when NAME's recorded PID is alive.
running() {
  local pid
  [ -f "$state/$1.pid" ] && pid=$(cat "$state/$1.pid") && kill -0 "$pid" 2>/dev/null
}

# wait_until SECONDS DESCRIPTION COMMAND...: retry COMMAND every 0.2 s until it succeeds or SECONDS pass.
wait_until() {
  local seconds=$1 what=$2
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
      log "$what did not become ready within ${seconds}s"
      return 1
    fi
    sleep 0.2
  done
}

apt_install() {
  log "apt-get install $*"
  if [ ! -f "$tools/.apt-updated" ]; then
    apt-get update -qq
    mkdir -p "$tools" && touch "$tools/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# go_tool NAME MODULE@VERSION: the binary of a Go command, built once per version into .tools/NAME/VERSION/.
go_tool() {
  local name=$1 package=$2 version=${2##*@}
  local dir=$tools/$name/$version
  local binary
  binary=$(find "$dir" -maxdepth 1 -type f -perm -u+x 2>/dev/null | head -n 1)
  if [ -z "$binary" ]; then
    log "building $package (Go module, cached in .tools/$name/$version)"
    local started=$SECONDS
    GOBIN=$dir GOFLAGS=-buildvcs=false go install "$package" >&2
    log "built $name $version in $((SECONDS - started))s"
    binary=$(find "$dir" -maxdepth 1 -type f -perm -u+x | head -n 1)
  fi
  printf '%s\n' "$binary"
}

postgres_ready() { pg_isready -h 127.0.0.1 -p "$POSTGRES_PORT" -q; }

start_postgres() {
  if postgres_ready; then return; fi
  [ -d /etc/postgresql ] && [ -n "$(ls /etc/postgresql)" ] || apt_install postgresql
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start 9>&-
  wait_until 30 PostgreSQL postgres_ready
  # pg_ctlcluster daemonises; the postmaster's PID is the first line of its pid file.
  head -n 1 "/var/lib/postgresql/$version/main/postmaster.pid" >"$state/postgres.pid"
  # Password authentication over TCP (Debian's default for 127.0.0.1): give the superuser the test password.
  runuser -u postgres -- psql -q -c "ALTER ROLE postgres PASSWORD '$POSTGRES_PASSWORD'" >/dev/null
}

livekit_ready() { curl -fsS "http://127.0.0.1:$LIVEKIT_PORT/" >/dev/null; }

start_livekit() {
  if running livekit && livekit_ready; then return; fi
  local binary
  binary=$(go_tool livekit-server "github.com/livekit/livekit-server/cmd/server@$LIVEKIT_VERSION")
  log "starting LiveKit server $LIVEKIT_VERSION on 127.0.0.1:$LIVEKIT_PORT"
  "$binary" --config "$root/test/livekit/livekit.yaml" >"$state/livekit.log" 2>&1 9>&- &
  echo $! >"$state/livekit.pid"
  wait_until 30 'LiveKit server' livekit_ready || { tail -n 20 "$state/livekit.log" >&2; return 1; }
}

stripe_mock_ready() { curl -fsS -u sk_test_123: "http://127.0.0.1:$STRIPE_MOCK_PORT/v1/customers?limit=1" >/dev/null; }

start_stripe_mock() {
  if running stripe-mock && stripe_mock_ready; then return; fi
  local binary
  binary=$(go_tool stripe-mock "github.com/stripe/stripe-mock@$STRIPE_MOCK_VERSION")
  log "starting stripe-mock $STRIPE_MOCK_VERSION on 127.0.0.1:$STRIPE_MOCK_PORT"
  "$binary" -http-addr "127.0.0.1:$STRIPE_MOCK_PORT" -https-addr 127.0.0.1:0 >"$state/stripe-mock.log" 2>&1 9>&- &
  echo $! >"$state/stripe-mock.pid"
  wait_until 30 stripe-mock stripe_mock_ready || { tail -n 20 "$state/stripe-mock.log" >&2; return 1; }
}

write_env() {
  cat >"$state/env" <<EOF
TEST_POSTGRES_URL=postgres://postgres:$POSTGRES_PASSWORD@127.0.0.1:$POSTGRES_PORT/postgres
LIVEKIT_TEST_URL=http://127.0.0.1:$LIVEKIT_PORT
LIVEKIT_TEST_API_KEY=$LIVEKIT_KEY
LIVEKIT_TEST_API_SECRET=$LIVEKIT_SECRET
STRIPE_MOCK_URL=http://127.0.0.1:$STRIPE_MOCK_PORT
EOF
}

# stop_service NAME [SIGNAL]: signal NAME's recorded PID (TERM by default) and wait for it to exit.
stop_service() {
  local name=$1 signal=${2:-TERM} pid
  [ -f "$state/$name.pid" ] || return 0
  pid=$(cat "$state/$name.pid")
  rm -f "$state/$name.pid"
  kill -0 "$pid" 2>/dev/null || return 0
  log "stopping $name (pid $pid)"
  kill "-$signal" "$pid"
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  log "$name (pid $pid) did not stop in 10s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

status() {
  for name in postgres livekit stripe-mock; do
    if running "$name"; then echo "$name: running (pid $(cat "$state/$name.pid"))"; else echo "$name: not started by this script"; fi
  done
  postgres_ready && echo "PostgreSQL answers on 127.0.0.1:$POSTGRES_PORT" || true
}

case ${1:-} in
  start)
    # The lock is fd 9; every service is started with it closed, so none of them keeps holding it.
    exec 9>"$state/.lock"
    flock 9
    command -v ffmpeg >/dev/null && command -v chromium >/dev/null || apt_install ffmpeg chromium
    start_postgres
    start_livekit
    start_stripe_mock
    write_env
    log "services ready: $state/env"
    ;;
  stop)
    exec 9>"$state/.lock"
    flock 9
    rm -f "$state/env"
    stop_service stripe-mock
    stop_service livekit
    stop_service postgres INT # fast shutdown: ends open connections instead of waiting for them
    ;;
  status) status ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
