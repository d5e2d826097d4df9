#!/bin/sh
# Reload under load (make stress, alias make test-reload): nginx with the module's .so and
# conf-examples/run.conf (two workers, plus JSON, autoconfig and profile
# locations) is loaded by wrk and by a curl loop on every endpoint, POST
# and GET, while "nginx -s reload" runs every RELOAD_INTERVAL seconds for
# RELOAD_SECONDS.  It fails when
#   - an answer is not a 200 with the body that the same request got
#     before the reloads (curl: byte for byte; wrk: the same length),
#   - a request made on a new connection ("Connection: close") fails,
#   - the error log has "signal 11", "exited on signal", "[alert]",
#     "[emerg]" or "[crit]", or a reload is not taken,
#   - an nginx process is left once nginx has been told to quit.
# Keep-alive connections that a worker closes as it shuts down gracefully
# show up as wrk read errors: nginx does that by design (clients retry),
# so they are counted and printed, not failed.
#
# usage: util/reload-test.sh MODULE.so
# Environment: NGINX (/usr/sbin/nginx), RELOAD_PORT (2280, on 127.0.0.1
# only), RELOAD_PREFIX (a new directory under /tmp), RELOAD_SECONDS (30),
# RELOAD_INTERVAL (1).

set -u

module=${1:?usage: $0 MODULE.so}
module=$(cd "$(dirname "$module")" && pwd)/$(basename "$module")
top=$(cd "$(dirname "$0")/.." && pwd)
nginx=${NGINX:-/usr/sbin/nginx}
# nginx itself reads $NGINX: the sockets inherited on a binary upgrade
# ("invalid socket number" and a master that never daemonizes otherwise)
unset NGINX
port=${RELOAD_PORT:-2280}
seconds=${RELOAD_SECONDS:-30}
interval=${RELOAD_INTERVAL:-1}
prefix=${RELOAD_PREFIX:-$(mktemp -d /tmp/autodiscover-reload.XXXXXX)}
base="http://127.0.0.1:$port"

fail=0
failed() {
    echo "FAIL: $*"
    fail=1
}

rm -rf "$prefix/conf" "$prefix/logs" "$prefix/out"
mkdir -p "$prefix/conf" "$prefix/logs" "$prefix/out"

# run.conf, on our port, with two workers and the other endpoints
awk -v module="$module" -v port="$port" '
    { sub(/@MODULE@/, module) }
    /^worker_processes/ { print "worker_processes 2;"; next }
    /listen 127\.0\.0\.1:8080;/ { sub(/8080/, port) }
    /location ~\* \^\/autodiscover\/autodiscover\\\.xml\$/ {
        print "        location ~* ^/autodiscover/autodiscover\\.json {"
        print "            autodiscover_json;"
        print "        }"
        print "        location = /mail/config-v1.1.xml {"
        print "            autodiscover_autoconfig;"
        print "        }"
        print "        location = /email.mobileconfig {"
        print "            autodiscover_mobileconfig;"
        print "        }"
    }
    { print }
' "$top/conf-examples/run.conf" > "$prefix/conf/nginx.conf"

grep -q "listen 127.0.0.1:$port;" "$prefix/conf/nginx.conf" \
    && grep -q autodiscover_mobileconfig "$prefix/conf/nginx.conf" \
    || { echo "could not adapt conf-examples/run.conf"; exit 1; }

"$nginx" -t -q -p "$prefix" -c conf/nginx.conf || exit 1
"$nginx" -p "$prefix" -c conf/nginx.conf || exit 1

stop() {
    if [ -f "$prefix/logs/nginx.pid" ]; then
        "$nginx" -p "$prefix" -c conf/nginx.conf -s quit 2>/dev/null
    fi
}
trap stop EXIT

ns='http://schemas.microsoft.com/exchange/autodiscover'
pox="<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"$ns/outlook/requestschema/2006\"><Request><EMailAddress>alice@example.com</EMailAddress><AcceptableResponseSchema>$ns/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>"
eas="<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"$ns/mobilesync/requestschema/2006\"><Request><EMailAddress>bob@example.net</EMailAddress><AcceptableResponseSchema>$ns/mobilesync/responseschema/2006</AcceptableResponseSchema></Request></Autodiscover>"

# name  method  path
requests="pox-post POST /Autodiscover/Autodiscover.xml
eas-post POST /autodiscover/autodiscover.xml
pox-get GET /autodiscover/autodiscover.xml?email=carol%40example.com
json GET /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=AutodiscoverV1
autoconfig GET /mail/config-v1.1.xml?emailaddress=alice%40example.net
profile GET /email.mobileconfig?emailaddress=alice%40example.com&name=Alice"

fetch() {   # name method path -> body in $prefix/out/$1.$4, prints status
    case $1 in
        pox-post) data=$pox ;;
        eas-post) data=$eas ;;
        *) data= ;;
    esac
    if [ "$2" = POST ]; then
        curl -s -o "$prefix/out/$1.$4" -w '%{http_code}' \
            -H 'Content-Type: text/xml; charset=utf-8' \
            -H 'Host: autodiscover.example.com' \
            --data-binary "$data" "$base$3"
    else
        curl -s -o "$prefix/out/$1.$4" -w '%{http_code}' \
            -H 'Host: autodiscover.example.com' "$base$3"
    fi
}

# the answers before any reload: the reference
echo "$requests" | while read -r name method path; do
    status=$(fetch "$name" "$method" "$path" ref)
    echo "$name: $status, $(wc -c < "$prefix/out/$name.ref") bytes"
    [ "$status" = 200 ] || echo "$name" >> "$prefix/out/ref-failed"
done
[ -f "$prefix/out/ref-failed" ] && { echo "FAIL: no 200 before the reloads"; exit 1; }

reloads_before=$(grep -c ': reconfiguring$' "$prefix/logs/error.log")

# wrk: POST and GET, on keep-alive and on new connections
wrk_run() {   # name method path body close
    RELOAD_NAME=$1 RELOAD_METHOD=$2 RELOAD_PATH=$3 RELOAD_BODY=$4 \
    RELOAD_CLOSE=$5 RELOAD_CONTENT_TYPE='text/xml; charset=utf-8' \
    RELOAD_LENGTH=$(wc -c < "$prefix/out/$1.ref") \
        wrk -t1 -c4 -d"${seconds}s" --timeout 5s \
            -s "$top/util/reload-wrk.lua" "$base$3" \
            > "$prefix/out/wrk-$1-$6.log" 2>&1 &
}

wrk_run pox-post POST /Autodiscover/Autodiscover.xml "$pox" "" keepalive
wrk_run eas-post POST /autodiscover/autodiscover.xml "$eas" 1 close
wrk_run json GET "/autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=AutodiscoverV1" "" 1 close
wrk_run autoconfig GET "/mail/config-v1.1.xml?emailaddress=alice%40example.net" "" "" keepalive

# curl: every endpoint in turn, each answer compared byte for byte
(
    end=$(($(date +%s) + seconds))
    n=0
    while [ "$(date +%s)" -lt "$end" ]; do
        echo "$requests" | while read -r name method path; do
            status=$(fetch "$name" "$method" "$path" cur)
            if [ "$status" != 200 ] \
               || ! cmp -s "$prefix/out/$name.ref" "$prefix/out/$name.cur"
            then
                echo "curl $name: status $status, $(wc -c \
                      < "$prefix/out/$name.cur") bytes" \
                      >> "$prefix/out/curl-bad"
            fi
        done
        n=$((n + 6))
        echo $n > "$prefix/out/curl-count"
    done
) &
curl_pid=$!

# the reloads: "nginx -s reload" reads the whole configuration (and loads
# the module) before it signals the master, which takes a while under
# load, so it runs in the background to keep to one every $interval s
reloads=$(awk "BEGIN { print int($seconds / $interval) }")
i=0
while [ "$i" -lt "$reloads" ]; do
    sleep "$interval"
    ( "$nginx" -p "$prefix" -c conf/nginx.conf -s reload \
          2>>"$prefix/out/reload.err" \
          || echo "nginx -s reload failed" >> "$prefix/out/reload-failed" ) &
    i=$((i + 1))
done

wait
sleep 1

echo "reloads sent: $reloads"
[ -s "$prefix/out/reload-failed" ] \
    && failed "$(wc -l < "$prefix/out/reload-failed") nginx -s reload failed"
# the master logs "signal 1 (SIGHUP) received from N, reconfiguring", then
# "reconfiguring": count the latter
taken=$(($(grep -c ': reconfiguring$' "$prefix/logs/error.log") - reloads_before))
echo "reloads taken by the master: $taken"
[ "$taken" -ge 1 ] || failed "no reload was taken"
[ "$taken" -le "$reloads" ] || failed "more reloads taken than sent"

cat "$prefix"/out/wrk-*.log | grep -E '^RELOAD|Requests/sec|Socket errors'
wrk_ok=0
wrk_bad=0
for f in "$prefix"/out/wrk-*.log; do
    line=$(grep '^RELOAD ' "$f") || { failed "wrk: $f"; cat "$f"; continue; }
    set -- $line
    wrk_ok=$((wrk_ok + $4))
    wrk_bad=$((wrk_bad + $6))
    # RELOAD name ok N bad N connect N read N write N timeout N
    [ "$4" -gt 0 ] || failed "$2: no answer"
    [ "$6" = 0 ] || failed "$2: $6 answers not a 200 of the right length"
    case $f in
        *-close.log)
            [ "$8" = 0 ] && [ "${10}" = 0 ] && [ "${12}" = 0 ] \
                && [ "${14}" = 0 ] \
                || failed "$2: socket errors on new connections" ;;
    esac
done

echo "wrk answers: $((wrk_ok + wrk_bad)), not a 200 of the right length: $wrk_bad"
echo "curl requests: $(cat "$prefix/out/curl-count" 2>/dev/null || echo 0)"
if [ -s "$prefix/out/curl-bad" ]; then
    head "$prefix/out/curl-bad"
    failed "curl: $(wc -l < "$prefix/out/curl-bad") bad answers"
fi

# quit: the master waits for every worker, old ones included, then exits
master=$(cat "$prefix/logs/nginx.pid")
"$nginx" -p "$prefix" -c conf/nginx.conf -s quit
trap - EXIT
for i in $(seq 1 100); do
    kill -0 "$master" 2>/dev/null || break
    sleep 0.1
done
if kill -0 "$master" 2>/dev/null; then
    failed "the master process $master is still there 10 s after quit"
    ps -o pid,ppid,cmd --ppid "$master"
fi

if grep -nE 'signal 11|exited on signal|\[alert\]|\[emerg\]|\[crit\]' \
       "$prefix/logs/error.log" | head -20 | grep .
then
    failed "the error log has alerts or crashes"
fi

echo "error log: $(wc -l < "$prefix/logs/error.log") lines, $(grep -c '\[error\]' "$prefix/logs/error.log") [error], $(grep -c 'exited with code 0' "$prefix/logs/error.log") workers exited with code 0"
echo "prefix: $prefix"

if [ $fail = 0 ]; then
    echo "stress: passed"
else
    echo "stress: FAILED"
    exit 1
fi
