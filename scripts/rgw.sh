#!/usr/bin/env bash
# A real S3 server on loopback for the tests: Ceph RADOS Gateway over one
# monitor and one in-memory OSD (memstore), no systemd, no cephx.
#
#   scripts/rgw.sh start DIR RGW_PORT [MON_PORT]   # prints endpoint and keys
#   scripts/rgw.sh stop DIR                        # rgw -> osd -> mon, by PID
#   scripts/rgw.sh kill DIR                        # SIGKILL all, data thrown away
#   scripts/rgw.sh stop-rgw DIR | start-rgw DIR    # just the gateway (outage tests)
#
# Everything lives in DIR (config, keyring-free mon store, logs, PID files).
# MON_PORT defaults to RGW_PORT + 1. Environment: RGW_ACCESS_KEY,
# RGW_SECRET_KEY (defaults below), RGW_LC_DEBUG_INTERVAL (seconds a lifecycle
# "day" lasts; -1 = real days).
set -euo pipefail

usage() {
  sed -n '5,9p' "$0" >&2
  exit 2
}

port_in_use() {
  # ss is not always installed; bash's /dev/tcp connect works everywhere.
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_for() {
  local what=$1 tries=$2
  shift 2
  for _ in $(seq "$tries"); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  echo "rgw.sh: timed out waiting for $what (logs in $DIR/log)" >&2
  return 1
}

osd_up() { ceph --conf "$CONF" osd dump 2>/dev/null | grep -q '^osd\.0 up'; }
rgw_answers() { curl -s -o /dev/null "http://127.0.0.1:$RGW_PORT/"; }

stop_pid() {
  local signal=$2 pidfile="$DIR/run/$1.pid"
  [ -f "$pidfile" ] || return 0
  local pid
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$signal" "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$pidfile"
}

start_rgw() {
  if port_in_use "$RGW_PORT"; then
    echo "rgw.sh: port $RGW_PORT is in use; pick another RGW port" >&2
    exit 1
  fi
  radosgw --conf "$CONF" -n client.rgw -f >>"$DIR/log/rgw.out" 2>&1 &
  echo $! >"$DIR/run/rgw.pid"
  wait_for "radosgw on port $RGW_PORT" 150 rgw_answers
}

[ $# -ge 2 ] || usage
CMD=$1
DIR=$(realpath -m "$2")
CONF="$DIR/ceph.conf"

case "$CMD" in
  start)
    [ $# -ge 3 ] || usage
    RGW_PORT=$3
    MON_PORT=${4:-$((RGW_PORT + 1))}
    ACCESS_KEY=${RGW_ACCESS_KEY:-NAMIXTESTACCESSKEY00}
    SECRET_KEY=${RGW_SECRET_KEY:-namixTestSecretKey/0123456789abcdefghij+}
    LC_INTERVAL=${RGW_LC_DEBUG_INTERVAL:--1}
    for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph curl; do
      command -v "$tool" >/dev/null || {
        echo "rgw.sh: $tool not found; run scripts/install_deps.sh (radosgw ceph-mon ceph-osd)" >&2
        exit 1
      }
    done
    # A second cluster on the same mon port would silently join the first.
    for port in "$MON_PORT" "$RGW_PORT"; do
      if port_in_use "$port"; then
        echo "rgw.sh: port $port is in use; pick other ports or stop what runs there" >&2
        exit 1
      fi
    done
    if [ -e "$DIR/run/mon.pid" ] && kill -0 "$(cat "$DIR/run/mon.pid")" 2>/dev/null; then
      echo "rgw.sh: a cluster already runs from $DIR; stop it first" >&2
      exit 1
    fi
    rm -rf "$DIR"
    mkdir -p "$DIR/mon" "$DIR/osd" "$DIR/run" "$DIR/log"
    FSID=$(cat /proc/sys/kernel/random/uuid)
    OSD_PORT_MIN=$((MON_PORT + 100))
    cat >"$CONF" <<EOF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind msgr1 = false
ms bind port min = $OSD_PORT_MIN
ms bind port max = $((OSD_PORT_MIN + 50))
# cephx off; S3 request signatures are still verified by radosgw.
auth cluster required = none
auth service required = none
auth client required = none
# One OSD: single replica, no mgr (so no PG autoscaler).
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd crush initial weight = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
# Pool creation otherwise waits ~1 s per proposal and start-up takes ~14 s.
paxos propose interval = 0.05
run dir = $DIR/run
log file = $DIR/log/\$name.log
admin socket = $DIR/run/\$name.asok
pid file = $DIR/run/\$name.ceph.pid

[mon.a]
mon data = $DIR/mon
[osd.0]
osd data = $DIR/osd
osd objectstore = memstore
memstore device bytes = 2147483648
[client]
# radosgw otherwise insists on secure mode and cephx and never connects.
ms mon client mode = crc
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT
rgw data = $DIR/rgw
# memstore keeps deleted data in RAM until garbage collection runs.
rgw gc obj min wait = 0
rgw gc processor period = 5
rgw lc debug interval = $LC_INTERVAL
EOF
    monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" \
      >>"$DIR/log/setup.out" 2>&1
    ceph-mon --conf "$CONF" -i a --mkfs --monmap "$DIR/monmap" >>"$DIR/log/setup.out" 2>&1
    ceph-mon --conf "$CONF" -i a -f >>"$DIR/log/mon.out" 2>&1 &
    echo $! >"$DIR/run/mon.pid"
    OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
    wait_for "the monitor" 100 ceph --conf "$CONF" osd new "$OSD_UUID"
    ceph-osd --conf "$CONF" -i 0 --mkfs --osd-uuid "$OSD_UUID" >>"$DIR/log/setup.out" 2>&1
    ceph-osd --conf "$CONF" -i 0 -f >>"$DIR/log/osd.out" 2>&1 &
    echo $! >"$DIR/run/osd.pid"
    wait_for "osd.0 up" 150 osd_up
    radosgw-admin --conf "$CONF" -n client.rgw user create --uid=namix \
      --display-name="namix tests" --access-key="$ACCESS_KEY" --secret="$SECRET_KEY" \
      >>"$DIR/log/setup.out" 2>&1
    # A GLACIER storage class in the default placement, so lifecycle
    # transitions to GLACIER are accepted as they are on AWS (RGW refuses
    # unknown storage classes with InvalidStorageClass).
    radosgw-admin --conf "$CONF" -n client.rgw zonegroup placement add \
      --rgw-zonegroup default --placement-id default-placement --storage-class GLACIER \
      >>"$DIR/log/setup.out" 2>&1
    radosgw-admin --conf "$CONF" -n client.rgw zone placement add --rgw-zone default \
      --placement-id default-placement --storage-class GLACIER \
      --data-pool default.rgw.glacier.data >>"$DIR/log/setup.out" 2>&1
    echo "$RGW_PORT" >"$DIR/run/rgw.port"
    start_rgw
    echo "NAMIX_S3_ENDPOINT=http://127.0.0.1:$RGW_PORT"
    echo "AWS_ACCESS_KEY_ID=$ACCESS_KEY"
    echo "AWS_SECRET_ACCESS_KEY=$SECRET_KEY"
    echo "AWS_REGION=us-east-1"
    ;;
  stop-rgw)
    stop_pid rgw TERM
    ;;
  start-rgw)
    RGW_PORT=$(cat "$DIR/run/rgw.port")
    start_rgw
    ;;
  stop)
    stop_pid rgw TERM
    stop_pid osd TERM
    stop_pid mon TERM
    ;;
  kill)
    stop_pid rgw KILL
    stop_pid osd KILL
    stop_pid mon KILL
    ;;
  *)
    usage
    ;;
esac
