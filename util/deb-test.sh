#!/bin/sh
# Installs the package that "make deb" built, checks it the way an operator
# would use it, runs the whole suite against the installed module, then
# purges the package and checks that nothing of it is left.  For CI (make
# test-deb): it installs into, and removes from, this very system.
#
# usage: util/deb-test.sh build/deb/libnginx-mod-http-autodiscover_V_A.deb
#
#   1. apt-get install ./the.deb (from a copy in a directory apt's
#      unprivileged downloader can read: the checkout may be in root's
#      0700 home)
#   2. the files: the .so in /usr/lib/nginx/modules, the snippet in
#      /usr/share/nginx/modules-available, its link in
#      /etc/nginx/modules-enabled; the Depends on the nginx ABI
#   3. nginx -t of the system configuration, which includes the link
#   4. nginx -t of every conf-examples/ file with the packaged snippet
#      (include /etc/nginx/modules-enabled/50-mod-http-autodiscover.conf)
#      instead of a load_module line of its own
#   5. the suite (util/prove.sh) with TEST_NGINX_LOAD_MODULES set to
#      /usr/lib/nginx/modules/ngx_http_autodiscover_module.so
#   6. apt-get remove: the module and the enabled link go (the link is
#      kept as 50-mod-http-autodiscover.conf.removed, as Debian's module
#      packages do), nginx -t passes
#   7. apt-get purge; then dpkg knows no file of it, every file it had is
#      gone, /etc/nginx/modules-enabled holds what it held before, and
#      nginx -t of the system configuration passes
#
# Any step failing fails the script, after the purge.  While installing and
# purging, a policy-rc.d keeps nginx's trigger from reloading (or starting)
# a system nginx, as util/deps.sh does for the nginx package itself.

set -u

deb=${1:?usage: $0 DEB}
pkg=libnginx-mod-http-autodiscover
so=/usr/lib/nginx/modules/ngx_http_autodiscover_module.so
snippet=/usr/share/nginx/modules-available/mod-http-autodiscover.conf
link=/etc/nginx/modules-enabled/50-mod-http-autodiscover.conf

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

. "$top/util/tap.sh"

if [ "$(id -u)" != 0 ]; then
    echo "$0: must run as root: it installs and purges $pkg" >&2
    exit 1
fi

if [ ! -f "$deb" ]; then
    echo "$0: no $deb: run make deb first" >&2
    exit 1
fi

# dpkg's status of the package: empty or "not-installed" when it is unknown
# or purged; "config-files" after a remove
status() {
    dpkg-query -W -f='${db:Status-Status}' $pkg 2>/dev/null
}

if [ -n "$(status)" ] && [ "$(status)" != not-installed ]; then
    echo "$0: $pkg is installed already (or not purged); purge it first:" >&2
    echo "    apt-get purge $pkg" >&2
    exit 1
fi

tmp=$(mktemp -d /tmp/deb-test.XXXXXX)
chmod 755 "$tmp"

policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    policy=yes
fi

# interrupted or failed before step 7: the package is purged all the same
cleanup() {
    if [ -n "$(status)" ] && [ "$(status)" != not-installed ]; then
        echo "purging $pkg"
        apt-get purge -y -q $pkg > /dev/null 2>&1
    fi
    [ -n "$policy" ] && rm -f /usr/sbin/policy-rc.d
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

export DEBIAN_FRONTEND=noninteractive

enabled_before=$(ls -A /etc/nginx/modules-enabled 2>/dev/null)

# 1. install

cp "$deb" "$tmp/"
if apt-get install -y -q --no-install-recommends "$tmp/$(basename "$deb")" \
       > "$tmp/install.log" 2>&1
then
    ok "apt-get install ./$(basename "$deb")"
else
    not_ok "apt-get install ./$(basename "$deb")"
    sed -e 's/^/    /' "$tmp/install.log"
    echo "deb-test: 0 passed, 1 failed (the package does not install)"
    exit 1
fi

files=$(dpkg -L $pkg)

# 2. what it installed

check "$so is installed" test -f $so
check "$snippet is installed" test -f $snippet
check "$snippet loads the module" \
    grep -qx 'load_module modules/ngx_http_autodiscover_module.so;' $snippet
check "$link links to the snippet" \
    test "$(readlink $link)" = $snippet
check "dpkg -L lists the module and the snippet" \
    sh -c "dpkg -L $pkg | grep -qx $so && dpkg -L $pkg | grep -qx $snippet"
abi=$(dpkg-query -W -f='${Provides}' nginx | grep -o 'nginx-abi-[^ ,]*')
check "Depends names the nginx ABI ($abi)" \
    sh -c "dpkg-query -W -f='\${Depends}' $pkg | grep -qw -- '$abi'"
check "Depends names libxml2" \
    sh -c "dpkg-query -W -f='\${Depends}' $pkg | grep -qw libxml2"
check "README and conf-examples in /usr/share/doc/$pkg" \
    sh -c "test -f /usr/share/doc/$pkg/README.gz \
           && test -f /usr/share/doc/$pkg/examples/run.conf"

# 3. the system configuration, with the module enabled

check "nginx -t (the system configuration, module enabled)" \
    sh -c "nginx -t 2>&1 && nginx -T 2>/dev/null \
           | grep -qx 'load_module modules/ngx_http_autodiscover_module.so;'"

# 4. every example with the packaged snippet; "modules" relative to a
# prefix of their own, as it is relative to Debian's /usr/share/nginx

for f in conf-examples/*.conf; do
    p=$tmp/prefix
    rm -rf "$p" && mkdir -p "$p/conf" "$p/logs"
    ln -s /usr/lib/nginx/modules "$p/modules"
    {
        echo "include $link;"
        sed -e '/^load_module @MODULE@;$/d' "$f"
    } > "$p/conf/nginx.conf"
    check "$f passes nginx -t with the packaged snippet" \
        nginx -t -p "$p" -c conf/nginx.conf
done

# 5. the suite against the installed module

TEST_NGINX_BINARY=/usr/sbin/nginx \
TEST_NGINX_LOAD_MODULES=$so \
TEST_NGINX_CONF_EXAMPLES=$top/conf-examples \
    util/prove.sh
suite=$?
if [ $suite = 0 ]; then
    ok "the suite passes against $so"
else
    not_ok "the suite fails against $so (prove exit status $suite)"
fi

# 6. remove: the module goes, its link is set aside as Debian's module
# packages do (a reinstall puts it back), and nginx still starts

if apt-get remove -y -q $pkg > "$tmp/remove.log" 2>&1; then
    ok "apt-get remove $pkg"
else
    not_ok "apt-get remove $pkg"
    sed -e 's/^/    /' "$tmp/remove.log"
fi
check "removed: no module, no enabled link, the link set aside" \
    sh -c "test ! -e $so && test ! -L $link && test -L $link.removed"
check "nginx -t (the system configuration, package removed)" nginx -t

# 7. purge, and nothing is left

if apt-get purge -y -q $pkg > "$tmp/purge.log" 2>&1; then
    ok "apt-get purge $pkg"
else
    not_ok "apt-get purge $pkg"
    sed -e 's/^/    /' "$tmp/purge.log"
fi

st=$(status)
check "dpkg no longer knows $pkg (status \"$st\")" \
    test -z "$st" -o "$st" = not-installed
check "dpkg -L $pkg lists nothing" \
    sh -c "test -z \"\$(dpkg -L $pkg 2>/dev/null)\""

left=
for f in $files; do
    [ "$f" = /. ] && continue
    if [ -d "$f" ] && [ ! -L "$f" ]; then
        # a directory stays only when another package owns it too
        if dpkg -S "$f" >/dev/null 2>&1; then
            continue
        fi
    fi
    if [ -e "$f" ] || [ -L "$f" ]; then
        left="$left $f"
    fi
done
check "no file of the package is left" test -z "$left"
[ -n "$left" ] && echo "    left:$left"

check "no link left in /etc/nginx/modules-enabled" \
    sh -c "test ! -e $link && test ! -L $link && test ! -L $link.removed"
check "/etc/nginx/modules-enabled holds what it held before" \
    test "$(ls -A /etc/nginx/modules-enabled 2>/dev/null)" = "$enabled_before"
check "nginx -t (the system configuration, after the purge)" nginx -t

if [ $fails = 0 ]; then
    echo "deb-test: installed, checked, suite passed, purged clean"
fi
tap_summary deb-test
