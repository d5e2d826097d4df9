#!/bin/sh
# Installs the Debian packages that make test-asan, fuzz and test-reload
# need beyond util/deps.sh's, only those that are missing.
# usage: util/sanitizer-deps.sh asan|fuzz|reload

set -e

case "$1" in
    asan) want="clang libclang-rt-14-dev dpkg-dev" ;;
    fuzz) want="clang libclang-rt-14-dev dpkg-dev" ;;
    reload) want="wrk curl" ;;
    *) echo "usage: $0 asan|fuzz|reload" >&2; exit 2 ;;
esac

missing=
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
         | grep -q 'install ok installed'
    then
        missing="$missing $p"
    fi
done

[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "missing Debian packages:$missing" >&2
    echo "run as root, or: sudo apt-get install$missing" >&2
    exit 1
fi

echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing
