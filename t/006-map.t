# Per-domain and per-address answers from map blocks: exact, hostnames
# and regex keys; redirects and protocols switched by a map.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

AD::defaults(config => <<'_EOC_');
location ~* ^/autodiscover/autodiscover\.xml$ {
    autodiscover;
    add_header X-User "$autodiscover_user" always;
    add_header X-Domain "$autodiscover_domain" always;
}
_EOC_

our $HEAD = qq{<?xml version="1.0" encoding="utf-8"?>\n}
    . qq{<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">\n}
    . qq{  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">\n};

our $TAIL = qq{    </Account>\n  </Response>\n</Autodiscover>\n};

# one IMAP protocol on $host, the login $login
sub imap {
    my ($host, $login) = @_;

    return $HEAD
        . qq{    <Account>\n}
        . qq{      <AccountType>email</AccountType>\n}
        . qq{      <Action>settings</Action>\n}
        . qq{      <Protocol>\n}
        . qq{        <Type>IMAP</Type>\n}
        . qq{        <Server>$host</Server>\n}
        . qq{        <Port>993</Port>\n}
        . qq{        <DomainRequired>off</DomainRequired>\n}
        . qq{        <LoginName>$login</LoginName>\n}
        . qq{        <SPA>off</SPA>\n}
        . qq{        <SSL>on</SSL>\n}
        . qq{        <AuthRequired>on</AuthRequired>\n}
        . qq{      </Protocol>\n}
        . $TAIL;
}

sub post { "POST /autodiscover/autodiscover.xml\n" . AD::pox($_[0]) }

run_tests();

__DATA__

=== TEST 1: exact keys, matched on the lower-cased domain
--- http_config
map $autodiscover_domain $imap_host {
    example.com imap.example.com;
    example.net mx.example.net;
}
map $autodiscover_domain $login {
    example.com $autodiscover_email;
    example.net $autodiscover_user;
}
autodiscover_domains example.com example.net;
autodiscover_protocol IMAP server=$imap_host login=$login;
--- request eval
[main::post('alice@EXAMPLE.com'), main::post('Bob@example.net')]
--- response_headers_like eval
["X-User: alice\nX-Domain: example\\.com", "X-User: Bob\nX-Domain: example\\.net"]
--- response_body eval
[main::imap('imap.example.com', 'alice@example.com'),
 main::imap('mx.example.net', 'Bob')]



=== TEST 2: hostnames keys: a domain and all its subdomains
--- http_config
map $autodiscover_domain $imap_host {
    hostnames;
    default imap.hoster.example;
    .corp.example imap.corp.example;
    *.eu.example imap.eu.example;
}
autodiscover_domains *;
autodiscover_protocol IMAP server=$imap_host login=$autodiscover_email;
--- request eval
[main::post('a@corp.example'), main::post('a@sales.corp.example'),
 main::post('a@de.eu.example'), main::post('a@eu.example')]
--- response_body eval
[main::imap('imap.corp.example', 'a@corp.example'),
 main::imap('imap.corp.example', 'a@sales.corp.example'),
 main::imap('imap.eu.example', 'a@de.eu.example'),
 main::imap('imap.hoster.example', 'a@eu.example')]



=== TEST 3: regex keys with captures, ~ and ~*
--- http_config
map $autodiscover_domain $imap_host {
    ~^(?<tenant>[a-z0-9-]+)\.hosted\.example$ imap.$tenant.hosted.example;
    default imap.hoster.example;
}
map $autodiscover_email $login {
    ~*^ADMIN@ administrator;
    default $autodiscover_email;
}
autodiscover_domains *.hosted.example other.example;
autodiscover_protocol IMAP server=$imap_host login=$login;
--- request eval
[main::post('a@acme.hosted.example'), main::post('Admin@other.example')]
--- response_body eval
[main::imap('imap.acme.hosted.example', 'a@acme.hosted.example'),
 main::imap('imap.hoster.example', 'administrator')]



=== TEST 4: per-address redirectAddr and per-domain redirectUrl from maps
--- http_config
map $autodiscover_email $moved_to {
    default "";
    alice@example.com alice@new.example.com;
}
map $autodiscover_domain $hosted_at {
    default "";
    contoso.com https://autodiscover.hoster.com/autodiscover/autodiscover.xml;
}
autodiscover_domains example.com contoso.com;
autodiscover_redirect_addr $moved_to;
autodiscover_redirect_url $hosted_at;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- request eval
[main::post('alice@example.com'), main::post('bob@example.com'),
 main::post('carol@contoso.com')]
--- response_body eval
[$main::HEAD
 . qq{    <Account>\n}
 . qq{      <AccountType>email</AccountType>\n}
 . qq{      <Action>redirectAddr</Action>\n}
 . qq{      <RedirectAddr>alice\@new.example.com</RedirectAddr>\n}
 . $main::TAIL,
 main::imap('imap.example.com', 'bob@example.com'),
 $main::HEAD
 . qq{    <Account>\n}
 . qq{      <AccountType>email</AccountType>\n}
 . qq{      <Action>redirectUrl</Action>\n}
 . qq{      <RedirectUrl>https://autodiscover.hoster.com/autodiscover/autodiscover.xml</RedirectUrl>\n}
 . $main::TAIL]



=== TEST 5: a protocol switched off per domain by an empty server
--- http_config
map $autodiscover_domain $pop3_host {
    default "";
    legacy.example pop.legacy.example;
}
autodiscover_domains example.com legacy.example;
autodiscover_protocol POP3 server=$pop3_host login=$autodiscover_email;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- request eval
[main::post('a@example.com'), main::post('a@legacy.example')]
--- response_body eval
[main::imap('imap.example.com', 'a@example.com'),
 $main::HEAD
 . qq{    <Account>\n}
 . qq{      <AccountType>email</AccountType>\n}
 . qq{      <Action>settings</Action>\n}
 . qq{      <Protocol>\n}
 . qq{        <Type>POP3</Type>\n}
 . qq{        <Server>pop.legacy.example</Server>\n}
 . qq{        <Port>995</Port>\n}
 . qq{        <DomainRequired>off</DomainRequired>\n}
 . qq{        <LoginName>a\@legacy.example</LoginName>\n}
 . qq{        <SPA>off</SPA>\n}
 . qq{        <SSL>on</SSL>\n}
 . qq{        <AuthRequired>on</AuthRequired>\n}
 . qq{      </Protocol>\n}
 . qq{      <Protocol>\n}
 . qq{        <Type>IMAP</Type>\n}
 . qq{        <Server>imap.example.com</Server>\n}
 . qq{        <Port>993</Port>\n}
 . qq{        <DomainRequired>off</DomainRequired>\n}
 . qq{        <LoginName>a\@legacy.example</LoginName>\n}
 . qq{        <SPA>off</SPA>\n}
 . qq{        <SSL>on</SSL>\n}
 . qq{        <AuthRequired>on</AuthRequired>\n}
 . qq{      </Protocol>\n}
 . $main::TAIL]



=== TEST 6: server-level settings inherited, a location overriding one
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
location = /other/autodiscover.xml {
    autodiscover_protocol IMAP server=imap.other.example login=$autodiscover_user;
    autodiscover;
}
--- request eval
["POST /autodiscover/autodiscover.xml\n" . AD::pox('a@example.com'),
 "POST /other/autodiscover.xml\n" . AD::pox('a@example.com')]
--- response_body eval
[main::imap('imap.example.com', 'a@example.com'),
 main::imap('imap.other.example', 'a')]



=== TEST 7: a login= that several protocols share is evaluated once per request, even from a volatile map
--- log_level: debug
--- http_config
map $autodiscover_email $login {
    volatile;
    default  "$autodiscover_user";
}
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com login=$login;
autodiscover_protocol POP3 server=mail.example.com login=$login;
autodiscover_protocol SMTP server=mail.example.com login=$login;
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('Alice@example.com')
--- grep_error_log eval
qr/http map: "[^"]*" "[^"]*"/
--- grep_error_log_out
http map: "Alice@example.com" "Alice"
--- response_body eval
$::HEAD
. qq{    <Account>\n}
. qq{      <AccountType>email</AccountType>\n}
. qq{      <Action>settings</Action>\n}
. CORE::join('', map {
      qq{      <Protocol>\n}
      . qq{        <Type>$_->[0]</Type>\n}
      . qq{        <Server>mail.example.com</Server>\n}
      . qq{        <Port>$_->[1]</Port>\n}
      . qq{        <DomainRequired>off</DomainRequired>\n}
      . qq{        <LoginName>Alice</LoginName>\n}
      . qq{        <SPA>off</SPA>\n}
      . qq{        <SSL>on</SSL>\n}
      . qq{        <AuthRequired>on</AuthRequired>\n}
      . qq{      </Protocol>\n}
  } [ 'IMAP', 993 ], [ 'POP3', 995 ], [ 'SMTP', 465 ])
. $::TAIL



=== TEST 8: an entry rendered with the configuration: the values of its holes escaped, an empty login rendered without its line
--- http_config
map $autodiscover_email $login {
    default           $autodiscover_email;
    amp@example.com   "a&b<c>'\"";
    none@example.com  "";
}
map $autodiscover_domain $imap_host {
    default           imap.example.com;
}
autodiscover_domains example.com;
autodiscover_protocol IMAP server=$imap_host login=$login;
--- request eval
[main::post('amp@example.com'), main::post('none@example.com'),
 main::post('x@example.com')]
--- response_body eval
[main::imap('imap.example.com', 'a&amp;b&lt;c&gt;&apos;&quot;'),
 main::imap('imap.example.com', 'X') =~ s{ *<LoginName>X</LoginName>\n}{}r,
 main::imap('imap.example.com', 'x@example.com')]
