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
