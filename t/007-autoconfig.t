# Thunderbird autoconfig (config-v1.1.xml) from the same service
# description: protocol combinations, TLS modes, address forms, errors.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

AD::defaults(http_config => <<'_EOC_', config => <<'_EOC_');
autodiscover_domains example.com example.net;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=starttls
                      login=$autodiscover_email;
_EOC_
location = /mail/config-v1.1.xml {
    autodiscover_autoconfig;
}
location = /.well-known/autoconfig/mail/config-v1.1.xml {
    autodiscover_autoconfig;
}
_EOC_

# the document around its servers, for domain $d
sub doc {
    my ($d, $servers, $extra) = @_;

    return qq{<?xml version="1.0" encoding="UTF-8"?>\n}
        . qq{<clientConfig version="1.1">\n}
        . qq{  <emailProvider id="$d">\n}
        . qq{    <domain>$d</domain>\n}
        . qq{    <displayName>$d</displayName>\n}
        . qq{    <displayShortName>$d</displayShortName>\n}
        . $servers
        . qq{  </emailProvider>\n}
        . qq{</clientConfig>\n};
}

# one incomingServer or outgoingServer
sub server {
    my ($dir, $type, $host, $port, $socket, $auth, $user, $extra) = @_;

    return qq{    <${dir}Server type="$type">\n}
        . qq{      <hostname>$host</hostname>\n}
        . qq{      <port>$port</port>\n}
        . qq{      <socketType>$socket</socketType>\n}
        . qq{      <authentication>$auth</authentication>\n}
        . qq{      <username>$user</username>\n}
        . ($extra // '')
        . qq{    </${dir}Server>\n};
}

sub imap_smtp {
    my ($user, $d) = @_;

    return doc($d || 'example.com',
        server('incoming', 'imap', 'imap.example.com', 993, 'SSL',
               'password-cleartext', $user)
        . server('outgoing', 'smtp', 'smtp.example.com', 587, 'STARTTLS',
                 'password-cleartext', $user));
}

run_tests();

__DATA__

=== TEST 1: IMAP + SMTP for an address, ISPDB path
--- request
GET /mail/config-v1.1.xml?emailaddress=alice%40example.com
--- response_headers
Content-Type: text/xml; charset=utf-8
--- response_body eval
main::imap_smtp('alice@example.com')



=== TEST 2: the well-known path, an unencoded @
--- request
GET /.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice@example.com
--- response_body eval
main::imap_smtp('alice@example.com')



=== TEST 3: no address (Thunderbird for Android): the Host's domain, placeholders
--- more_headers
Host: autoconfig.Example.net
--- request
GET /mail/config-v1.1.xml
--- response_body eval
main::imap_smtp('%EMAILADDRESS%', 'example.net')



=== TEST 4: no address, the domain itself as Host
--- more_headers
Host: example.com
--- request
GET /.well-known/autoconfig/mail/config-v1.1.xml
--- response_body eval
main::imap_smtp('%EMAILADDRESS%')



=== TEST 5: Evolution's EVOLUTIONUSER@domain: the domain, placeholders
--- request
GET /mail/config-v1.1.xml?emailaddress=EVOLUTIONUSER%40example.net
--- response_body eval
main::imap_smtp('%EMAILADDRESS%', 'example.net')



=== TEST 6: $autodiscover_user holds %EMAILLOCALPART% without an address
--- http_config
autodiscover_domains example.com;
autodiscover_protocol POP3 server=pop.example.com login=$autodiscover_user;
autodiscover_protocol SMTP server=smtp.example.com login=$autodiscover_user;
--- more_headers
Host: autoconfig.example.com
--- request
GET /mail/config-v1.1.xml
--- response_body eval
main::doc('example.com',
    main::server('incoming', 'pop3', 'pop.example.com', 995, 'SSL',
                 'password-cleartext', '%EMAILLOCALPART%')
    . main::server('outgoing', 'smtp', 'smtp.example.com', 465, 'SSL',
                   'password-cleartext', '%EMAILLOCALPART%'))



=== TEST 7: each TLS mode and authentication, no login: the address; the plain POP3 server is left out beside a usable IMAP one (Thunderbird for Android and iOS reject a document with it), no outgoing server is usable by them, so both stay
--- http_config
autodiscover_domains example.com;
autodiscover_protocol POP3 server=pop.example.com tls=none auth=password-encrypted
                      leave_on_server=off days_to_leave=7;
autodiscover_protocol IMAP server=imap.example.com tls=starttls auth=OAuth2;
autodiscover_protocol SMTP server=smtp.example.com tls=none port=25 auth=client-IP-address;
autodiscover_protocol SMTP server=smtp2.example.com auth=NTLM;
autodiscover_protocol EXCH server=ex.example.com;
--- request
GET /mail/config-v1.1.xml?emailaddress=bob@example.com
--- response_body eval
main::doc('example.com',
    main::server('incoming', 'imap', 'imap.example.com', 143, 'STARTTLS',
                 'OAuth2', 'bob@example.com')
    . main::server('outgoing', 'smtp', 'smtp.example.com', 25, 'plain',
                   'client-IP-address', 'bob@example.com')
    . main::server('outgoing', 'smtp', 'smtp2.example.com', 465, 'SSL',
                   'NTLM', 'bob@example.com'))



=== TEST 8: a plain POP3 server alone stays, with its POP3 options (desktop Thunderbird reads it)
--- http_config
autodiscover_domains example.com;
autodiscover_protocol POP3 server=pop.example.com tls=none auth=password-encrypted
                      leave_on_server=off days_to_leave=7;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=starttls;
--- request
GET /mail/config-v1.1.xml?emailaddress=bob@example.com
--- response_body eval
main::doc('example.com',
    main::server('incoming', 'pop3', 'pop.example.com', 110, 'plain',
                 'password-encrypted', 'bob@example.com',
                 "      <pop3>\n"
                 . "        <leaveMessagesOnServer>false</leaveMessagesOnServer>\n"
                 . "        <daysToLeaveMessagesOnServer>7</daysToLeaveMessagesOnServer>\n"
                 . "      </pop3>\n")
    . main::server('outgoing', 'smtp', 'smtp.example.com', 587, 'STARTTLS',
                   'password-cleartext', 'bob@example.com'))



=== TEST 9: of a usable server, the mechanisms Thunderbird for iOS does not know are left out: IMAP keeps password-cleartext, SMTP client-IP-address and password-encrypted (two: a 1.2 document)
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com auth=NTLM,GSSAPI,password-cleartext;
autodiscover_protocol SMTP server=smtp.example.com auth=none,client-IP-address,password-encrypted;
--- request
GET /mail/config-v1.1.xml?emailaddress=bob@example.com
--- response_body eval
main::doc('example.com',
    main::server('incoming', 'imap', 'imap.example.com', 993, 'SSL',
                 'password-cleartext', 'bob@example.com')
    . main::server('outgoing', 'smtp', 'smtp.example.com', 465, 'SSL',
                   "client-IP-address</authentication>\n"
                   . "      <authentication>password-encrypted",
                   'bob@example.com'))
    =~ s/version="1\.1"/version="1.2"/r



=== TEST 10: a server without a usable mechanism is left out beside one that has one
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=old.example.com auth=GSSAPI;
autodiscover_protocol IMAP server=imap.example.com;
autodiscover_protocol SMTP server=smtp.example.com;
--- request
GET /mail/config-v1.1.xml?emailaddress=bob@example.com
--- response_body eval
main::doc('example.com',
    main::server('incoming', 'imap', 'imap.example.com', 993, 'SSL',
                 'password-cleartext', 'bob@example.com')
    . main::server('outgoing', 'smtp', 'smtp.example.com', 465, 'SSL',
                   'password-cleartext', 'bob@example.com'))



=== TEST 11: provider names, domains, documentation and webmail
--- http_config
autodiscover_domains example.com example.org;
autodiscover_provider_name "Example & Co Mail";
autodiscover_provider_short_name "Example";
autodiscover_provider_domains example.com example.org example.net;
autodiscover_documentation_url "https://help.example.com/mail?a=1&b=2";
autodiscover_webmail_url https://webmail.example.com/;
autodiscover_protocol IMAP server=imap.example.com;
--- request
GET /mail/config-v1.1.xml?emailaddress=carol@example.org
--- response_body
<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <domain>example.com</domain>
    <domain>example.net</domain>
    <displayName>Example &amp; Co Mail</displayName>
    <displayShortName>Example</displayShortName>
    <incomingServer type="imap">
      <hostname>imap.example.com</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>carol@example.org</username>
    </incomingServer>
    <documentation url="https://help.example.com/mail?a=1&amp;b=2"/>
  </emailProvider>
  <webMail>
    <loginPage url="https://webmail.example.com/"/>
  </webMail>
</clientConfig>



=== TEST 12: per-domain servers from a map, a protocol left out per domain
--- http_config
map $autodiscover_domain $pop {
    default "";
    example.net pop.example.net;
}
autodiscover_domains example.com example.net;
autodiscover_protocol POP3 server=$pop;
autodiscover_protocol IMAP server=imap.$autodiscover_domain;
--- request eval
["GET /mail/config-v1.1.xml?emailaddress=a\@example.com",
 "GET /mail/config-v1.1.xml?emailaddress=a\@example.net"]
--- response_body eval
[main::doc('example.com',
    main::server('incoming', 'imap', 'imap.example.com', 993, 'SSL',
                 'password-cleartext', 'a@example.com')),
 main::doc('example.net',
    main::server('incoming', 'pop3', 'pop.example.net', 995, 'SSL',
                 'password-cleartext', 'a@example.net')
    . main::server('incoming', 'imap', 'imap.example.net', 993, 'SSL',
                   'password-cleartext', 'a@example.net'))]



=== TEST 13: a domain not served: 404, never a config
--- request
GET /mail/config-v1.1.xml?emailaddress=alice@example.org
--- error_code: 404
--- response_body_like: 404 Not Found



=== TEST 14: a Host not served: 404
--- more_headers
Host: autoconfig.example.org
--- request
GET /mail/config-v1.1.xml
--- error_code: 404
--- response_body_like: 404 Not Found



=== TEST 15: no IMAP, POP3 or SMTP for the address: 404
--- http_config
autodiscover_domains example.com;
autodiscover_protocol EXCH server=ex.example.com;
--- request
GET /mail/config-v1.1.xml?emailaddress=alice@example.com
--- error_code: 404
--- response_body_like: 404 Not Found
--- error_log
autodiscover: no IMAP or POP3 settings for domain "example.com"



=== TEST 16: a redirected domain has no settings here: 404
--- http_config
autodiscover_domains contoso.com;
autodiscover_redirect_url https://autodiscover.hoster.com/autodiscover/autodiscover.xml;
autodiscover_protocol IMAP server=imap.example.com;
--- request
GET /mail/config-v1.1.xml?emailaddress=john@contoso.com
--- error_code: 404
--- response_body_like: 404 Not Found



=== TEST 17: invalid addresses: 400, nothing reflected
--- request eval
["GET /mail/config-v1.1.xml?emailaddress=%3Cscript%3E\@example.com",
 "GET /mail/config-v1.1.xml?emailaddress=a\@b\@example.com",
 "GET /mail/config-v1.1.xml?emailaddress=" . ('a' x 65) . "\@example.com",
 "GET /mail/config-v1.1.xml?emailaddress=a%0d%0ab\@example.com",
 "GET /mail/config-v1.1.xml?emailaddress=a%FF\@example.com",
 "GET /mail/config-v1.1.xml?emailaddress=EVOLUTIONUSER\@exa_mple.com"]
--- error_code eval
[(400) x 6]
--- response_body_like eval
[(qr/400 Bad Request/) x 6]



=== TEST 18: an IP address as Host: a domain not served, 404
--- more_headers
Host: 127.0.0.1
--- request
GET /mail/config-v1.1.xml
--- error_code: 404
--- response_body_like: 404 Not Found



=== TEST 19: hostile characters from maps are escaped
--- http_config
map $autodiscover_domain $name {
    default "<b>\"Mail\" & 'co'</b>";
}
autodiscover_domains example.com;
autodiscover_provider_name $name;
autodiscover_protocol IMAP server=imap.example.com "login=<$autodiscover_user>";
--- request
GET /mail/config-v1.1.xml?emailaddress=o'neil%26co%40example.com
--- response_body
<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.com">
    <domain>example.com</domain>
    <displayName>&lt;b&gt;&quot;Mail&quot; &amp; &apos;co&apos;&lt;/b&gt;</displayName>
    <displayShortName>&lt;b&gt;&quot;Mail&quot; &amp; &apos;co&apos;&lt;/b&gt;</displayShortName>
    <incomingServer type="imap">
      <hostname>imap.example.com</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <authentication>password-cleartext</authentication>
      <username>&lt;o&apos;neil&amp;co&gt;</username>
    </incomingServer>
  </emailProvider>
</clientConfig>



=== TEST 20: HEAD: the headers only
--- request
HEAD /mail/config-v1.1.xml?emailaddress=alice@example.com
--- response_headers
Content-Type: text/xml; charset=utf-8
Content-Length: 792
--- response_body



=== TEST 21: an outgoing server alone is no configuration: 404
--- http_config
autodiscover_domains example.com;
autodiscover_protocol SMTP server=smtp.example.com;
--- request
GET /mail/config-v1.1.xml?emailaddress=alice@example.com
--- error_code: 404
--- response_body_like: 404 Not Found
--- error_log
autodiscover: no IMAP or POP3 settings for domain "example.com"



=== TEST 22: nginx -t: no wildcard among the provider's domains
--- http_config
autodiscover_domains example.com;
autodiscover_provider_domains example.com *.example.com;
--- must_die
--- request
GET /
--- error_log
"autodiscover_provider_domains" takes domain names, not "*.example.com" in



=== TEST 23: a server entry rendered with the configuration: its holes escaped, an empty login giving the address
--- http_config
map $autodiscover_email $login {
    default           $autodiscover_email;
    amp@example.com   "a&b<c>";
    none@example.com  "";
}
map $autodiscover_domain $imap_host {
    default           imap.example.com;
}
autodiscover_domains example.com;
autodiscover_protocol IMAP server=$imap_host login=$login;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=starttls
                      login=$login;
--- request eval
["GET /mail/config-v1.1.xml?emailaddress=amp%40example.com",
 "GET /mail/config-v1.1.xml?emailaddress=none%40example.com",
 "GET /mail/config-v1.1.xml?emailaddress=x%40example.com"]
--- response_body eval
[main::imap_smtp('a&amp;b&lt;c&gt;'), main::imap_smtp('none@example.com'),
 main::imap_smtp('x@example.com')]
