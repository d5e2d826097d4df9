#!/usr/bin/python3
"""Runs exchangelib's own POX Autodiscover discovery against the test nginx.

    exchangelib-discover.py CA ADDRESS NAME:PORT=LOCALPORT...

PoxAutodiscovery(ADDRESS, credentials).discover(), unchanged, as
exchangelib's Account(autodiscover=True) runs it: step 1
https://<domain>/, step 2 https://autodiscover.<domain>/, step 3 the
plain-HTTP GET of http://autodiscover.<domain>/, step 4 the SRV record;
301 and 302 followed by exchangelib itself (a HEAD to the target first,
then its POST again there).

Only the network under it is the test's:
  - DNS: an A lookup succeeds for the NAMEs given, and fails as NXDOMAIN
    for any other name and for every SRV lookup;
  - connections: NAME:PORT goes to 127.0.0.1:LOCALPORT (the test nginx,
    with the TLS certificate CA for its https ports); a name given
    without that port is refused, as a host without that service would;
  - TLS is verified against CA (REQUESTS_CA_BUNDLE), with the name.

Prints, as JSON, the DNS lookups ("TYPE NAME: ANSWER"), the requests
exchangelib sent ("METHOD URL: STATUS" or "...: ExceptionName") and
what discovery ended with: the EWS endpoint, auth type and the
settings' protocols, or the exception.

Written for this project: exchangelib is imported from where Debian's
python3-exchangelib installs it, and not changed.
"""

import json
import os
import sys
import tempfile

ca, address, *maps = sys.argv[1:]
os.environ["REQUESTS_CA_BUNDLE"] = ca
# exchangelib keeps its Autodiscover cache in a file in the temporary
# directory: one of this run's own
tempfile.tempdir = tempfile.mkdtemp(prefix="exchangelib-discover.")

import dns.resolver  # noqa: E402
import requests  # noqa: E402
import urllib3.util.connection  # noqa: E402
from exchangelib import Credentials  # noqa: E402
from exchangelib import __version__ as version  # noqa: E402
from exchangelib.autodiscover import clear_cache  # noqa: E402
from exchangelib.autodiscover.discovery.pox import (  # noqa: E402
    PoxAutodiscovery,
)

routes = {}
names = set()
for m in maps:
    left, local = m.split("=")
    name, port = left.rsplit(":", 1)
    routes[(name, int(port))] = ("127.0.0.1", int(local))
    names.add(name)


lookups = []


def resolve(self, qname, rdtype="A", *args, **kwargs):
    name = str(qname).rstrip(".")
    if rdtype == "A" and name in names:
        lookups.append(f"{rdtype} {name}: 127.0.0.1")
        return ["127.0.0.1"]
    lookups.append(f"{rdtype} {name}: NXDOMAIN")
    raise dns.resolver.NXDOMAIN(qnames=[dns.name.from_text(str(qname))])


dns.resolver.Resolver.resolve = resolve

real_create_connection = urllib3.util.connection.create_connection


def create_connection(address, *args, **kwargs):
    if address not in routes:
        raise ConnectionRefusedError(
            111, f"nothing at {address[0]}:{address[1]}")
    return real_create_connection(routes[address], *args, **kwargs)


urllib3.util.connection.create_connection = create_connection

sent = []
real_request = requests.Session.request


def request(self, method, url, *args, **kwargs):
    line = f"{method.upper()} {url}"
    if kwargs.get("auth") or self.auth:
        line += " [auth]"
    try:
        r = real_request(self, method, url, *args, **kwargs)
    except Exception as e:
        sent.append(f"{line}: {type(e).__name__}")
        raise
    sent.append(f"{line}: {r.status_code}")
    return r


requests.Session.request = request

out = {"exchangelib": version}
clear_cache()
try:
    ad, protocol = PoxAutodiscovery(
        email=address, credentials=Credentials(address, "secret")
    ).discover()
    out["service_endpoint"] = protocol.service_endpoint
    out["auth_type"] = protocol.config.auth_type
    out["smtp_address"] = ad.autodiscover_smtp_address
    out["protocols"] = [
        {"type": p.type, "server": p.server, "port": p.port,
         "ews_url": p.ews_url}
        for p in ad.account.protocols or []
    ]
except Exception as e:
    out["error"] = f"{type(e).__name__}: {e}"
out["lookups"] = lookups
out["requests"] = sent
print(json.dumps(out, indent=1))
