#!/bin/sh
# Checks what "make install DESTDIR=DIR" left in DIR (default variables):
#   util/install-check.sh DIR installed     every file where it belongs
#   util/install-check.sh DIR uninstalled   no file left, only directories

set -u

d=${1:?usage: $0 DESTDIR installed|uninstalled}
so=/usr/lib/nginx/modules/ngx_http_autodiscover_module.so
conf=/usr/share/nginx/modules-available/mod-http-autodiscover.conf
link=/etc/nginx/modules-enabled/50-mod-http-autodiscover.conf
doc=/usr/local/share/doc/ngx_http_autodiscover_module
. "$(dirname "$0")/tap.sh"

case "${2:-}" in
installed)
    check "the module in /usr/lib/nginx/modules" test -f "$d$so"
    check "the snippet loads it by its absolute path" \
        grep -qx "load_module $so;" "$d$conf"
    check "the link in /etc/nginx/modules-enabled" \
        test "$(readlink "$d$link")" = $conf
    check "README, docs/ and conf-examples/ in the doc directory" \
        test -f "$d$doc/README" -a -f "$d$doc/docs/testing.md" \
        -a -f "$d$doc/examples/run.conf"
    ;;
uninstalled)
    left=$(find "$d" ! -type d)
    check "nothing but directories left" test -z "$left"
    [ -n "$left" ] && echo "$left" | sed -e 's/^/    left: /'
    ;;
*)
    echo "usage: $0 DESTDIR installed|uninstalled" >&2
    exit 2
    ;;
esac

tap_summary install-check
