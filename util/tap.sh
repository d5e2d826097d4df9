# Sourced by the install checks (install-check.sh, deb-test.sh,
# source-build-test.sh): "ok"/"not ok" lines and their count.
#   check WHAT COMMAND...   ok when COMMAND succeeds, else not ok and its
#                           output, indented
#   tap_summary NAME        "NAME: N passed, M failed"; fails unless M is 0

fails=0
passes=0

ok() {
    echo "ok - $*"
    passes=$((passes + 1))
}

not_ok() {
    echo "not ok - $*"
    fails=$((fails + 1))
}

check() {
    what=$1
    shift
    if out=$("$@" 2>&1); then
        ok "$what"
    else
        not_ok "$what"
        [ -n "$out" ] && echo "$out" | sed -e 's/^/    /'
    fi
    return 0
}

tap_summary() {
    echo "$1: $passes passed, $fails failed"
    [ $fails = 0 ]
}
