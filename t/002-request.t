# What clients send: path spellings, both namespace spellings, the
# documents' variants, GET for testing, HEAD, other methods, credentials.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

AD::defaults(
    http_config => <<'_EOC_',
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
_EOC_
    config => <<'_EOC_');
location ~* ^/autodiscover/autodiscover\.xml$ {
    autodiscover;
    add_header X-Email "$autodiscover_email" always;
    add_header X-LegacyDN "$autodiscover_legacydn" always;
    add_header X-Schema "$autodiscover_schema" always;
}
_EOC_

run_tests();

__DATA__

=== TEST 1: lower-case path
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 2: Outlook's path spelling
--- request eval
"POST /Autodiscover/Autodiscover.xml\n" . AD::pox('alice@example.com')
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 3: another path spelling
--- request eval
"POST /AutoDiscover/AutoDiscover.xml\n" . AD::pox('alice@example.com')
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 4: https:// spelling of the request namespace and the schema, answered in http://
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox('alice@example.com',
    'https://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a',
    'https://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006')
--- response_headers
X-Schema: http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 5: no AcceptableResponseSchema: the request namespace's own schema
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw('<EMailAddress>alice@example.com</EMailAddress>')
--- response_headers
X-Schema: http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 6: prefixed namespace, single-quoted declaration, no white space
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version='1.0' encoding='UTF-8'?><a:Autodiscover xmlns:a="$AD::REQ_NS">}
. qq{<a:Request><a:AcceptableResponseSchema>$AD::OUTLOOK</a:AcceptableResponseSchema>}
. qq{<a:EMailAddress>alice\@example.com</a:EMailAddress></a:Request></a:Autodiscover>}
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 7: white space around values, no XML declaration, LF line ends
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<Autodiscover xmlns="$AD::REQ_NS">\n <Request>\n  <EMailAddress>\n}
. qq{   alice\@example.com\n  </EMailAddress>\n  <AcceptableResponseSchema>\n}
. qq{   $AD::OUTLOOK\n  </AcceptableResponseSchema>\n </Request>\n</Autodiscover>\n}
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 8: the EmailAddress spelling of Exchange's element table
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<EmailAddress>alice\@example.com</EmailAddress>"
              . "<AcceptableResponseSchema>$AD::OUTLOOK</AcceptableResponseSchema>")
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 9: domain lower-cased, local part kept
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('Alice.Smith@EXAMPLE.Com')
--- response_headers
X-Email: Alice.Smith@example.com
--- response_body eval
AD::imap_doc('Alice.Smith@example.com')



=== TEST 10: LegacyDN and EMailAddress: both variables are set
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<LegacyDN>/o=Example/ou=First/cn=Recipients/cn=alice</LegacyDN>"
              . "<EMailAddress>alice\@example.com</EMailAddress>"
              . "<AcceptableResponseSchema>$AD::OUTLOOK</AcceptableResponseSchema>")
--- response_headers
X-Email: alice@example.com
X-LegacyDN: /o=Example/ou=First/cn=Recipients/cn=alice
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 11: LegacyDN alone, served through autodiscover_serve
--- http_config
map $autodiscover_legacydn $legacy_served {
    default 0;
    "~^/o=Example/" 1;
}
autodiscover_serve $legacy_served;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<LegacyDN>/o=Example/ou=First/cn=Recipients/cn=alice</LegacyDN>"
              . "<AcceptableResponseSchema>$AD::OUTLOOK</AcceptableResponseSchema>")
--- response_body eval
AD::imap_doc()



=== TEST 12: LegacyDN alone, no domain to serve: 404
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<LegacyDN>/o=Other/cn=bob</LegacyDN>"
              . "<AcceptableResponseSchema>$AD::OUTLOOK</AcceptableResponseSchema>")
--- error_code: 404
--- response_body_like: 404 Not Found



=== TEST 13: GET ?email= for people testing with a browser
--- request
GET /autodiscover/autodiscover.xml?email=alice%40example.com
--- response_headers
Content-Type: text/xml; charset=utf-8
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 14: GET ?<EMailAddress>...</EMailAddress>, percent-encoded as browsers send it
--- request
GET /autodiscover/autodiscover.xml?%3CEMailAddress%3Ealice@example.com%3C/EMailAddress%3E
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 15: a GET without an address is no request: 405, Allow: POST
A client that followed a 302 of its POST as a GET (Thunderbird's XHR)
must see it fail, or it takes the answer as final and never re-POSTs.
--- request
GET /autodiscover/autodiscover.xml
--- more_headers
Content-Type: text/xml; charset=utf-8
--- error_code: 405
--- response_headers
Allow: POST
--- response_body_like: 405 Not Allowed
--- error_log
autodiscover: no address in the query string



=== TEST 16: HEAD answers the GET's headers without a body
--- request
HEAD /autodiscover/autodiscover.xml?email=alice@example.com
--- response_headers
Content-Type: text/xml; charset=utf-8
Content-Length: 671
--- response_body



=== TEST 17: other methods are answered like GET: without an address, 405
--- request
PUT /autodiscover/autodiscover.xml
--- error_code: 405
--- response_headers
Allow: POST



=== TEST 18: HEAD without an address: 405, as the GET
exchangelib sends a HEAD to a redirect target before it POSTs there; it
only needs the connection and TLS to work, whatever the status.
--- request
HEAD /autodiscover/autodiscover.xml
--- error_code: 405
--- response_headers
Allow: POST
--- response_body



=== TEST 19: a GET with an invalid address is still an invalid request
--- request
GET /autodiscover/autodiscover.xml?email=not-an-address
--- error_code: 200
--- response_body_like eval
AD::error_like(600)



=== TEST 20: OPTIONS with an address
--- request
OPTIONS /autodiscover/autodiscover.xml?email=alice@example.com
--- error_code: 200
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 21: credentials are never asked for, read or logged
--- log_level: info
--- more_headers
Authorization: Basic YWxpY2VAZXhhbXBsZS5jb206czNjcjN0
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- error_code: 200
--- response_headers
!WWW-Authenticate
--- response_body eval
AD::imap_doc('alice@example.com')
--- no_error_log
YWxpY2VAZXhhbXBsZS5jb206czNjcjN0
s3cr3t



=== TEST 22: a form content type, as curl -d sends, is parsed all the same
--- more_headers
Content-Type: application/x-www-form-urlencoded
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- response_body eval
AD::imap_doc('alice@example.com')
