# Autodiscover v2 (JSON): both URL forms, every protocol, every error,
# hostile and malformed input.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

AD::defaults(http_config => <<'_EOC_', config => <<'_EOC_');
autodiscover_domains example.com;
autodiscover_activesync_url https://mail.example.com/Microsoft-Server-ActiveSync;
autodiscover_v1_url https://autodiscover.example.com/autodiscover/autodiscover.xml;
autodiscover_protocol IMAP server=imap.example.com;
_EOC_
location ~* ^/autodiscover/autodiscover\.json {
    autodiscover_json;
}
_EOC_

our $UNSUPPORTED = q{{"ErrorCode":"InvalidProtocol","ErrorMessage":"The given protocol value 'VALUE' is invalid. Supported values are 'ActiveSync,AutodiscoverV1'"}};

sub invalid {
    my ($value) = @_;
    (my $doc = $UNSUPPORTED) =~ s/VALUE/$value/;
    return $doc;
}

run_tests();

__DATA__

=== TEST 1: AutodiscoverV1 in the path form
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=AutodiscoverV1
--- response_headers
Content-Type: application/json; charset=utf-8
Content-Length: 100
--- response_body chomp
{"Protocol":"AutodiscoverV1","Url":"https://autodiscover.example.com/autodiscover/autodiscover.xml"}



=== TEST 2: ActiveSync in the query form, with RedirectCount
--- request
GET /autodiscover/autodiscover.json?Email=alice%40example.com&Protocol=ActiveSync&RedirectCount=1
--- response_body chomp
{"Protocol":"ActiveSync","Url":"https://mail.example.com/Microsoft-Server-ActiveSync"}



=== TEST 3: Protocol matched case-insensitively, echoed as sent
--- request
GET /AutoDiscover/AutoDiscover.json/v1.0/alice%40Example.com?protocol=autodiscoverv1
--- response_body chomp
{"Protocol":"autodiscoverv1","Url":"https://autodiscover.example.com/autodiscover/autodiscover.xml"}



=== TEST 4: Ews from the first protocol that has an EWS URL
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
autodiscover_protocol EXPR server=ex1 ews_url=https://ex1.example.com/EWS/Exchange.asmx;
autodiscover_protocol EXCH server=ex2 ews_url=https://ex2.example.com/EWS/Exchange.asmx;
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=Ews
--- response_body chomp
{"Protocol":"Ews","Url":"https://ex1.example.com/EWS/Exchange.asmx"}



=== TEST 5: the default AutodiscoverV1 URL: https on the Host asked for
--- http_config
autodiscover_domains example.com;
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=AutodiscoverV1
--- more_headers
Host: Autodiscover.Example.com:8443
--- response_body chomp
{"Protocol":"AutodiscoverV1","Url":"https://Autodiscover.Example.com:8443/autodiscover/autodiscover.xml"}



=== TEST 6: a Host that is no plain host name: server_name instead
--- http_config
autodiscover_domains example.com;
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=AutodiscoverV1
--- more_headers
Host: evil.test"<x>
--- response_body chomp
{"Protocol":"AutodiscoverV1","Url":"https://localhost/autodiscover/autodiscover.xml"}



=== TEST 7: a hosted domain's AutodiscoverV1 is the hoster's POX URL
--- http_config
autodiscover_domains contoso.com;
autodiscover_redirect_url https://autodiscover.hoster.com/autodiscover/autodiscover.xml;
--- request
GET /autodiscover/autodiscover.json/v1.0/john@contoso.com?Protocol=AutodiscoverV1
--- response_body chomp
{"Protocol":"AutodiscoverV1","Url":"https://autodiscover.hoster.com/autodiscover/autodiscover.xml"}



=== TEST 8: an unknown protocol: 400 naming the supported values
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=Bogus
--- error_code: 400
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body eval
main::invalid('Bogus')



=== TEST 9: Ews without an EWS URL is not supported for this address
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=Ews
--- error_code: 400
--- response_body eval
main::invalid('Ews')



=== TEST 10: an empty Protocol
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=
--- error_code: 400
--- response_body eval
main::invalid('')



=== TEST 11: no Protocol at all
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.com
--- error_code: 400
--- response_body eval
main::invalid('')



=== TEST 12: hostile characters in Protocol are JSON-escaped
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=%22%5C%3Cscript%3E%26%C3%A9
--- error_code: 400
--- response_body eval
main::invalid(q{\"\\\\\u003cscript\u003e\u0026}."\xc3\xa9")



=== TEST 13: control characters, bad UTF-8 or over 64 bytes: echoed as ''
--- request eval
["GET /autodiscover/autodiscover.json/v1.0/alice\@example.com?Protocol=Ews%0AX",
 "GET /autodiscover/autodiscover.json/v1.0/alice\@example.com?Protocol=%FF%FE",
 "GET /autodiscover/autodiscover.json/v1.0/alice\@example.com?Protocol=%F8%90%80%80",
 "GET /autodiscover/autodiscover.json/v1.0/alice\@example.com?Protocol=%ED%A0%80",
 "GET /autodiscover/autodiscover.json/v1.0/alice\@example.com?Protocol=" . ('A' x 65)]
--- error_code eval
[(400) x 5]
--- response_body eval
[(main::invalid('')) x 5]



=== TEST 14: no address
--- request
GET /autodiscover/autodiscover.json?Protocol=ActiveSync
--- error_code: 400
--- response_body chomp
{"ErrorCode":"InvalidUser","ErrorMessage":"The email address is missing or not valid."}



=== TEST 15: invalid addresses: two @, markup, overlong, empty
--- request eval
["GET /autodiscover/autodiscover.json/v1.0/a\@b\@example.com?Protocol=ActiveSync",
 "GET /autodiscover/autodiscover.json?Email=%3Cb%3E%40example.com&Protocol=ActiveSync",
 "GET /autodiscover/autodiscover.json?Email=" . ('a' x 65) . "%40example.com&Protocol=ActiveSync",
 "GET /autodiscover/autodiscover.json?Email=&Protocol=ActiveSync",
 "GET /autodiscover/autodiscover.json/v1.0/?Protocol=ActiveSync"]
--- error_code eval
[(400) x 5]
--- response_body eval
[(q{{"ErrorCode":"InvalidUser","ErrorMessage":"The email address is missing or not valid."}}) x 5]



=== TEST 16: a domain not served: plain 404
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.org?Protocol=ActiveSync
--- error_code: 404
--- response_body_like: 404 Not Found



=== TEST 17: every served address gets the same shape
--- request eval
["GET /autodiscover/autodiscover.json/v1.0/alice\@example.com?Protocol=ActiveSync",
 "GET /autodiscover/autodiscover.json/v1.0/nobody\@example.com?Protocol=ActiveSync"]
--- response_body eval
[(q{{"Protocol":"ActiveSync","Url":"https://mail.example.com/Microsoft-Server-ActiveSync"}}) x 2]



=== TEST 18: a variable giving an invalid URL: 500 with a JSON error
--- http_config
map $autodiscover_domain $eas {
    default http://mail.example.com/Microsoft-Server-ActiveSync;
}
autodiscover_domains example.com;
autodiscover_activesync_url $eas;
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=ActiveSync
--- error_code: 500
--- response_body chomp
{"ErrorCode":"InternalServerError","ErrorMessage":"The Autodiscover server has a configuration error."}



=== TEST 19: HEAD: the GET's headers, no body
--- request
HEAD /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=ActiveSync
--- response_headers
Content-Type: application/json; charset=utf-8
Content-Length: 86
--- response_body



=== TEST 20: per-domain ActiveSync URLs from a map
--- http_config
map $autodiscover_domain $eas {
    example.com https://mail.example.com/Microsoft-Server-ActiveSync;
    example.net https://eas.example.net/Microsoft-Server-ActiveSync;
}
autodiscover_domains example.com example.net;
autodiscover_activesync_url $eas;
--- request
GET /autodiscover/autodiscover.json?Email=bob@example.net&Protocol=ActiveSync
--- response_body chomp
{"Protocol":"ActiveSync","Url":"https://eas.example.net/Microsoft-Server-ActiveSync"}



=== TEST 21: nginx -t refuses a literal AutodiscoverV1 URL that is not https
--- http_config
autodiscover_domains example.com;
autodiscover_v1_url http://autodiscover.example.com/autodiscover/autodiscover.xml;
--- must_die
--- request
GET /
--- error_log
invalid Autodiscover v1 URL "http://autodiscover.example.com/autodiscover/autodiscover.xml", it must be an absolute "https://" URL in



=== TEST 22: autodiscover and autodiscover_json in one location
--- config
location / {
    autodiscover;
    autodiscover_json;
}
--- must_die
--- request
GET /
--- error_log
"autodiscover_json" cannot share a location with "autodiscover": one location answers in one format in
