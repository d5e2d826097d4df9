#!/usr/bin/python3
"""Reads the module's Outlook POX answer with exchangelib's own code.

    exchangelib-pox.py URL ADDRESS [HOST]

The request is exchangelib's (Autodiscover.payload), POSTed to URL with
the Host header HOST by requests, as exchangelib does, not following
redirects (a 301 or 302 is read with exchangelib's get_redirect_url); the
answer goes through Autodiscover.from_bytes and
the steps of exchangelib's POX discovery that read it: raise_errors(),
the redirect address and URL, then PoxAutodiscovery._build_response(),
which needs an EWS URL. Prints what exchangelib made of it, as JSON.

Written for this project: exchangelib is imported from where Debian's
python3-exchangelib installs it, and not changed.
"""

import json
import sys

import requests
from exchangelib import __version__ as version
from exchangelib.autodiscover.discovery.pox import PoxAutodiscovery
from exchangelib.autodiscover.properties import Autodiscover
from exchangelib.util import get_redirect_url


def err(e):
    return f"{type(e).__name__}: {e}"


def main():
    url, address = sys.argv[1], sys.argv[2]
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if len(sys.argv) > 3:
        headers["Host"] = sys.argv[3]
    # as exchangelib posts it: redirects are not followed by requests
    r = requests.post(url, data=Autodiscover.payload(address), headers=headers,
                      allow_redirects=False, timeout=10)
    out = {"exchangelib": version, "status": r.status_code}
    if r.status_code in (301, 302):
        # what PoxAutodiscovery._attempt_response() would try next
        try:
            out["http_redirect"] = get_redirect_url(r)
        except Exception as e:
            out["http_redirect"] = err(e)
        print(json.dumps(out, indent=1))
        return
    if r.status_code != 200:
        # exchangelib reads only a 200's body
        print(json.dumps(out, indent=1))
        return
    body = r.content
    try:
        ad = Autodiscover.from_bytes(bytes_content=body)
    except Exception as e:
        out["from_bytes"] = err(e)
        print(json.dumps(out, indent=1))
        return

    try:
        ad.raise_errors()
        out["raise_errors"] = None
    except Exception as e:
        out["raise_errors"] = err(e)

    if ad.error_response is not None and ad.error_response.error is not None:
        e = ad.error_response.error
        out["error"] = {"code": e.code, "message": e.message}

    resp = ad.response
    if resp is None:
        print(json.dumps(out, indent=1))
        return

    acct = resp.account
    out["action"] = acct.action
    out["redirect_address"] = resp.redirect_address
    out["redirect_url"] = resp.redirect_url
    out["protocols"] = [
        {
            "type": p.type,
            "server": p.server,
            "port": p.port,
            "ssl": p.ssl,
            "spa": p.spa,
            "auth_required": p.auth_required,
            "auth_type": p.auth_type,
            "login_name": p.login_name,
            "domain_required": p.domain_required,
            "use_pop_path": p.use_pop_path,
            "smtp_last": p.smtp_last,
            "ews_url": p.ews_url,
        }
        for p in acct.protocols or []
    ]

    # what PoxAutodiscovery.discover() ends with for a settings answer
    if not resp.redirect_address and not resp.redirect_url:
        try:
            _, protocol = PoxAutodiscovery(email=address)._build_response(ad_response=resp)
            out["build_response"] = protocol.service_endpoint
        except Exception as e:
            out["build_response"] = err(e)

    print(json.dumps(out, indent=1))


main()
