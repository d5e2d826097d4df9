#!/bin/sh
# Prints a ready curl line for every surface of the "make run" example
# (conf-examples/run.conf), one per surface, with the full URL.
# usage: util/run-examples.sh http://127.0.0.1:8080

set -e

base=${1:-http://127.0.0.1:8080}
ns=http://schemas.microsoft.com/exchange/autodiscover

pox() {
    # $1: the request schema's product, $2: the response schema
    printf '%s' "<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover"
    printf '%s' " xmlns=\"$ns/$1/requestschema/2006\"><Request>"
    printf '%s' "<EMailAddress>alice@example.com</EMailAddress>"
    printf '%s' "<AcceptableResponseSchema>$ns/$2</AcceptableResponseSchema>"
    printf '%s' "</Request></Autodiscover>"
}

cat <<END
try:

Outlook (POX), either case of the path:
  curl -s $base/Autodiscover/Autodiscover.xml -H 'Content-Type: text/xml; charset=utf-8' --data-binary '$(pox outlook outlook/responseschema/2006a)'
  curl -s $base/autodiscover/autodiscover.xml -H 'Content-Type: text/xml; charset=utf-8' --data-binary '$(pox outlook outlook/responseschema/2006a)'
  curl -s '$base/autodiscover/autodiscover.xml?email=alice@example.com'

ActiveSync:
  curl -s $base/Autodiscover/Autodiscover.xml -H 'Content-Type: text/xml; charset=utf-8' --data-binary '$(pox mobilesync mobilesync/responseschema/2006)'

Autodiscover v2 (JSON), both URL forms:
  curl -s '$base/autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=AutodiscoverV1'
  curl -s '$base/autodiscover/autodiscover.json?Email=alice@example.com&Protocol=ActiveSync'

Thunderbird autoconfig, both paths:
  curl -s -H 'Host: autoconfig.example.com' '$base/mail/config-v1.1.xml?emailaddress=alice@example.com'
  curl -s -H 'Host: example.com' '$base/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice@example.com'

Apple profile (iPhone, iPad, Mac):
  curl -s -D - '$base/profile.mobileconfig?emailaddress=alice@example.com'

Calendars and contacts (RFC 6764), any method:
  curl -s -i -X PROPFIND -H 'Host: example.com' $base/.well-known/caldav
  curl -s -i -H 'Host: example.com' $base/.well-known/carddav

PACC, and the value of its DNS TXT record in X-PACC-Digest:
  curl -s -i -H 'Host: ua-auto-config.example.com' $base/.well-known/user-agent-configuration.json

The DNS records a domain needs, as a zone-file fragment (?format=json for
JSON), and looked up at the resolver of run.conf (127.0.0.1):
  curl -s '$base/records?domain=example.com'
  curl -s '$base/records?domain=example.com&check=1'

The plain-HTTP redirect of a hosted domain (Outlook's step 3):
  curl -s -i -H 'Host: autodiscover.example.org' $base/autodiscover/autodiscover.xml

The counters of all the requests above, for Prometheus:
  curl -s $base/metrics
END
