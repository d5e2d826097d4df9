# Which answer when: the error documents, 404 for domains not served,
# and values that variables make invalid at run time.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

AD::defaults();

run_tests();

__DATA__

=== TEST 1: 601 for a schema no renderer provides
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox('alice@example.com', 'http://example.com/&lt;schema&gt;&amp;')
--- error_code: 200
--- response_headers
Content-Type: text/xml; charset=utf-8
--- response_body_like eval
AD::error_like(601)
--- error_log
autodiscover: unsupported response schema



=== TEST 2: 404 by default for a domain not served, so clients try the next URL
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.net')
--- error_code: 404
--- response_body_like: 404 Not Found
--- error_log
autodiscover: domain "example.net" is not served



=== TEST 3: autodiscover_not_served error: the 500 document, status 200
--- http_config
autodiscover_domains example.com;
autodiscover_not_served error;
autodiscover_protocol IMAP server=imap.example.com;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.net')
--- error_code: 200
--- response_body_like eval
AD::error_like(500)



=== TEST 4: 501 for a served domain with no protocol configured
--- http_config
autodiscover_domains example.com;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- error_code: 200
--- response_body_like eval
AD::error_like(501)
--- error_log
autodiscover: error 501 for domain "example.com" in the schema "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"



=== TEST 5: 501 when every protocol's server evaluates empty
--- http_config
map $autodiscover_domain $imap_host {
    default "";
    example.org imap.example.org;
}
autodiscover_domains example.com example.org;
autodiscover_protocol IMAP server=$imap_host;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- error_code: 200
--- response_body_like eval
AD::error_like(501)



=== TEST 6: 602 when a variable makes a port invalid
--- http_config
map $autodiscover_domain $imap_port {
    default 993;
    example.com imaps;
}
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com port=$imap_port;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- error_code: 200
--- response_body_like eval
AD::error_like(602)
--- error_log
autodiscover: invalid port "imaps" from variables, it must be a number from 1 to 65535



=== TEST 7: 602 when a variable makes the redirect URL plain http
--- http_config
map $autodiscover_domain $redirect {
    default "";
    example.com http://autodiscover.hoster.com/autodiscover/autodiscover.xml;
}
autodiscover_domains example.com;
autodiscover_redirect_url $redirect;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- error_code: 200
--- response_body_like eval
AD::error_like(602)
--- error_log
autodiscover: invalid redirect URL "http://autodiscover.hoster.com/autodiscover/autodiscover.xml" from variables



=== TEST 8: 602 when a variable gives an unknown protocol type
--- http_config
map $autodiscover_domain $type {
    default IMAP;
    example.com IMAP4;
}
autodiscover_domains example.com;
autodiscover_protocol $type server=imap.example.com;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- error_code: 200
--- response_body_like eval
AD::error_like(602)



=== TEST 9: "*.example.org" serves its subdomains only
--- http_config
autodiscover_domains *.example.org;
autodiscover_protocol IMAP server=imap.example.com;
--- request eval
["POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@mail.Example.org'),
 "POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.org'),
 "POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@badexample.org')]
--- error_code eval
[200, 404, 404]
--- response_body_like eval
[qr/<Action>settings<\/Action>/, qr/404 Not Found/, qr/404 Not Found/]



=== TEST 10: "*" serves every domain
--- http_config
autodiscover_domains *;
autodiscover_protocol IMAP server=imap.example.com;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@anything.example')
--- response_body eval
AD::imap_doc()



=== TEST 11: autodiscover_serve: "0" and empty are not served
--- http_config
map $autodiscover_domain $served {
    default 0;
    example.com 1;
    example.net "";
}
autodiscover_serve $served;
autodiscover_protocol IMAP server=imap.example.com;
--- request eval
["POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com'),
 "POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.net'),
 "POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.org')]
--- error_code eval
[200, 404, 404]
--- response_body_like eval
[qr/<Action>settings<\/Action>/, qr/404 Not Found/, qr/404 Not Found/]



=== TEST 12: unknown and known users of a served domain get the same shape
--- http_config
map $autodiscover_email $who {
    default "";
    alice@example.com "Alice";
}
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- request eval
["POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com'),
 "POST /autodiscover/autodiscover.xml\n" . AD::pox('nobody@example.com')]
--- response_body eval
[AD::imap_doc('alice@example.com'), AD::imap_doc('nobody@example.com')]
