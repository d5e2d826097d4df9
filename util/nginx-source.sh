#!/bin/sh
# Unpacks Debian's nginx source package (the nginx that the module is built
# against, with Debian's patches applied) into DIR/nginx-<upstream version>
# and prints that directory.  Nothing is done when it is already there.
#
# usage: util/nginx-source.sh DIR
#
# Debian's deb-src lines are enabled when apt knows no source for nginx.
# The installed nginx's own version is tried first, then every other
# version apt knows (the security pocket's newest source sometimes 404s).

set -e

dir=${1:?usage: $0 DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

upstream=1.22.1
src="$dir/nginx-$upstream"

if [ -x "$src/configure" ] && [ -f "$src/.debian-source" ]; then
    echo "$src"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive

{
    if ! command -v dpkg-source >/dev/null 2>&1; then
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends dpkg-dev
    fi

    if [ -z "$(apt-cache showsrc nginx 2>/dev/null)" ]; then
        echo "enabling Debian's deb-src lines"
        if [ -f /etc/apt/sources.list.d/debian.sources ]; then
            # the deb822 file of Debian's images: a deb-src twin of it
            sed -e 's/^Types:.*/Types: deb-src/' \
                /etc/apt/sources.list.d/debian.sources \
                > /etc/apt/sources.list.d/autodiscover-deb-src.sources
        elif [ -f /etc/apt/sources.list ]; then
            grep '^deb ' /etc/apt/sources.list | sed -e 's/^deb /deb-src /' \
                > /etc/apt/sources.list.d/autodiscover-deb-src.list
        fi
        apt-get update -qq
    fi

    installed=$(dpkg-query -W -f='${Version}' nginx 2>/dev/null || true)
    versions=$(apt-cache showsrc nginx | sed -n 's/^Version: //p' | sort -u)

    rm -rf "$dir/.apt-source" && mkdir -p "$dir/.apt-source"
    ok=
    tried=" "
    for v in $installed $versions; do
        case "$v" in $upstream-*) ;; *) continue ;; esac
        case "$tried" in *" $v "*) continue ;; esac
        tried="$tried$v "
        echo "apt-get source nginx=$v"
        if (cd "$dir/.apt-source" && apt-get source -qq "nginx=$v") \
            >"$dir/.apt-source.log" 2>&1
        then
            ok=$v
            break
        fi
        tail -2 "$dir/.apt-source.log"
        rm -rf "$dir/.apt-source" && mkdir -p "$dir/.apt-source"
    done

    if [ -z "$ok" ]; then
        echo "$0: no nginx $upstream source package could be fetched" >&2
        exit 1
    fi

    rm -rf "$src"
    mv "$dir/.apt-source/nginx-$upstream" "$src"
    echo "$ok" > "$src/.debian-source"
    rm -rf "$dir/.apt-source" "$dir/.apt-source.log"
} >&2

echo "$src"
