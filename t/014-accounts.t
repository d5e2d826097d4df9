# Whole accounts: calendars (CalDAV), contacts (CardDAV) and JMAP in the
# one description, authentication alternatives, the OAuth2 block; what
# each format carries of them, byte for byte, and what nginx -t refuses.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

our $ACCOUNT = <<'_EOC_';
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com auth=OAuth2,password-cleartext
                      login=$autodiscover_email;
autodiscover_protocol SMTP server=mail.example.com port=465
                      login=$autodiscover_email;
autodiscover_protocol CalDAV url=https://dav.example.com/dav/cal/
                      login=$autodiscover_email;
autodiscover_protocol CardDAV url=https://dav.example.com:8443/dav/card/
                      auth=password-encrypted;
autodiscover_protocol JMAP url=https://mail.example.com/.well-known/jmap;
_EOC_

our $OAUTH2 = <<'_EOC_';
autodiscover_oauth2_issuer accounts.example.com;
autodiscover_oauth2_scope "IMAP SMTP";
autodiscover_oauth2_auth_url https://accounts.example.com/oauth2/auth;
autodiscover_oauth2_token_url https://accounts.example.com/oauth2/token;
_EOC_

AD::defaults(config => <<'_EOC_');
location = /mail/config-v1.1.xml {
    autodiscover_autoconfig;
}
location ~* ^/autodiscover/autodiscover\.xml$ {
    autodiscover;
}
location ~* ^/autodiscover/autodiscover\.json {
    autodiscover_json;
}
location = /profile.mobileconfig {
    autodiscover_mobileconfig;
}
_EOC_

sub mail_servers {
    my ($imap_auths) = @_;

    return qq{    <incomingServer type="imap">\n}
        . qq{      <hostname>mail.example.com</hostname>\n}
        . qq{      <port>993</port>\n}
        . qq{      <socketType>SSL</socketType>\n}
        . join('', map { qq{      <authentication>$_</authentication>\n} }
                       @$imap_auths)
        . qq{      <username>alice\@example.com</username>\n}
        . qq{    </incomingServer>\n}
        . qq{    <outgoingServer type="smtp">\n}
        . qq{      <hostname>mail.example.com</hostname>\n}
        . qq{      <port>465</port>\n}
        . qq{      <socketType>SSL</socketType>\n}
        . qq{      <authentication>password-cleartext</authentication>\n}
        . qq{      <username>alice\@example.com</username>\n}
        . qq{    </outgoingServer>\n};
}

sub autoconfig {
    my ($version, $servers, $after) = @_;

    return qq{<?xml version="1.0" encoding="UTF-8"?>\n}
        . qq{<clientConfig version="$version">\n}
        . qq{  <emailProvider id="example.com">\n}
        . qq{    <domain>example.com</domain>\n}
        . qq{    <displayName>example.com</displayName>\n}
        . qq{    <displayShortName>example.com</displayShortName>\n}
        . $servers
        . qq{  </emailProvider>\n}
        . $after
        . qq{</clientConfig>\n};
}

our $DAV = qq{  <calendar type="caldav">\n}
    . qq{    <url>https://dav.example.com/dav/cal/</url>\n}
    . qq{    <authentication system="http">Basic</authentication>\n}
    . qq{    <username>alice\@example.com</username>\n}
    . qq{  </calendar>\n}
    . qq{  <addressbook type="carddav">\n}
    . qq{    <url>https://dav.example.com:8443/dav/card/</url>\n}
    . qq{    <authentication system="http">Digest</authentication>\n}
    . qq{    <username>alice\@example.com</username>\n}
    . qq{  </addressbook>\n};

our $OAUTH2_BLOCK = qq{  <oAuth2>\n}
    . qq{    <issuer>accounts.example.com</issuer>\n}
    . qq{    <scope>IMAP SMTP</scope>\n}
    . qq{    <authURL>https://accounts.example.com/oauth2/auth</authURL>\n}
    . qq{    <tokenURL>https://accounts.example.com/oauth2/token</tokenURL>\n}
    . qq{  </oAuth2>\n};

sub pox_protocol {
    my ($type, $server, $port, $login) = @_;

    return qq{      <Protocol>\n}
        . qq{        <Type>$type</Type>\n}
        . qq{        <Server>$server</Server>\n}
        . (defined $port ? qq{        <Port>$port</Port>\n} : '')
        . qq{        <DomainRequired>off</DomainRequired>\n}
        . ($login ? qq{        <LoginName>alice\@example.com</LoginName>\n}
                  : '')
        . ($type eq 'CardDAV' ? qq{        <SPA>on</SPA>\n}
                              : qq{        <SPA>off</SPA>\n})
        . qq{        <SSL>on</SSL>\n}
        . qq{        <AuthRequired>on</AuthRequired>\n}
        . qq{      </Protocol>\n};
}

sub pox_doc {
    my ($protocols) = @_;

    return qq{<?xml version="1.0" encoding="utf-8"?>\n}
        . qq{<Autodiscover xmlns="${AD::NS}responseschema/2006">\n}
        . qq{  <Response xmlns="${AD::NS}outlook/responseschema/2006a">\n}
        . qq{    <Account>\n}
        . qq{      <AccountType>email</AccountType>\n}
        . qq{      <Action>settings</Action>\n}
        . $protocols
        . qq{    </Account>\n}
        . qq{  </Response>\n}
        . qq{</Autodiscover>\n};
}

# one payload's dict in a profile, as the module writes it
sub dav_payload {
    my ($prefix, $port, $url, $user, $id, $uuid, $type) = @_;

    return qq{    <dict>\n}
        . qq{      <key>${prefix}AccountDescription</key>\n}
        . qq{      <string>example.com</string>\n}
        . qq{      <key>${prefix}HostName</key>\n}
        . qq{      <string>dav.example.com</string>\n}
        . qq{      <key>${prefix}Port</key>\n}
        . qq{      <integer>$port</integer>\n}
        . qq{      <key>${prefix}PrincipalURL</key>\n}
        . qq{      <string>$url</string>\n}
        . qq{      <key>${prefix}UseSSL</key>\n}
        . qq{      <true/>\n}
        . qq{      <key>${prefix}Username</key>\n}
        . qq{      <string>$user</string>\n}
        . payload_end($id, $uuid, $type);
}

sub payload_end {
    my ($id, $uuid, $type) = @_;

    return qq{      <key>PayloadDescription</key>\n}
        . qq{      <string>example.com</string>\n}
        . qq{      <key>PayloadDisplayName</key>\n}
        . qq{      <string>example.com</string>\n}
        . qq{      <key>PayloadIdentifier</key>\n}
        . qq{      <string>$id</string>\n}
        . qq{      <key>PayloadType</key>\n}
        . qq{      <string>$type</string>\n}
        . qq{      <key>PayloadUUID</key>\n}
        . qq{      <string>$uuid</string>\n}
        . qq{      <key>PayloadVersion</key>\n}
        . qq{      <integer>1</integer>\n}
        . qq{    </dict>\n};
}

# the UUIDs are Python's uuid.uuid5(uuid.NAMESPACE_DNS, identifier)
our $CALDAV = dav_payload('CalDAV', 443, 'https://dav.example.com/dav/cal/',
                          'alice@example.com', 'com.example.mail.alice.caldav',
                          '6ED5AFC8-673F-58F0-BCC4-6D70422C9C3D',
                          'com.apple.caldav.account');
our $CARDDAV = dav_payload('CardDAV', 8443,
                           'https://dav.example.com:8443/dav/card/',
                           'alice@example.com',
                           'com.example.mail.alice.carddav',
                           'D7D77731-D813-5085-9CF8-9ADE72D6834A',
                           'com.apple.carddav.account');

sub contains { my $x = quotemeta $_[0]; qr/$x/ }

run_tests();

__DATA__

=== TEST 1: autoconfig 1.2: calendar, address book, authentication alternatives, the oAuth2 block
--- http_config eval
$main::ACCOUNT . $main::OAUTH2
--- request
GET /mail/config-v1.1.xml?emailaddress=alice@example.com
--- response_headers
Content-Type: text/xml; charset=utf-8
--- response_body eval
main::autoconfig('1.2', main::mail_servers(['OAuth2', 'password-cleartext']),
                 $main::DAV . $main::OAUTH2_BLOCK)



=== TEST 2: the oAuth2 block with a client ID
--- http_config eval
$main::ACCOUNT . $main::OAUTH2 . "autodiscover_oauth2_client_id thunderbird-desktop;\n"
--- request
GET /mail/config-v1.1.xml?emailaddress=alice@example.com
--- response_body eval
main::autoconfig('1.2', main::mail_servers(['OAuth2', 'password-cleartext']),
                 $main::DAV
                 . ($main::OAUTH2_BLOCK =~ s{(  </oAuth2>)}{    <clientID>thunderbird-desktop</clientID>\n$1}r))



=== TEST 3: an oAuth2 block with a value missing is left out whole (Thunderbird for iOS would reject the file)
--- http_config eval
$main::ACCOUNT . ($main::OAUTH2 =~ s/^autodiscover_oauth2_scope.*\n//mr)
--- request
GET /mail/config-v1.1.xml?emailaddress=alice@example.com
--- response_body eval
main::autoconfig('1.2', main::mail_servers(['OAuth2', 'password-cleartext']),
                 $main::DAV)



=== TEST 4: mail only, one mechanism each: the 1.1 document, as before
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com login=$autodiscover_email;
autodiscover_protocol SMTP server=mail.example.com port=465
                      login=$autodiscover_email;
--- request
GET /mail/config-v1.1.xml?emailaddress=alice@example.com
--- response_body eval
main::autoconfig('1.1', main::mail_servers(['password-cleartext']), '')



=== TEST 5: several mechanisms alone make it 1.2
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com login=$autodiscover_email
                      auth=password-encrypted,password-cleartext;
autodiscover_protocol SMTP server=mail.example.com port=465
                      login=$autodiscover_email;
--- request
GET /mail/config-v1.1.xml?emailaddress=alice@example.com
--- response_body eval
main::autoconfig('1.2', main::mail_servers(['password-encrypted', 'password-cleartext']), '')



=== TEST 6: a calendar whose URL evaluates empty is left out, per domain from a map
--- http_config
map $autodiscover_domain $caldav_url { default ""; }
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com login=$autodiscover_email;
autodiscover_protocol SMTP server=mail.example.com port=465
                      login=$autodiscover_email;
autodiscover_protocol CalDAV url=$caldav_url;
--- request
GET /mail/config-v1.1.xml?emailaddress=alice@example.com
--- response_body eval
main::autoconfig('1.1', main::mail_servers(['password-cleartext']), '')



=== TEST 7: Outlook: CalDAV and CardDAV entries as eM Client reads them; no JMAP entry
--- http_config eval
$main::ACCOUNT
--- request eval
"POST /autodiscover/autodiscover.xml\n" . AD::pox('alice@example.com')
--- response_body eval
main::pox_doc(
    main::pox_protocol('IMAP', 'mail.example.com', 993, 1)
    . main::pox_protocol('SMTP', 'mail.example.com', 465, 1)
    . main::pox_protocol('CalDAV', 'https://dav.example.com/dav/cal/', undef, 1)
    . main::pox_protocol('CardDAV', 'https://dav.example.com:8443/dav/card/', undef, 0))
--- response_body_unlike: JMAP



=== TEST 8: Autodiscover v2 is unchanged by them
--- http_config eval
$main::ACCOUNT
--- request
GET /autodiscover/autodiscover.json/v1.0/alice@example.com?Protocol=AutodiscoverV1
--- response_body chomp
{"Protocol":"AutodiscoverV1","Url":"https://localhost/autodiscover/autodiscover.xml"}



=== TEST 9: nginx -t: a URL type needs url=
--- http_config
autodiscover_domains example.com;
autodiscover_protocol CalDAV server=dav.example.com;
--- must_die
--- error_log
missing or empty "url=" parameter for protocol "CalDAV"



=== TEST 10: nginx -t: url= is for the URL types only
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com url=https://mail.example.com/;
--- must_die
--- error_log
parameter "url" does not apply to protocol type "IMAP"



=== TEST 11: nginx -t: url= must be https
--- http_config
autodiscover_domains example.com;
autodiscover_protocol CardDAV url=http://dav.example.com/;
--- must_die
--- error_log
invalid url "http://dav.example.com/", it must be an absolute "https://" URL



=== TEST 12: nginx -t: at most four mechanisms, each a known one
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com auth=OAuth2,NTLM,GSSAPI,none,password-cleartext;
--- must_die
--- error_log
invalid auth "OAuth2,NTLM,GSSAPI,none,password-cleartext", it must be one of



=== TEST 13: nginx -t: an empty mechanism in the list
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com auth=OAuth2,;
--- must_die
--- error_log
invalid auth "OAuth2,", it must be one of



=== TEST 14: nginx -t: the OAuth2 URLs must be https
--- http_config
autodiscover_domains example.com;
autodiscover_oauth2_token_url http://accounts.example.com/token;
--- must_die
--- error_log
invalid OAuth2 token URL "http://accounts.example.com/token", it must be an absolute "https://" URL



=== TEST 15: a mechanism list from a variable, checked at run time
--- http_config
map $autodiscover_domain $auths { default "OAuth2,bogus"; }
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com auth=$auths;
--- request
GET /mail/config-v1.1.xml?emailaddress=alice@example.com
--- error_code: 500
--- error_log
autodiscover: invalid auth "OAuth2,bogus" from variables, it must be one of



=== TEST 16: Apple profile: the mail, CalDAV and CardDAV payloads, each with its own identifier
--- http_config eval
$main::ACCOUNT
--- request
GET /profile.mobileconfig?emailaddress=alice@example.com
--- response_body_like eval
main::contains("      <string>com.apple.mail.managed</string>\n"
               . "      <key>PayloadUUID</key>\n"
               . "      <string>898CC7DF-1A70-5170-BA95-A160ABA7D855</string>\n"
               . "      <key>PayloadVersion</key>\n"
               . "      <integer>1</integer>\n"
               . "    </dict>\n"
               . $main::CALDAV . $main::CARDDAV
               . "  </array>\n")



=== TEST 17: the whole account over ActiveSync: the EAS payload, and CalDAV as asked
--- http_config eval
$main::ACCOUNT
. "autodiscover_activesync_url https://eas.example.com/Microsoft-Server-ActiveSync;\n"
. "autodiscover_profile_payloads activesync caldav;\n"
--- request
GET /profile.mobileconfig?emailaddress=alice@example.com
--- response_body_like eval
main::contains("  <array>\n"
               . "    <dict>\n"
               . "      <key>EmailAddress</key>\n"
               . "      <string>alice\@example.com</string>\n"
               . "      <key>Host</key>\n"
               . "      <string>eas.example.com</string>\n"
               . "      <key>SSL</key>\n"
               . "      <true/>\n"
               . "      <key>UserName</key>\n"
               . "      <string>alice\@example.com</string>\n"
               . main::payload_end('com.example.mail.alice.eas',
                                   '96006DB6-068D-549D-BE91-9271DC907794',
                                   'com.apple.eas.account')
               . $main::CALDAV
               . "  </array>\n")



=== TEST 18: mail only, as asked: no DAV payloads
--- http_config eval
$main::ACCOUNT . "autodiscover_profile_payloads mail;\n"
--- request
GET /profile.mobileconfig?emailaddress=alice@example.com
--- response_body_unlike: caldav|carddav|eas\.account



=== TEST 19: nothing the profile may hold: 404
--- http_config eval
$main::ACCOUNT . "autodiscover_profile_payloads activesync;\n"
--- request
GET /profile.mobileconfig?emailaddress=alice@example.com
--- error_code: 404
--- error_log
autodiscover: no incoming and outgoing settings (or a redirect) for domain "example.com"



=== TEST 20: nginx -t: an unknown payload
--- http_config eval
$main::ACCOUNT . "autodiscover_profile_payloads mail imap;\n"
--- must_die
--- error_log
invalid value "imap"



=== TEST 21: Apple profile: a URL with an IPv6 address gives the address without its brackets, and its port
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com;
autodiscover_protocol SMTP server=mail.example.com port=587 tls=starttls;
autodiscover_protocol CalDAV url=https://[2001:db8::5]:8443/dav/cal/;
--- request
GET /profile.mobileconfig?emailaddress=alice@example.com
--- response_body_like eval
main::contains("      <key>CalDAVHostName</key>\n"
               . "      <string>2001:db8::5</string>\n"
               . "      <key>CalDAVPort</key>\n"
               . "      <integer>8443</integer>\n"
               . "      <key>CalDAVPrincipalURL</key>\n"
               . "      <string>https://[2001:db8::5]:8443/dav/cal/</string>\n")



=== TEST 22: nginx -t: url= needs a host
--- http_config
autodiscover_domains example.com;
autodiscover_protocol CalDAV url=https://:8443/dav/cal/;
--- must_die
--- error_log
invalid url "https://:8443/dav/cal/", it must be an absolute "https://" URL, its host a host name, an IPv4 address or an IPv6 address in brackets, a port from 1 to 65535 if any, and no user name



=== TEST 23: nginx -t: no user name in url=
--- http_config
autodiscover_domains example.com;
autodiscover_protocol CardDAV url=https://alice@dav.example.com/dav/card/;
--- must_die
--- error_log
invalid url "https://alice@dav.example.com/dav/card/", it must be an absolute "https://" URL, its host



=== TEST 24: nginx -t: a port above 65535 in url=
--- http_config
autodiscover_domains example.com;
autodiscover_protocol CalDAV url=https://dav.example.com:65536/dav/cal/;
--- must_die
--- error_log
invalid url "https://dav.example.com:65536/dav/cal/", it must be an absolute "https://" URL, its host



=== TEST 25: nginx -t: brackets hold an IPv6 address
--- http_config
autodiscover_domains example.com;
autodiscover_protocol JMAP url=https://[mail.example.com]/jmap;
--- must_die
--- error_log
invalid url "https://[mail.example.com]/jmap", it must be an absolute "https://" URL, its host



=== TEST 26: a url= from a variable is checked at run time
--- http_config
map $autodiscover_domain $caldav_url { default "https://[2001:db8::5/dav/"; }
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com;
autodiscover_protocol SMTP server=mail.example.com port=587 tls=starttls;
autodiscover_protocol CalDAV url=$caldav_url;
--- request
GET /profile.mobileconfig?emailaddress=alice@example.com
--- error_code: 500
--- error_log
autodiscover: invalid url "https://[2001:db8::5/dav/" from variables, it must be an absolute "https://" URL, its host
