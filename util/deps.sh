#!/bin/sh
# Installs the Debian packages a target needs, only those that are missing.
# usage: util/deps.sh build|test|run|bench|deb|source
#
# "test" also brings what t/070-clients.t runs the clients' code with:
# exchangelib (python3-exchangelib), node and npm (Debian's nodejs and
# npm, unless a node and an npm are already on PATH), unzip (for
# Thunderbird's omni.ja) and, with npm, @xmldom/xmldom into
# build/clients/npm. Thunderbird's package itself is downloaded by the
# test (util/clients/thunderbird.sh), never installed. bind9-utils
# (named-checkzone) and dnsmasq-base are for the DNS records' tests,
# prometheus (promtool) for the metrics'.

set -e

build="nginx nginx-dev libxml2-dev libpcre2-dev libssl-dev zlib1g-dev
       pkg-config gcc make"
test="$build perl openssl libtest-base-perl libtext-diff-perl libtest-longstring-perl
      liblist-moreutils-perl liburi-perl libwww-perl curl libxml2-utils bind9-utils
      dnsmasq-base prometheus python3-exchangelib unzip
      python3 python3-lxml python3-caldav python3-radicale"
run="$build curl"
bench="$build wrk curl"
deb="$build build-essential debhelper dpkg-dev fakeroot lintian"
source="$build dpkg-dev curl"

case "$1" in
    build) want=$build ;;
    test) want=$test ;;
    run) want=$run ;;
    bench) want=$bench ;;
    deb) want=$deb ;;
    source) want=$source ;;
    *) echo "usage: $0 build|test|run|bench|deb|source" >&2; exit 2 ;;
esac

# the npm package the Thunderbird harness parses XML with (node has no
# DOMParser), into build/clients/npm; the version is fixed
XMLDOM=@xmldom/xmldom@0.9.12
npm_dir=$(cd "$(dirname "$0")/.." && pwd)/build/clients/npm

npm_packages() {
    [ "$1" = test ] || return 0
    [ -f "$npm_dir/node_modules/@xmldom/xmldom/package.json" ] && return 0
    echo "npm: installing $XMLDOM into $npm_dir"
    mkdir -p "$npm_dir"
    # without it (no registry) t/070-clients.t skips Thunderbird, saying so
    npm install --prefix "$npm_dir" --no-audit --no-fund --no-save \
        --loglevel=error "$XMLDOM" \
    || echo "npm: $XMLDOM not installed: t/070-clients.t will skip Thunderbird" >&2
}

missing=
for p in $want; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null \
         | grep -q 'install ok installed'
    then
        missing="$missing $p"
    fi
done

# node and npm from elsewhere (NodeSource's nodejs carries its own npm,
# which Debian's npm package conflicts with) are as good
if [ "$1" = test ]; then
    command -v node >/dev/null || missing="$missing nodejs"
    command -v npm >/dev/null || missing="$missing npm"
fi

if [ -z "$missing" ]; then
    npm_packages "$1"
    exit 0
fi

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
npm_packages "$1"
