# RFC 6764's /.well-known/caldav and carddav and RFC 8620's
# /.well-known/jmap: every method redirected (301) to the configured URL
# for the Host's domain, never a 2xx; PACC's user agent configuration
# document and the digest its DNS TXT record carries.

use lib 't/inc';
use AD;
use Digest::SHA qw(sha256_base64);
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

our $ACCOUNT = <<'_EOC_';
map $autodiscover_domain $caldav_url {
    default      https://dav.example.com/dav/cal/;
    example.net  https://dav.example.net/calendars/;
}
autodiscover_domains example.com example.net;
autodiscover_provider_name "Example Mail";
autodiscover_protocol IMAP server=mail.example.com auth=OAuth2,password-cleartext;
autodiscover_protocol SMTP server=mail.example.com port=465;
autodiscover_protocol CalDAV url=$caldav_url;
autodiscover_protocol JMAP url=https://mail.example.com/.well-known/jmap;
autodiscover_oauth2_issuer accounts.example.com;
_EOC_

AD::defaults(http_config => $ACCOUNT, config => <<'_EOC_');
location = /.well-known/caldav {
    autodiscover_well_known caldav;
}
location = /.well-known/carddav {
    autodiscover_well_known carddav;
}
location = /.well-known/jmap {
    autodiscover_well_known jmap;
}
location = /.well-known/user-agent-configuration.json {
    autodiscover_pacc;
    add_header X-PACC-Digest $autodiscover_pacc_digest;
}
_EOC_

our $PACC = '{"protocols":{'
    . '"jmap":{"url":"https://mail.example.com/.well-known/jmap"},'
    . '"imap":{"host":"mail.example.com"},'
    . '"smtp":{"host":"mail.example.com"},'
    . '"caldav":{"url":"https://dav.example.com/dav/cal/"}},'
    . '"authentication":{"oauth-public":{"issuer":"https://accounts.example.com"},'
    . '"password":true},'
    . '"info":{"provider":{"name":"Example Mail"}}}';

# the TXT record's value, computed here independently of the module
sub digest {
    my ($body) = @_;
    my $b64 = sha256_base64($body);
    $b64 .= '=' x ((4 - length($b64) % 4) % 4);
    return "v=UAAC1; a=sha256; d=$b64";
}

run_tests();

__DATA__

=== TEST 1: PROPFIND /.well-known/caldav: 301 to the domain's calendar URL
--- request
PROPFIND /.well-known/caldav
--- more_headers
Host: example.com
Depth: 0
--- error_code: 301
--- response_headers
Location: https://dav.example.com/dav/cal/



=== TEST 2: GET too, and per domain from a map
--- request
GET /.well-known/caldav
--- more_headers
Host: example.net
--- error_code: 301
--- response_headers
Location: https://dav.example.net/calendars/



=== TEST 3: OPTIONS too: never a 2xx at a well-known URI
--- request
OPTIONS /.well-known/jmap
--- more_headers
Host: example.com
--- error_code: 301
--- response_headers
Location: https://mail.example.com/.well-known/jmap



=== TEST 4: no CardDAV configured: 404, logged
--- request
PROPFIND /.well-known/carddav
--- more_headers
Host: example.com
--- error_code: 404
--- error_log
autodiscover: no CardDAV URL for domain "example.com"



=== TEST 5: a domain not served: 404
--- request
PROPFIND /.well-known/caldav
--- more_headers
Host: example.org
--- error_code: 404
--- error_log
autodiscover: domain "example.org" is not served



=== TEST 6: a calendar URL per user cannot be: the address variables are empty
--- http_config eval
$main::ACCOUNT =~ s{url=\$caldav_url}{url=https://dav.example.com/\$autodiscover_user/}r
--- request
PROPFIND /.well-known/caldav
--- more_headers
Host: example.com
--- error_code: 301
--- response_headers
Location: https://dav.example.com//



=== TEST 7: nginx -t: autodiscover_well_known takes caldav, carddav or jmap
--- config
location = /.well-known/webdav {
    autodiscover_well_known webdav;
}
--- must_die
--- error_log
invalid value "webdav" in "autodiscover_well_known" directive, it must be "caldav", "carddav" or "jmap"



=== TEST 8: PACC: the document, public to any origin, and its digest
--- request
GET /.well-known/user-agent-configuration.json
--- more_headers
Host: ua-auto-config.example.com
--- response_headers eval
"Content-Type: application/json; charset=utf-8\n"
. "Access-Control-Allow-Origin: *\n"
. 'X-PACC-Digest: ' . main::digest($main::PACC) . "\n"
--- response_body eval
$main::PACC



=== TEST 9: PACC names IMAP, POP3 and SMTP only with implicit TLS on their standard ports
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com tls=starttls;
autodiscover_protocol POP3 server=pop.example.com;
autodiscover_protocol SMTP server=mail.example.com port=587 tls=starttls;
autodiscover_provider_short_name Example;
autodiscover_documentation_url https://example.com/help/mail;
--- request
GET /.well-known/user-agent-configuration.json
--- more_headers
Host: ua-auto-config.example.com
--- response_body chomp
{"protocols":{"pop3":{"host":"pop.example.com"}},"authentication":{"password":true},"info":{"provider":{"name":"example.com","shortName":"Example"},"help":{"documentation":"https://example.com/help/mail"}}}



=== TEST 10: PACC with nothing it can name: 404
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com tls=starttls;
--- request
GET /.well-known/user-agent-configuration.json
--- more_headers
Host: ua-auto-config.example.com
--- error_code: 404
--- error_log
autodiscover: nothing PACC can say (or a redirect) for domain "example.com"



=== TEST 11: PACC escapes what it writes
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=mail.example.com;
autodiscover_provider_name 'Example "Mail" <&>';
--- request
GET /.well-known/user-agent-configuration.json
--- more_headers
Host: ua-auto-config.example.com
--- response_body chomp
{"protocols":{"imap":{"host":"mail.example.com"}},"authentication":{"password":true},"info":{"provider":{"name":"Example \"Mail\" \u003c\u0026\u003e"}}}
