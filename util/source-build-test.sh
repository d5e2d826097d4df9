#!/bin/sh
# Builds nginx from a source tree twice, as docs/installation.md says, and
# sends each a few requests:
#
#   static    ./configure --with-http_ssl_module --add-module=THIS_TREE; make
#   dynamic   ./configure --with-compat --with-http_ssl_module
#                 --add-dynamic-module=THIS_TREE; make
#             (the nginx and objs/ngx_http_autodiscover_module.so, loaded
#             with load_module)
#
# usage: util/source-build-test.sh NGINX_SOURCE_DIR OUT_DIR
#
# Each build is a copy of NGINX_SOURCE_DIR in OUT_DIR/{static,dynamic};
# make runs with -j2 (JOBS).  The smoke test runs the built nginx with
# conf-examples/isp-pop3-imap-smtp.conf on 127.0.0.1:SMOKE_PORT (default
# 1991) in a prefix of its own under /tmp (the workers, "nobody", must be
# able to reach it: the checkout may be in root's 0700 home), asks for the
# Outlook settings by GET and by POST, and checks the answers.

set -u

src=${1:?usage: $0 NGINX_SOURCE_DIR OUT_DIR}
out=${2:?usage: $0 NGINX_SOURCE_DIR OUT_DIR}
jobs=${JOBS:-2}
port=${SMOKE_PORT:-1991}

top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)

. "$top/util/tap.sh"

build() {
    # $1: static or dynamic, then the configure options
    kind=$1
    shift
    dir=$out/$kind
    rm -rf "$dir"
    cp -r "$src" "$dir"
    echo "$kind: ./configure $* (in $dir)"
    if ! (cd "$dir" && ./configure "$@") > "$out/$kind-configure.log" 2>&1
    then
        tail -30 "$out/$kind-configure.log"
        not_ok "$kind: configure"
        return 1
    fi
    if ! make -C "$dir" -j"$jobs" > "$out/$kind-make.log" 2>&1; then
        tail -30 "$out/$kind-make.log"
        not_ok "$kind: make"
        return 1
    fi
    ok "$kind: built"
}

ns=http://schemas.microsoft.com/exchange/autodiscover
pox="<?xml version=\"1.0\" encoding=\"utf-8\"?>\
<Autodiscover xmlns=\"$ns/outlook/requestschema/2006\"><Request>\
<EMailAddress>JohnDoe@sample.com</EMailAddress>\
<AcceptableResponseSchema>$ns/outlook/responseschema/2006a\
</AcceptableResponseSchema></Request></Autodiscover>"

smoke() {
    # $1: static or dynamic, $2: the nginx, $3: the module's .so or empty
    kind=$1
    nginx=$2
    so=$3

    p=$(mktemp -d /tmp/source-build-test.XXXXXX)
    chmod 755 "$p"
    mkdir -p "$p/conf" "$p/logs"
    {
        [ -n "$so" ] && echo "load_module $so;"
        sed -e "s/127\.0\.0\.1:8082/127.0.0.1:$port/" \
            "$top/conf-examples/isp-pop3-imap-smtp.conf"
    } > "$p/conf/nginx.conf"

    if ! "$nginx" -p "$p" -c conf/nginx.conf > "$p/start.log" 2>&1; then
        not_ok "$kind: nginx starts"
        sed -e 's/^/    /' "$p/start.log" "$p/logs/error.log"
        rm -rf "$p"
        return
    fi
    ok "$kind: nginx starts with the module"

    url=http://127.0.0.1:$port/autodiscover/autodiscover.xml
    get=$(curl -s -m 10 "$url?email=JohnDoe@sample.com")
    post=$(curl -s -m 10 -H 'Content-Type: text/xml; charset=utf-8' \
               --data-binary "$pox" "$url")

    for r in get post; do
        eval "body=\$$r"
        case "$body" in
            *'<Type>POP3</Type>'*'<Server>mail.server.com</Server>'*)
                ok "$kind: $r answers the POP3 settings of sample.com" ;;
            *)
                not_ok "$kind: $r answers the POP3 settings of sample.com"
                echo "$body" | sed -e 's/^/    /' ;;
        esac
    done

    "$nginx" -p "$p" -c conf/nginx.conf -s quit 2>/dev/null
    i=0
    while [ -f "$p/logs/nginx.pid" ] && [ $i -lt 50 ]; do
        sleep 0.1
        i=$((i + 1))
    done

    if grep -E '\[(alert|crit|emerg)\]' "$p/logs/error.log"; then
        not_ok "$kind: no alert in the error log"
    else
        ok "$kind: no alert in the error log"
    fi
    rm -rf "$p"
}

if build static --with-http_ssl_module --add-module="$top"; then
    if "$out/static/objs/nginx" -V 2>&1 | grep -q -- "--add-module=$top"
    then
        ok "static: nginx -V shows the module built in"
    else
        not_ok "static: nginx -V shows the module built in"
    fi
    smoke static "$out/static/objs/nginx" ""
fi

if build dynamic --with-compat --with-http_ssl_module \
       --add-dynamic-module="$top"
then
    smoke dynamic "$out/dynamic/objs/nginx" \
        "$out/dynamic/objs/ngx_http_autodiscover_module.so"
fi

tap_summary source-build-test
