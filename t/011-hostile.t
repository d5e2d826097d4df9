# Hostile characters in every value that reaches an answer: escaped in
# the document, refused where they would make it invalid.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

AD::defaults(error_code => 200);

our $HEAD = qq{<?xml version="1.0" encoding="utf-8"?>\n}
    . qq{<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">\n}
    . qq{  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">\n};

# a settings document with a display name and one IMAP protocol
sub doc {
    my ($name, $server, $login, $domain) = @_;

    return $HEAD
        . qq{    <User>\n      <DisplayName>$name</DisplayName>\n    </User>\n}
        . qq{    <Account>\n}
        . qq{      <AccountType>email</AccountType>\n}
        . qq{      <Action>settings</Action>\n}
        . qq{      <Protocol>\n}
        . qq{        <Type>IMAP</Type>\n}
        . qq{        <Server>$server</Server>\n}
        . qq{        <Port>993</Port>\n}
        . qq{        <DomainRequired>off</DomainRequired>\n}
        . qq{        <LoginName>$login</LoginName>\n}
        . qq{        <DomainName>$domain</DomainName>\n}
        . qq{        <SPA>off</SPA>\n}
        . qq{        <SSL>on</SSL>\n}
        . qq{        <AuthRequired>on</AuthRequired>\n}
        . qq{      </Protocol>\n}
        . qq{    </Account>\n  </Response>\n</Autodiscover>\n};
}

run_tests();

__DATA__

=== TEST 1: & and ' of a valid address, escaped wherever it is reflected
--- http_config
autodiscover_domains example.com;
autodiscover_display_name "$autodiscover_user";
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email
                      domain_name=$autodiscover_domain;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox("o'brien&amp;co\@example.com")
--- response_body eval
main::doc('o&apos;brien&amp;co', 'imap.example.com',
          'o&apos;brien&amp;co@example.com', 'example.com')



=== TEST 2: every other special character a local part may hold
--- http_config
autodiscover_domains example.com;
autodiscover_display_name "$autodiscover_user";
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email
                      domain_name=$autodiscover_domain;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox("!#\$%*+-/=?^_`{|}~.x\@example.com")
--- response_body eval
main::doc("!#\$%*+-/=?^_`{|}~.x", 'imap.example.com',
          "!#\$%*+-/=?^_`{|}~.x\@example.com", 'example.com')



=== TEST 3: markup from a map in every configured value
--- http_config
map $autodiscover_domain $name {
    default "<b>Tom & Jerry's \"mail\"</b>";
}
map $autodiscover_domain $server {
    default "imap.example.com\"><x>";
}
map $autodiscover_domain $login {
    default "</LoginName><Type>SMTP</Type>";
}
map $autodiscover_domain $dom {
    default "]]>&amp;";
}
autodiscover_domains example.com;
autodiscover_display_name $name;
autodiscover_protocol IMAP server=$server login=$login domain_name=$dom;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- response_body eval
main::doc('&lt;b&gt;Tom &amp; Jerry&apos;s &quot;mail&quot;&lt;/b&gt;',
          'imap.example.com&quot;&gt;&lt;x&gt;',
          '&lt;/LoginName&gt;&lt;Type&gt;SMTP&lt;/Type&gt;',
          ']]&gt;&amp;amp;')



=== TEST 4: markup in the LegacyDN, reflected through its variable
--- http_config
autodiscover_domains example.com;
autodiscover_display_name "$autodiscover_legacydn";
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email
                      domain_name=$autodiscover_domain;
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<LegacyDN>/o=&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&amp;</LegacyDN>"
              . "<EMailAddress>alice\@example.com</EMailAddress>")
--- response_body eval
main::doc('/o=&lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt;&amp;',
          'imap.example.com', 'alice@example.com', 'example.com')



=== TEST 5: UTF-8 in the local part and the domain, passed through
--- http_config
autodiscover_domains *;
autodiscover_display_name "$autodiscover_user";
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email
                      domain_name=$autodiscover_domain;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox("j\xc3\xb6rg\@b\xc3\xbccher.example")
--- response_body eval
main::doc("j\xc3\xb6rg", 'imap.example.com', "j\xc3\xb6rg\@b\xc3\xbccher.example",
          "b\xc3\xbccher.example")



=== TEST 6: markup in a GET address is refused, not reflected
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- request
GET /autodiscover/autodiscover.xml?email=%3Cscript%3E@example.com
--- response_body_like eval
AD::error_like(600)



=== TEST 7: invalid UTF-8 and control bytes in a GET address are refused
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- request eval
["GET /autodiscover/autodiscover.xml?email=a%FF%FE\@example.com",
 "GET /autodiscover/autodiscover.xml?email=a%0D%0AX-Injected:%201\@example.com",
 "GET /autodiscover/autodiscover.xml?email=a%00b\@example.com",
 "GET /autodiscover/autodiscover.xml?email=a\@ex%C3ample.com",
 "GET /autodiscover/autodiscover.xml?email=%F8%90%80%80\@example.com",
 "GET /autodiscover/autodiscover.xml?email=%ED%A0%80\@example.com"]
--- error_code eval
[(200) x 6]
--- response_body_like eval
[(AD::error_like(600)) x 6]
--- response_headers eval
[("!X-Injected") x 6]



=== TEST 8: a control character from a map is refused with 602
--- http_config eval
"map \$autodiscover_domain \$name {\n    default \"a\x01b\";\n}\n"
. "autodiscover_domains example.com;\n"
. "autodiscover_display_name \$name;\n"
. "autodiscover_protocol IMAP server=imap.example.com;\n"
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- response_body_like eval
AD::error_like(602)
--- error_log
autodiscover: invalid display name



=== TEST 9: invalid UTF-8 from a map is refused with 602
--- http_config eval
"map \$autodiscover_domain \$server {\n    default \"imap.\xff.example\";\n}\n"
. "autodiscover_domains example.com;\n"
. "autodiscover_protocol IMAP server=\$server;\n"
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- response_body_like eval
AD::error_like(602)
--- error_log
autodiscover: invalid server



=== TEST 10: an unsupported schema is never reflected
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox('alice@example.com', '&lt;/Message&gt;&lt;script&gt;')
--- response_body_like eval
AD::error_like(601)



=== TEST 11: a lead byte without its continuation bytes is refused
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- request eval
["GET /autodiscover/autodiscover.xml?email=a%C3%EF\@example.com",
 "GET /autodiscover/autodiscover.xml?email=a%DA%DA\@example.com",
 "GET /autodiscover/autodiscover.xml?email=a%E2%82\@example.com"]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[(AD::error_like(600)) x 3]



=== TEST 12: an external entity naming a local file: the file is never read
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- user_files
>>> xxe-marker.txt
XXE-MARKER-7f3a
--- request eval
["POST /autodiscover/autodiscover.xml\n"
 . qq{<?xml version="1.0"?><!DOCTYPE Autodiscover [<!ENTITY x SYSTEM "file://}
 . main::html_dir() . qq{/xxe-marker.txt">]>}
 . AD::pox_raw("<EMailAddress>&x;</EMailAddress>"),
 "POST /autodiscover/autodiscover.xml\n"
 . qq{<?xml version="1.0"?><!DOCTYPE Autodiscover SYSTEM "}
 . main::html_dir() . qq{/xxe-marker.txt">}
 . AD::pox_raw("<EMailAddress>alice\@example.com</EMailAddress>")]
--- error_code eval
[200, 200]
--- response_body_like eval
[AD::error_like(600), AD::error_like(600)]
--- error_log
autodiscover: client sent a DOCTYPE or ENTITY declaration
--- no_error_log
XXE-MARKER
[alert]
[crit]



=== TEST 13: the URL probe logs when it is fetched (for TEST 14)
--- config
location = /xxe-probe {
    deny all;
}
--- request
GET /xxe-probe
--- error_code: 403
--- response_body_like: 403 Forbidden
--- error_log
access forbidden by rule



=== TEST 14: an external entity, an external DTD and a parameter entity naming a URL: nothing fetched
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
location = /xxe-probe {
    deny all;
}
--- request eval
my $url = "http://127.0.0.1:$ENV{TEST_NGINX_SERVER_PORT}/xxe-probe";
["POST /autodiscover/autodiscover.xml\n"
 . qq{<?xml version="1.0"?><!DOCTYPE Autodiscover [<!ENTITY x SYSTEM "$url">]>}
 . AD::pox_raw("<EMailAddress>&x;</EMailAddress>"),
 "POST /autodiscover/autodiscover.xml\n"
 . qq{<?xml version="1.0"?><!DOCTYPE Autodiscover SYSTEM "$url">}
 . AD::pox_raw("<EMailAddress>alice\@example.com</EMailAddress>"),
 "POST /autodiscover/autodiscover.xml\n"
 . qq{<?xml version="1.0"?><!DOCTYPE Autodiscover [<!ENTITY % p SYSTEM "$url"> %p;]>}
 . AD::pox_raw("<EMailAddress>alice\@example.com</EMailAddress>")]
--- error_code eval
[200, 200, 200]
--- response_body_like eval
[(AD::error_like(600)) x 3]
--- error_log
autodiscover: client sent a DOCTYPE or ENTITY declaration
--- no_error_log
access forbidden by rule
/xxe-probe HTTP
[alert]
[crit]



=== TEST 15: a 1 MB body with its Content-Length: refused unread
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
. '<!--' . ('x' x (1048576 - 7 - length AD::pox('alice@example.com'))) . '-->'
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client intended to send too large request body: 1048576 bytes, autodiscover_max_body is 4096
--- no_error_log
[alert]
[crit]



=== TEST 16: a 1 MB chunked body: read, then refused
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- raw_request eval
AD::chunked('/autodiscover/autodiscover.xml', AD::pox('alice@example.com')
            . '<!--' . ('x' x (1048576 - 7 - length AD::pox('alice@example.com')))
            . '-->', 65536)
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent too large request body: 1048576 bytes, autodiscover_max_body is 4096
--- no_error_log
[alert]
[crit]



=== TEST 17: a 1 KB address, in the body and in the query
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- request eval
["POST /autodiscover/autodiscover.xml\n"
 . AD::pox(('a' x 1012) . '@example.com'),
 "GET /autodiscover/autodiscover.xml?email=" . ('a' x 1012) . '@example.com']
--- error_code eval
[200, 200]
--- response_body_like eval
[(AD::error_like(600)) x 2]
--- error_log
autodiscover: client sent an invalid address of 1024 bytes
--- no_error_log eval
['[alert]', '[crit]']



=== TEST 18: NUL bytes in the body: in a value, between elements, after and before the document
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- request eval
["POST /autodiscover/autodiscover.xml\n" . AD::pox("alice\x00\@example.com"),
 "POST /autodiscover/autodiscover.xml\n"
 . AD::pox_raw("<EMailAddress>alice\@example.com</EMailAddress>\x00"),
 "POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com') . "\x00",
 "POST /autodiscover/autodiscover.xml\n\x00" . AD::pox('alice@example.com')]
--- error_code eval
[(200) x 4]
--- response_body_like eval
[(AD::error_like(600)) x 4]
--- error_log
autodiscover: client sent a NUL byte
--- no_error_log
[alert]
[crit]



=== TEST 19: invalid UTF-8 in the body: a stray byte, overlong, a surrogate, a truncated sequence
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- request eval
[map { "POST /autodiscover/autodiscover.xml\n" . AD::pox("al${_}ice\@example.com") }
 "\xff", "\xc0\xae", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80"]
--- error_code eval
[(200) x 5]
--- response_body_like eval
[(AD::error_like(600)) x 5]
--- no_error_log
[alert]
[crit]



=== TEST 20: 10000 nested elements: the parser's depth limit
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover_max_body 1m;
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<EMailAddress>alice\@example.com</EMailAddress>"
              . ('<x>' x 10000) . ('</x>' x 10000))
--- response_body_like eval
AD::error_like(600)
--- error_log
autodiscover: client sent invalid XML
--- no_error_log
[alert]
[crit]



=== TEST 21: 200 nested elements in EMailAddress: its text, flattened
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover_max_body 1m;
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox_raw("<EMailAddress>" . ('<x>' x 200) . "alice\@example.com"
              . ('</x>' x 200) . "</EMailAddress>")
--- response_body eval
AD::imap_doc('alice@example.com')



=== TEST 22: 5000 Request elements: the first one is answered
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover_max_body 1m;
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. qq{<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="$AD::REQ_NS">}
. CORE::join('', map { "<Request><EMailAddress>u$_\@example.com</EMailAddress></Request>" } 1 .. 5000)
. "</Autodiscover>"
--- response_body eval
AD::imap_doc('u1@example.com')
--- no_error_log
[alert]
[crit]



=== TEST 23: duplicate EMailAddress: the first one counts, valid or not
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- request eval
["POST /autodiscover/autodiscover.xml\n"
 . AD::pox_raw("<EMailAddress>alice\@example.com</EMailAddress>"
               . "<EMailAddress>mallory\@evil.example</EMailAddress>"),
 "POST /autodiscover/autodiscover.xml\n"
 . AD::pox_raw("<EMailAddress>bob\@example.com</EMailAddress>"
               . "<EMailAddress>alice\@example.com</EMailAddress>"),
 "POST /autodiscover/autodiscover.xml\n"
 . AD::pox_raw("<EMailAddress>alice</EMailAddress>"
               . "<EMailAddress>alice\@example.com</EMailAddress>"),
 "POST /autodiscover/autodiscover.xml\n"
 . AD::pox_raw("<EmailAddress>alice\@example.com</EmailAddress>"
               . "<EMailAddress>bob\@example.com</EMailAddress>")]
--- error_code eval
[(200) x 4]
--- response_body_like eval
[qr/\A\Q${\ AD::imap_doc('alice@example.com')}\E\z/,
 qr/\A\Q${\ AD::imap_doc('bob@example.com')}\E\z/, AD::error_like(600),
 qr/\A\Q${\ AD::imap_doc('alice@example.com')}\E\z/]



=== TEST 24: CR/LF in the address, in a LegacyDN, and from maps: refused, never reflected
--- http_config
map $arg_f $name {
    default "";
    name    "Alice\r\nBcc: x";
}
map $arg_f $login {
    default "";
    login   "alice\r\n</LoginName>";
}
map $arg_f $server {
    default "imap.example.com";
    server  "imap.example.com\r\nx";
}
autodiscover_domains example.com;
autodiscover_display_name $name;
autodiscover_protocol IMAP server=$server login=$login;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
location = /legacydn {
    autodiscover_display_name $autodiscover_legacydn;
    autodiscover;
}
--- request eval
["POST /autodiscover/autodiscover.xml\n" . AD::pox('alice&#13;&#10;bcc@example.com'),
 "POST /autodiscover/autodiscover.xml\n" . AD::pox("alice\r\n\@example.com"),
 "POST /autodiscover/autodiscover.xml?f=name\n" . AD::pox('alice@example.com'),
 "POST /autodiscover/autodiscover.xml?f=login\n" . AD::pox('alice@example.com'),
 "POST /autodiscover/autodiscover.xml?f=server\n" . AD::pox('alice@example.com'),
 "POST /legacydn\n"
 . AD::pox_raw("<LegacyDN>/o=x&#13;&#10;&lt;y&gt;</LegacyDN>"
               . "<EMailAddress>alice\@example.com</EMailAddress>")]
--- error_code eval
[(200) x 6]
--- response_body_like eval
[AD::error_like(600), AD::error_like(600), AD::error_like(602),
 AD::error_like(602), AD::error_like(602), AD::error_like(602)]
--- no_error_log
[alert]
[crit]



=== TEST 25: quotes and <&> in the local part and the display name of an ActiveSync answer
--- http_config
map $autodiscover_domain $name {
    default "<i>\"Tom\" & 'Jerry'</i>";
}
autodiscover_domains example.com;
autodiscover_display_name $name;
autodiscover_activesync_url https://mail.example.com/Microsoft-Server-ActiveSync;
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox("o'neil&amp;co\@example.com", $AD::MOBILESYNC, "${AD::NS}mobilesync/requestschema/2006")
--- response_body
<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006">
    <Culture>en:us</Culture>
    <User>
      <DisplayName>&lt;i&gt;&quot;Tom&quot; &amp; &apos;Jerry&apos;&lt;/i&gt;</DisplayName>
      <EMailAddress>o&apos;neil&amp;co@example.com</EMailAddress>
    </User>
    <Action>
      <Settings>
        <Server>
          <Type>MobileSync</Type>
          <Url>https://mail.example.com/Microsoft-Server-ActiveSync</Url>
          <Name>https://mail.example.com/Microsoft-Server-ActiveSync</Name>
        </Server>
      </Settings>
    </Action>
  </Response>
</Autodiscover>



=== TEST 26: a Content-Length larger than the body sent, then the client closes
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- raw_request eval
"POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: localhost\r\n"
. "Content-Type: text/xml\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n"
. substr(AD::pox('alice@example.com'), 0, 100)
--- shutdown: 1
--- error_code:
--- response_body:
--- error_log
client prematurely closed connection
--- no_error_log
[alert]
[crit]
autodiscover:



=== TEST 27: a client that stops sending mid-body: client_body_timeout, then the next request is answered
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- config
client_body_timeout 1s;
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- request eval
[[{ value => "POST /autodiscover/autodiscover.xml\n"
             . substr(AD::pox('alice@example.com'), 0, 100) },
  { value => substr(AD::pox('alice@example.com'), 100), delay_before => 3 }],
 "POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')]
--- timeout: 6
--- error_code eval
['', 200]
--- response_body eval
['', AD::imap_doc()]
--- access_log
"POST /autodiscover/autodiscover.xml HTTP/1.1" 408 0
--- no_error_log
[alert]
[crit]



=== TEST 28: a chunked body cut inside a chunk, then the client closes
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- raw_request eval
"POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: localhost\r\n"
. "Content-Type: text/xml\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
. sprintf("%x\r\n", 1000) . substr(AD::pox('alice@example.com'), 0, 100)
--- shutdown: 1
--- error_code:
--- response_body:
--- error_log
client prematurely closed connection
--- no_error_log
[alert]
[crit]
autodiscover:
