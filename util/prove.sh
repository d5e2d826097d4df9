#!/bin/sh
# Runs the suite with OpenResty's Test::Nginx when it is installed, with
# the project's own compatible runner (t/lib) otherwise.

if perl -MTest::Nginx::Socket -e 1 2>/dev/null; then
    echo "using the installed Test::Nginx"
    exec prove -r "$@" t/
fi

echo "using the project's own Test::Nginx::Socket (t/lib)"
exec prove -I t/lib -r "$@" t/
