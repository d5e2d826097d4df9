# nginx -t warnings (never failures) for what breaks clients around a
# valid configuration: a port whose TLS mode is not its standard one, and
# a server certificate that does not name the host a format's clients ask.

use lib 't/inc';
use AD;
use File::Temp qw(tempdir);
use Test::Nginx::Socket 'no_plan';

repeat_each(1);
no_long_string();
no_shuffle();

# certificates: one naming the hosts clients ask for example.com, one for
# other names only, one with a wildcard

our $PKI = tempdir(CLEANUP => 1);

sub cert {
    my ($name, $san) = @_;

    system("openssl req -x509 -newkey rsa:2048 -nodes"
           . " -keyout $PKI/$name.key -out $PKI/$name.pem -days 2"
           . " -subj /CN=$name -addext subjectAltName=$san"
           . " >/dev/null 2>&1") == 0
        or die "openssl for $name failed\n";
}

cert('right', 'DNS:example.com,DNS:autodiscover.example.com,'
              . 'DNS:autoconfig.example.com');
cert('other', 'DNS:mail.example.com,DNS:autodiscover.example.org');
cert('wild', 'DNS:*.example.com');

AD::defaults(http_config => $AD::SERVICE);

# every block asks a plain location; the warnings are nginx -t's
add_block_preprocessor(sub {
    my $block = shift;

    $block->set_value('request', "GET /t\n") unless defined $block->request;
    $block->set_value('error_code', 200)
        unless defined $block->error_code;
});

sub ssl {
    my ($name) = @_;

    return "ssl_certificate $PKI/$name.pem;\n"
        . "ssl_certificate_key $PKI/$name.key;\n";
}

run_tests();

__DATA__

=== TEST 1: IMAP with STARTTLS on 993, an implicit-TLS port
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com port=993 tls=starttls;
--- config
location = /t { return 200; }
--- error_log eval
qr/\[warn\] .*autodiscover: protocol "IMAP" with tls=starttls on port 993, an implicit-TLS port: Outlook, told <Encryption>TLS<\/Encryption>, would try STARTTLS there in \S+nginx\.conf:\d+$/m
--- no_error_log
[emerg]



=== TEST 2: SMTP with implicit TLS on 587, a STARTTLS port
--- http_config
autodiscover_domains example.com;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=ssl;
--- config
location = /t { return 200; }
--- error_log eval
qr/\[warn\] .*autodiscover: protocol "SMTP" with tls=ssl on port 587, a STARTTLS port: Thunderbird decides by the port when it reads an Outlook answer and would use STARTTLS in \S+nginx\.conf:\d+$/m



=== TEST 3: the default TLS mode (ssl) on 143
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com port=143;
--- config
location = /t { return 200; }
--- error_log eval
qr/\[warn\] .*autodiscover: protocol "IMAP" with tls=ssl on port 143, a STARTTLS port: Thunderbird decides by the port when it reads an Outlook answer and would use STARTTLS in \S+nginx\.conf:\d+$/m



=== TEST 4: POP3 in plain text on 995
--- http_config
autodiscover_domains example.com;
autodiscover_protocol POP3 server=pop.example.com port=995 tls=none;
--- config
location = /t { return 200; }
--- error_log eval
qr/\[warn\] .*autodiscover: protocol "POP3" with tls=none on port 995, an implicit-TLS port: clients would speak plain text to a port that speaks TLS first in \S+nginx\.conf:\d+$/m



=== TEST 5: SMTP with plain text on 25 (a STARTTLS port, told none)
--- http_config
autodiscover_domains example.com;
autodiscover_protocol SMTP server=mx.example.com port=25 tls=none;
--- config
location = /t { return 200; }
--- error_log eval
qr/\[warn\] .*autodiscover: protocol "SMTP" with tls=none on port 25, a STARTTLS port: Thunderbird decides by the port when it reads an Outlook answer and would use STARTTLS in \S+nginx\.conf:\d+$/m



=== TEST 6: the standard pairs, other ports and a TLS mode from a variable: no warning
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com port=993 tls=ssl;
autodiscover_protocol IMAP server=imap.example.com port=143 tls=starttls;
autodiscover_protocol POP3 server=pop.example.com port=995;
autodiscover_protocol POP3 server=pop.example.com port=110 tls=starttls;
autodiscover_protocol SMTP server=smtp.example.com port=465 tls=ssl;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=starttls;
autodiscover_protocol SMTP server=smtp.example.com port=25 tls=starttls;
autodiscover_protocol IMAP server=imap.example.com port=1143 tls=none;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=$arg_tls;
autodiscover_protocol SMTP server=smtp.example.com port=$arg_port tls=ssl;
--- config
location = /t { return 200; }
--- no_error_log
[warn]
[emerg]



=== TEST 7: a certificate that names the hosts clients ask: no warning
--- config eval
main::ssl('right') . '
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /mail/config-v1.1.xml { autodiscover_autoconfig; }
location = /.well-known/caldav {
    autodiscover_well_known caldav;
    autodiscover_protocol CalDAV url=https://dav.example.com/;
}
location = /t { return 200; }'
--- no_error_log
[warn]
[emerg]



=== TEST 8: a wildcard certificate covers autodiscover. and autoconfig.
--- config eval
main::ssl('wild') . '
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /mail/config-v1.1.xml { autodiscover_autoconfig; }
location = /t { return 200; }'
--- no_error_log
[warn]
[emerg]



=== TEST 9: a certificate without autodiscover.<domain>: one warning for each surface and domain
--- http_config
autodiscover_domains example.com example.net *.example.org;
autodiscover_protocol IMAP server=imap.example.com;
--- config eval
main::ssl('other') . '
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /mail/config-v1.1.xml { autodiscover_autoconfig; }
location = /t { return 200; }'
--- error_log eval
[
qr/\[warn\] .*autodiscover: location "\/autodiscover\/autodiscover\.xml" answers for "example\.com", but no certificate of its server \("[^"]*other\.pem"\) names "autodiscover\.example\.com", the host its clients ask: add it to the certificate's subjectAltName in \S+nginx\.conf:\d+$/m,
qr/\[warn\] .*autodiscover: location "\/autodiscover\/autodiscover\.xml" answers for "example\.net", but no certificate of its server \("[^"]*other\.pem"\) names "autodiscover\.example\.net", the host its clients ask: add it to the certificate's subjectAltName in \S+nginx\.conf:\d+$/m,
qr/\[warn\] .*autodiscover: location "\/mail\/config-v1\.1\.xml" answers for "example\.com", but no certificate of its server \("[^"]*other\.pem"\) names "autoconfig\.example\.com", the host its clients ask: add it to the certificate's subjectAltName in \S+nginx\.conf:\d+$/m,
qr/\[warn\] .*autodiscover: location "\/mail\/config-v1\.1\.xml" answers for "example\.net", but no certificate of its server \("[^"]*other\.pem"\) names "autoconfig\.example\.net", the host its clients ask: add it to the certificate's subjectAltName in \S+nginx\.conf:\d+$/m,
]
--- no_error_log eval
[
qr/names "[^"]*example\.org"/,
"[emerg]",
]



=== TEST 10: RFC 6764's well-known URIs are asked at the domain itself
--- config eval
main::ssl('other') . '
location = /.well-known/carddav {
    autodiscover_well_known carddav;
    autodiscover_protocol CardDAV url=https://dav.example.com/;
}
location = /t { return 200; }'
--- error_log eval
qr/\[warn\] .*autodiscover: location "\/\.well-known\/carddav" answers for "example\.com", but no certificate of its server \("[^"]*other\.pem"\) names "example\.com", the host its clients ask: add it to the certificate's subjectAltName in \S+nginx\.conf:\d+$/m



=== TEST 11: no certificate, an Apple profile, or domains from autodiscover_serve only: nothing to check
--- http_config
autodiscover_protocol IMAP server=imap.example.com;
--- config eval
'location = /autodiscover/autodiscover.xml {
    autodiscover;
    autodiscover_domains example.com;
}
location = /profile {
    autodiscover_mobileconfig;
    autodiscover_domains example.com;
}
location = /t { return 200; }
location = /served {
    autodiscover;
    autodiscover_serve $arg_s;
}'
--- no_error_log
[warn]
[emerg]



=== TEST 12: a profile in a server with a certificate: no name to check
--- config eval
main::ssl('other') . '
location = /profile { autodiscover_mobileconfig; }
location = /t { return 200; }'
--- no_error_log
[warn]
[emerg]



=== TEST 13: autoconfig without an incoming server Thunderbird for Android and iOS can use
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com tls=none;
autodiscover_protocol IMAP server=imap2.example.com auth=NTLM;
autodiscover_protocol SMTP server=smtp.example.com;
--- config
location = /mail/config-v1.1.xml { autodiscover_autoconfig; }
location = /t { return 200; }
--- error_log eval
qr/\[warn\] .*autodiscover: location "\/mail\/config-v1\.1\.xml" has no incoming server that Thunderbird for Android and iOS can use \(SSL or STARTTLS, with OAuth2 or a password\): they reject its whole autoconfig document in \S+nginx\.conf:\d+$/m
--- no_error_log
outgoing server



=== TEST 14: autoconfig without a usable outgoing server, and POP3 without IMAP
--- http_config
autodiscover_domains example.com;
autodiscover_protocol POP3 server=pop.example.com;
autodiscover_protocol SMTP server=smtp.example.com port=25 tls=none auth=client-IP-address;
--- config
location = /mail/config-v1.1.xml { autodiscover_autoconfig; }
location = /t { return 200; }
--- error_log eval
[
qr/\[warn\] .*autodiscover: location "\/mail\/config-v1\.1\.xml" has no outgoing server that Thunderbird for Android and iOS can use \(SSL or STARTTLS, with OAuth2 or a password\): they reject its whole autoconfig document in \S+nginx\.conf:\d+$/m,
qr/\[warn\] .*autodiscover: location "\/mail\/config-v1\.1\.xml" has POP3 but no IMAP server: Thunderbird for Android reads IMAP only and rejects its whole autoconfig document in \S+nginx\.conf:\d+$/m,
]
--- no_error_log
incoming server



=== TEST 15: a usable server beside unusable ones, values from variables, or no autoconfig location: no warning
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com tls=none;
autodiscover_protocol IMAP server=imap.example.com tls=starttls auth=GSSAPI,OAuth2;
autodiscover_protocol SMTP server=smtp.example.com tls=$arg_tls port=2525;
--- config
location = /mail/config-v1.1.xml { autodiscover_autoconfig; }
location = /autodiscover/autodiscover.xml {
    autodiscover;
    autodiscover_protocol POP3 server=pop.example.com tls=none port=2110;
}
location = /t { return 200; }
--- no_error_log
[warn]
[emerg]
