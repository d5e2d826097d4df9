# Redirects as the protocols define them: the plain-HTTP endpoint that
# only ever redirects, and HTTP 302 instead of a redirectUrl document.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

AD::defaults(http_config => <<'_EOC_', config => <<'_EOC_');
map $host $autodiscover_https {
    hostnames;
    default "";
    autodiscover.contoso.com https://autodiscover.hoster.com/autodiscover/autodiscover.xml;
    .example.com https://$host/autodiscover/autodiscover.xml;
}
_EOC_
location ~* ^/autodiscover/autodiscover\.xml$ {
    autodiscover_http_redirect $autodiscover_https;
}
_EOC_

run_tests();

__DATA__

=== TEST 1: Outlook's unauthenticated GET on http://autodiscover.contoso.com
--- more_headers
Host: autodiscover.contoso.com
--- request
GET /Autodiscover/Autodiscover.xml
--- error_code: 302
--- response_headers
Location: https://autodiscover.hoster.com/autodiscover/autodiscover.xml
!WWW-Authenticate



=== TEST 2: a POST with a body and credentials: the same 302, never settings or 401
--- more_headers
Host: autodiscover.contoso.com
Authorization: Basic YWxpY2U6czNjcjN0
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('john@contoso.com')
--- error_code: 302
--- response_headers
Location: https://autodiscover.hoster.com/autodiscover/autodiscover.xml
!WWW-Authenticate
--- response_body_unlike: <Autodiscover



=== TEST 3: HEAD
--- more_headers
Host: autodiscover.contoso.com
--- request
HEAD /autodiscover/autodiscover.xml
--- error_code: 302
--- response_headers
Location: https://autodiscover.hoster.com/autodiscover/autodiscover.xml



=== TEST 4: the target from the Host, through a map
--- more_headers
Host: autodiscover.example.com
--- request
GET /autodiscover/autodiscover.xml
--- error_code: 302
--- response_headers
Location: https://autodiscover.example.com/autodiscover/autodiscover.xml



=== TEST 5: no target for this host: 404
--- more_headers
Host: autodiscover.other.org
--- request
GET /autodiscover/autodiscover.xml
--- error_code: 404
--- response_body_like: 404 Not Found



=== TEST 6: a plain-http target from variables is refused, never sent
--- http_config
map $host $autodiscover_https {
    default http://autodiscover.hoster.com/autodiscover/autodiscover.xml;
}
--- request
GET /autodiscover/autodiscover.xml
--- error_code: 500
--- response_headers
!Location
--- error_log
autodiscover: invalid redirect URL "http://autodiscover.hoster.com/autodiscover/autodiscover.xml" from variables



=== TEST 7: nginx -t refuses a literal target that is not https
--- config
location / {
    autodiscover_http_redirect http://autodiscover.hoster.com/autodiscover/autodiscover.xml;
}
--- must_die
--- request
GET /
--- error_log
invalid redirect URL "http://autodiscover.hoster.com/autodiscover/autodiscover.xml", it must be an absolute "https://" URL in



=== TEST 8: autodiscover_redirect_mode 302: a hosted domain's Outlook request gets a 302
--- http_config
autodiscover_domains contoso.com example.com;
autodiscover_redirect_mode 302;
map $autodiscover_domain $hosted {
    default "";
    contoso.com https://autodiscover.hoster.com/autodiscover/autodiscover.xml;
}
autodiscover_redirect_url $hosted;
autodiscover_protocol IMAP server=imap.example.com;
--- config
location ~* ^/autodiscover/autodiscover\.xml$ {
    autodiscover;
}
--- request eval
["POST /autodiscover/autodiscover.xml\n" . AD::pox('john@contoso.com'),
 "POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')]
--- error_code eval
[302, 200]
--- response_headers eval
["Location: https://autodiscover.hoster.com/autodiscover/autodiscover.xml",
 "!Location"]
--- response_body_like eval
[qr/302 Found/, qr/<Action>settings<\/Action>/]



=== TEST 9: the default mode is the redirectUrl document
--- http_config
autodiscover_domains contoso.com;
autodiscover_redirect_url https://autodiscover.hoster.com/autodiscover/autodiscover.xml;
--- config
location ~* ^/autodiscover/autodiscover\.xml$ {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('john@contoso.com')
--- error_code: 200
--- response_body_like: <Action>redirectUrl</Action>



=== TEST 10: a bad autodiscover_redirect_mode
--- http_config
autodiscover_redirect_mode 301;
--- config
--- must_die
--- request
GET /
--- error_log
invalid value "301" in "autodiscover_redirect_mode" directive, it must be "document" or "302" in
