#!/bin/sh
# Runs the whole suite against an nginx built with -fsanitize=address,undefined
# and the module compiled in (make test-asan), then every conf-examples/ file
# through "nginx -t" with that binary, and fails on any sanitizer report.
#
# usage: util/asan-check.sh NGINX [prove arguments]
#
# The sanitizers write their reports to files (log_path) and not to stderr:
# nginx points its stderr at the error log, which the runner recreates for
# every block, and a daemonized nginx's stderr reaches nobody.  Each report
# is a file SANITIZER_LOGS/{asan,ubsan,lsan}.<pid>; any such file fails the
# run and is printed.
#
# Environment: TEST_NGINX_SERVER_PORT, TEST_NGINX_SERVROOT as for the
# suite (default servroot: next to the binary's build, not t/servroot, so
# that "make test" may run at the same time); SANITIZER_LOGS.

set -u

nginx=${1:?usage: $0 NGINX [prove arguments]}
shift
nginx=$(cd "$(dirname "$nginx")" && pwd)/$(basename "$nginx")
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(dirname "$(dirname "$(dirname "$nginx")")")

logs=${SANITIZER_LOGS:-$build/sanitizer-logs}
rm -rf "$logs"
mkdir -p "$logs"

# Leaks: LSan runs when a process exits.  nginx leaks a few blocks on
# purpose at exit (see util/lsan.supp, each entry explained); everything
# else, the module's included, is reported.
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:abort_on_error=0:\
halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1:\
check_initialization_order=1:print_suppressions=0"
export LSAN_OPTIONS="suppressions=$top/util/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="log_path=$logs/ubsan:halt_on_error=1:print_stacktrace=1:\
suppressions=$top/util/ubsan.supp"

export TEST_NGINX_BINARY="$nginx"
export TEST_NGINX_LOAD_MODULES=
export TEST_NGINX_CONF_EXAMPLES="$top/conf-examples"
export TEST_NGINX_SERVROOT="${TEST_NGINX_SERVROOT:-$build/servroot}"

cd "$top" || exit 1

echo "sanitizer reports go to $logs/"
echo "nginx: $nginx"

util/prove.sh "$@"
suite=$?

# the examples, as t/050-conf-examples.t checks them with the module's .so:
# here the module is compiled in, so the load_module line goes

examples=0
tmp=$(mktemp -d /tmp/asan-examples.XXXXXX)
for f in conf-examples/*.conf; do
    rm -rf "$tmp/p" && mkdir -p "$tmp/p/conf" "$tmp/p/logs"
    sed -e '/^load_module /d' "$f" > "$tmp/p/conf/nginx.conf"
    if out=$("$nginx" -t -p "$tmp/p" -c conf/nginx.conf 2>&1); then
        echo "ok - $f passes nginx -t (module compiled in)"
    else
        echo "not ok - $f fails nginx -t:"
        echo "$out" | sed -e 's/^/    /'
        examples=1
    fi
done
rm -rf "$tmp"

reports=$(find "$logs" -type f -size +0 | sort)

if [ -n "$reports" ]; then
    for r in $reports; do
        echo "==== $r"
        cat "$r"
    done
    echo "test-asan: FAILED, $(echo "$reports" | wc -l) sanitizer report(s)"
    exit 1
fi

if [ $suite != 0 ] || [ $examples != 0 ]; then
    echo "test-asan: FAILED (suite exit status $suite," \
         "examples $examples), no sanitizer report"
    exit 1
fi

echo "test-asan: passed, no AddressSanitizer, LeakSanitizer or" \
     "UndefinedBehaviorSanitizer report"
