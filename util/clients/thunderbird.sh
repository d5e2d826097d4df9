#!/bin/sh
# Brings Thunderbird's account-setup code out of Debian's thunderbird
# package, for t/070-clients.t: "apt-get download" (the package is not
# installed), then only the files the harness loads are taken from the
# package's omni.ja into $1 (default build/clients/thunderbird):
#
#   omni/modules/...        the ES modules (accountcreation/*, JXON, ...)
#   omni/defaults/pref/*.js Thunderbird's default preferences
#   VERSION                 application.ini's Version, and the package's
#
# Kept there as a cache: a second run downloads nothing. Exits 77 with a
# message on stderr when the package cannot be had (no network, no apt).
# Nothing of Thunderbird goes into the repository.

set -e

dest=${1:-build/clients/thunderbird}

if [ -s "$dest/VERSION" ] &&
   [ -f "$dest/omni/modules/accountcreation/readFromXML.sys.mjs" ]; then
    exit 0
fi

for tool in apt-get dpkg-deb unzip; do
    if ! command -v $tool >/dev/null; then
        echo "thunderbird.sh: $tool is missing" >&2
        exit 77
    fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# _apt downloads into a directory it may write
chmod 777 "$tmp"

download() {
    (cd "$tmp" && apt-get download thunderbird) >> "$tmp/download.log" 2>&1
}

# a machine whose package lists were never fetched knows no thunderbird
if ! download && { [ "$(id -u)" != 0 ] || ! apt-get update -qq \
                   >> "$tmp/download.log" 2>&1 || ! download; }
then
    echo "thunderbird.sh: apt-get download thunderbird failed:" >&2
    sed 's/^/    /' "$tmp/download.log" >&2
    exit 77
fi

deb=$(ls "$tmp"/thunderbird_*.deb)
mkdir -p "$tmp/x"
dpkg-deb --fsys-tarfile "$deb" \
    | tar -x -C "$tmp/x" ./usr/share/thunderbird/omni.ja \
                         ./usr/lib/thunderbird/application.ini

rm -rf "$dest.new"
mkdir -p "$dest.new/omni"
unzip -q -d "$dest.new/omni" "$tmp/x/usr/share/thunderbird/omni.ja" \
    'modules/accountcreation/*' modules/JXON.sys.mjs \
    modules/OAuth2Providers.sys.mjs modules/hostnameUtils.sys.mjs \
    modules/MailStringUtils.sys.mjs 'defaults/pref/*'

app=$(sed -n 's/^Version=//p' "$tmp/x/usr/lib/thunderbird/application.ini" \
      | head -1)
pkg=$(dpkg-deb -f "$deb" Version)
echo "Thunderbird $app (Debian package thunderbird $pkg)" > "$dest.new/VERSION"

rm -rf "$dest"
mv "$dest.new" "$dest"
