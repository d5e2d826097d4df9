# What a client or another server sends reaches the error log escaped:
# libxml2's messages quote bytes of the document, line breaks included,
# and every one of them is logged on one line, with \xNN escapes.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

# a line as nginx writes it, which a client would like to add to the log
our $FORGED = '2026/12/04 21:00:00 [emerg] 1#1: forged';

# a line starting as the forged one, or as what followed it
our @FORGED = (qr{^2026/12/04 21:00:00 \[emerg\]}, qr{^</Reque}, qr{^Bytes:});

AD::defaults(http_config => $AD::SERVICE, error_code => 200);

run_tests();

__DATA__

=== TEST 1: an unterminated comment holding CR LF and a forged log line
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<!-- \xc3\xa9\r\n$main::FORGED\r\n")
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent invalid XML: Comment not terminated \x0a<!--\xc3\xa9\x0a2026/12/04 21:00:00 [emerg] 1#1: forged\x0a</Reque, client: 127.0.0.1, server: localhost, request: "POST /autodiscover/autodiscover.xml HTTP/1.1"
--- no_error_log eval
[@main::FORGED]



=== TEST 2: invalid UTF-8: libxml2's "Bytes:" on the same line
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<EMailAddress>al\xff\xfeice\@example.com</EMailAddress>")
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent invalid XML: Input is not proper UTF-8, indicate encoding !\x0aBytes: 0xFF 0xFE 0x69 0x63, client: 127.0.0.1, server: localhost, request: "POST /autodiscover/autodiscover.xml HTTP/1.1"
--- no_error_log eval
[@main::FORGED]



=== TEST 3: quotes, backslashes and a bare CR quoted by libxml2, escaped
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<!-- \xc3\xa9\"\\\r$main::FORGED")
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent invalid XML: Comment not terminated \x0a<!--\xc3\xa9\x22\x5c\x0a2026/12/04 21:00:00 [emerg] 1#1: forged</Requ, client: 127.0.0.1
--- no_error_log eval
[@main::FORGED]



=== TEST 4: another server's answer with a forged line: nothing of it logged
--- http_config eval
"autodiscover_domains local.test;
autodiscover_protocol IMAP server=imap.local.test;
autodiscover_fallback /fallback;
autodiscover_fallback_url https://forged.test/autodiscover/autodiscover.xml;

server {
    listen \$TEST_NGINX_SERVER_PORT;
    server_name forged.test;

    location / {
        return 200 '<Autodiscover><!-- \xc3\xa9\r\n$main::FORGED\r\n<x>\xff\xfe\r\nBytes:';
    }
}"
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}

location = /fallback {
    internal;
    proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT$autodiscover_fallback_uri;
    proxy_set_header Host $autodiscover_fallback_host;
    proxy_pass_request_headers off;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
autodiscover: fallback for "bob@remote.test" failed: no Autodiscover document of the schema asked for
--- no_error_log eval
[@main::FORGED]



=== TEST 5: another server's overlong element: its length logged, not its text, and not as the client's
--- http_config eval
"autodiscover_domains local.test;
autodiscover_protocol IMAP server=imap.local.test;
autodiscover_fallback /fallback;
autodiscover_fallback_url https://forged.test/autodiscover/autodiscover.xml;

server {
    listen \$TEST_NGINX_SERVER_PORT;
    server_name forged.test;

    location / {
        return 200 '<Autodiscover xmlns=\"${AD::NS}responseschema/2006\"><Response xmlns=\"$AD::OUTLOOK\"><Account><Action>redirectAddr</Action><RedirectAddr>\r\n$main::FORGED\r\n@{[ 'x' x 1024 ]}</RedirectAddr></Account></Response></Autodiscover>';
    }
}"
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}

location = /fallback {
    internal;
    proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT$autodiscover_fallback_uri;
    proxy_set_header Host $autodiscover_fallback_host;
    proxy_pass_request_headers off;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
autodiscover: fallback answer with an element of 1064 bytes while
--- no_error_log eval
[@main::FORGED, qr/client sent an element/]
