#!/bin/sh
# Installs the Debian packages a target needs, only those that are missing.
# usage: util/deps.sh build|test|run|bench

set -e

build="nginx nginx-dev libxml2-dev libpcre2-dev libssl-dev zlib1g-dev
       pkg-config gcc make"
test="$build perl openssl libtest-base-perl libtext-diff-perl libtest-longstring-perl
      liblist-moreutils-perl liburi-perl libwww-perl curl libxml2-utils bind9-utils
      python3 python3-lxml python3-caldav python3-radicale"
run="$build curl"
bench="$build wrk curl"

case "$1" in
    build) want=$build ;;
    test) want=$test ;;
    run) want=$run ;;
    bench) want=$bench ;;
    *) echo "usage: $0 build|test|run|bench" >&2; exit 2 ;;
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
# the package must not start a system nginx on port 80 behind our back
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d.autodiscover
if [ ! -e /usr/sbin/policy-rc.d ]; then
    cp /usr/sbin/policy-rc.d.autodiscover /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
rm -f /usr/sbin/policy-rc.d.autodiscover
apt-get install -y -qq --no-install-recommends $missing
