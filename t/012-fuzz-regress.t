# What the libFuzzer harnesses (make fuzz) found, over HTTP: each block
# names its input in fuzz/regress/ and checks the whole answer.  Under
# make test-asan these blocks also fail on the undefined behaviour that
# had no visible symptom (the NULL + 0 ones).

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

AD::defaults(http_config => <<'_EOC_', config => <<'_EOC_');
server_tokens off;
autodiscover_domains example.com;
autodiscover_activesync_url https://mail.example.com/Microsoft-Server-ActiveSync;
autodiscover_v1_url https://autodiscover.example.com/autodiscover/autodiscover.xml;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
_EOC_
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
location = /mail/config-v1.1.xml {
    autodiscover_autoconfig;
}
location = /.well-known/autoconfig/mail/config-v1.1.xml {
    autodiscover_autoconfig;
}
location ~* ^/autodiscover/autodiscover\.json {
    autodiscover_json;
}
_EOC_

our $BAD_REQUEST = <<'_EOC_';
<html>
<head><title>400 Bad Request</title></head>
<body>
<center><h1>400 Bad Request</h1></center>
<hr><center>nginx</center>
</body>
</html>
_EOC_
$BAD_REQUEST =~ s/\n/\r\n/g;

our $SERVER_ERROR = <<'_EOC_';
<html>
<head><title>500 Internal Server Error</title></head>
<body>
<center><h1>500 Internal Server Error</h1></center>
<hr><center>nginx</center>
</body>
</html>
_EOC_
$SERVER_ERROR =~ s/\n/\r\n/g;

# the autoconfig document of the blocks' service, with $name as the
# provider's display names
sub autoconfig {
    my ($name, $user) = @_;

    return qq{<?xml version="1.0" encoding="UTF-8"?>\n}
        . qq{<clientConfig version="1.1">\n}
        . qq{  <emailProvider id="example.com">\n}
        . qq{    <domain>example.com</domain>\n}
        . qq{    <displayName>$name</displayName>\n}
        . qq{    <displayShortName>$name</displayShortName>\n}
        . qq{    <incomingServer type="imap">\n}
        . qq{      <hostname>imap.example.com</hostname>\n}
        . qq{      <port>993</port>\n}
        . qq{      <socketType>SSL</socketType>\n}
        . qq{      <authentication>password-cleartext</authentication>\n}
        . qq{      <username>$user</username>\n}
        . qq{    </incomingServer>\n}
        . qq{  </emailProvider>\n}
        . qq{</clientConfig>\n};
}

run_tests();

__DATA__

=== TEST 1: a lead byte followed by no continuation byte: not an address
fuzz/regress/get_args/utf8-continuation-autoconfig: "\xc3\xef" and
"\xda\xda" passed the check (nginx's ngx_utf8_decode() looks only at the
high bit of what follows a lead byte) and went into the document, which
then was not UTF-8.  Fixed in be6e4e8.
--- request eval
["GET /.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=b%C3%EF9~b%C3%A9%40example.com",
 "GET /mail/config-v1.1.xml?emailaddress=a%DA%DA%40example.com",
 "GET /mail/config-v1.1.xml?emailaddress=a%E2%82%40example.com",
 "GET /mail/config-v1.1.xml?emailaddress=a%C3%A9%40ex%F0%9F%98ample.com"]
--- error_code eval
[(400) x 4]
--- response_body eval
[($main::BAD_REQUEST) x 4]
--- error_log
autodiscover: client sent an invalid address of
--- no_error_log
[error]



=== TEST 2: the same addresses, valid, are answered
--- request eval
["GET /.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=b%C3%A99~b%C3%A9%40example.com",
 "GET /mail/config-v1.1.xml?emailaddress=a%DA%9A%40example.com"]
--- response_body eval
[main::autoconfig('example.com', "b\xc3\xa99~b\xc3\xa9\@example.com"),
 main::autoconfig('example.com', "a\xda\x9a\@example.com")]



=== TEST 3: a display name from variables with bad continuation bytes
fuzz/regress/render/utf8-continuation-display-name: a value that a
variable produced at run time went into the answer unchecked in the same
way.  Now it is refused, logged, and answered 500.
--- http_config
server_tokens off;
autodiscover_domains example.com;
autodiscover_provider_name $http_x_name;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- more_headers eval
["X-Name: Caf\xc3\xef", "X-Name: \xda\xda\xda\xda"]
--- request eval
["GET /mail/config-v1.1.xml?emailaddress=alice%40example.com",
 "GET /mail/config-v1.1.xml?emailaddress=alice%40example.com"]
--- error_code eval
[500, 500]
--- response_body eval
[$main::SERVER_ERROR, $main::SERVER_ERROR]
--- error_log
from variables, it must be UTF-8 text without control characters



=== TEST 4: the same display name, valid, is answered
--- http_config
server_tokens off;
autodiscover_domains example.com;
autodiscover_provider_name $http_x_name;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- more_headers eval
"X-Name: Caf\xc3\xa9 \xda\x9a"
--- request
GET /mail/config-v1.1.xml?emailaddress=alice%40example.com
--- response_body eval
main::autoconfig("Caf\xc3\xa9 \xda\x9a", 'alice@example.com')



=== TEST 5: Autodiscover v2 without Protocol: an empty value escaped
fuzz/regress/get_args/json-without-protocol: the JSON escaper computed
NULL + 0 for the unset Protocol and copied 0 bytes from NULL (undefined
behaviour, no visible symptom but under make test-asan).  Fixed in
be6e4e8.
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.com
--- error_code: 400
--- response_body chomp
{"ErrorCode":"InvalidProtocol","ErrorMessage":"The given protocol value '' is invalid. Supported values are 'ActiveSync,AutodiscoverV1'"}



=== TEST 6: a chunked body in chunks of 7 bytes
fuzz/regress/xml_request/empty-buffers-of-a-chunked-body: the body
reader copied 0 bytes from the NULL pos of an empty buffer, the last one
of a chunked body (undefined behaviour, seen only under make test-asan).
Fixed in be6e4e8.
--- raw_request eval
AD::chunked('/autodiscover/autodiscover.xml', AD::pox('alice@example.com'), 7)
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 7: a chunked body in chunks of 1 byte
--- raw_request eval
AD::chunked('/autodiscover/autodiscover.xml', AD::pox('alice@example.com'), 1)
--- response_body eval
AD::imap_doc('alice@example.com')
