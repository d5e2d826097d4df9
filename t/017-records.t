# autodiscover_records: the DNS records a domain needs for what this
# configuration serves, as a zone-file fragment that named-checkzone
# accepts and as JSON; bad requests and configurations.

use lib 't/inc';
use AD;
use Digest::SHA qw(sha256);
use MIME::Base64 qw(encode_base64);
use File::Temp qw(tempdir);
use Test::Nginx::Socket 'no_plan';

repeat_each(1);
no_long_string();
no_shuffle();

our $TMP = tempdir(CLEANUP => 1);

# the fragment inside a zone of its own, as named-checkzone sees it: its
# output, with the addresses of the hosts the fragment names in the zone
sub checkzone {
    my ($fragment) = @_;

    open my $fh, '>', "$TMP/zone" or die $!;
    print $fh "\$ORIGIN example.com.\n\$TTL 3600\n"
        . "@ IN SOA ns.example.net. hostmaster.example.com."
        . " 1 3600 600 86400 600\n"
        . "@ IN NS ns.example.net.\n"
        . "imap IN A 192.0.2.1\nsmtp IN A 192.0.2.2\ndav IN A 192.0.2.3\n"
        . $fragment;
    close $fh;

    my $out = `named-checkzone -i local example.com $TMP/zone 2>&1`;
    die "named-checkzone not found (bind9-utils)\n" if $? == -1;

    return $out . "exit $?\n";
}

# the TXT value for exactly these bytes
sub digest {
    return 'v=UAAC1; a=sha256; d=' . encode_base64(sha256($_[0]), '');
}

our $SERVICE = <<'_EOC_';
autodiscover_domains example.com example.org;
autodiscover_protocol IMAP server=imap.example.com port=993;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=starttls;
autodiscover_protocol SMTP server=smtp.example.com port=465;
autodiscover_protocol CalDAV url=https://dav.example.com/dav/cal/;
_EOC_

our $SURFACES = <<'_EOC_';
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /mail/config-v1.1.xml { autodiscover_autoconfig; }
location = /.well-known/user-agent-configuration.json { autodiscover_pacc; }
location = /records { autodiscover_records target=mail.example.net; }
_EOC_

AD::defaults(http_config => $SERVICE, config => $SURFACES);

run_tests();

__DATA__

=== TEST 1: the zone-file fragment: names clients ask, SRV for each service in the configured order, "0 0 0 ." for what is not offered, the PACC digest
--- request
GET /records?domain=example.com
--- response_headers
Content-Type: text/plain; charset=utf-8
--- response_body
; the DNS records example.com needs for this nginx configuration (autodiscover_records)
autodiscover.example.com.       3600 IN CNAME mail.example.net. ; autodiscover
autoconfig.example.com.         3600 IN CNAME mail.example.net. ; autodiscover_autoconfig
ua-auto-config.example.com.     3600 IN CNAME mail.example.net. ; autodiscover_pacc
_autodiscover._tcp.example.com. 3600 IN SRV 0 1 443 mail.example.net. ; autodiscover
_ua-auto-config.example.com.    3600 IN TXT "v=UAAC1; a=sha256; d=ihk3r7j994sJMieYaAFnjRlaMGt0FBZz4BMmTeMTGKY=" ; autodiscover_pacc
_imaps._tcp.example.com.        3600 IN SRV 10 1 993 imap.example.com. ; autodiscover_protocol
_imap._tcp.example.com.         3600 IN SRV 0 0 0 . ; not offered
_pop3s._tcp.example.com.        3600 IN SRV 0 0 0 . ; not offered
_pop3._tcp.example.com.         3600 IN SRV 0 0 0 . ; not offered
_submissions._tcp.example.com.  3600 IN SRV 20 1 465 smtp.example.com. ; autodiscover_protocol
_submission._tcp.example.com.   3600 IN SRV 10 1 587 smtp.example.com. ; autodiscover_protocol
_caldavs._tcp.example.com.      3600 IN SRV 0 1 443 dav.example.com. ; autodiscover_protocol
_caldavs._tcp.example.com.      3600 IN TXT "path=/dav/cal/" ; autodiscover_protocol
--- no_error_log
[error]



=== TEST 2: the TXT value is the digest of the exact bytes the PACC location serves
--- request
GET /.well-known/user-agent-configuration.json
--- more_headers
Host: ua-auto-config.example.com
--- response_body_filters eval
\&main::digest
--- response_body chomp
v=UAAC1; a=sha256; d=ihk3r7j994sJMieYaAFnjRlaMGt0FBZz4BMmTeMTGKY=



=== TEST 3: named-checkzone accepts the fragment in a zone
--- request
GET /records?domain=example.com
--- response_body_filters eval
\&main::checkzone
--- response_body
zone example.com/IN: loaded serial 1
OK
exit 0



=== TEST 4: JSON, the same records
--- http_config eval
$main::SERVICE
--- config
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /records { autodiscover_records target=mail.example.net ttl=600; }
--- request
GET /records?domain=example.com&format=json
--- response_headers
Content-Type: application/json; charset=utf-8
--- response_body
{"domain":"example.com","ttl":600,"records":[{"name":"autodiscover.example.com.","type":"CNAME","data":"mail.example.net.","for":"autodiscover"},{"name":"_autodiscover._tcp.example.com.","type":"SRV","data":"0 1 443 mail.example.net.","for":"autodiscover"},{"name":"_imaps._tcp.example.com.","type":"SRV","data":"10 1 993 imap.example.com.","for":"autodiscover_protocol"},{"name":"_imap._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_pop3s._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_pop3._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_submissions._tcp.example.com.","type":"SRV","data":"20 1 465 smtp.example.com.","for":"autodiscover_protocol"},{"name":"_submission._tcp.example.com.","type":"SRV","data":"10 1 587 smtp.example.com.","for":"autodiscover_protocol"},{"name":"_caldavs._tcp.example.com.","type":"SRV","data":"0 1 443 dav.example.com.","for":"autodiscover_protocol"},{"name":"_caldavs._tcp.example.com.","type":"TXT","data":"path=/dav/cal/","for":"autodiscover_protocol"}]}



=== TEST 5: an address as the target: A records, and the SRV names the host that has it; POP3 and IMAP share the priorities; several directives on one name
--- http_config
autodiscover_domains example.com;
autodiscover_protocol POP3 server=pop.example.com port=995;
autodiscover_protocol IMAP server=imap.example.com port=143 tls=starttls;
autodiscover_protocol CardDAV url=https://dav.example.com:8443;
autodiscover_protocol JMAP url=https://jmap.example.com/.well-known/jmap;
--- config
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /autodiscover/autodiscover.json { autodiscover_json; }
location /Autodiscover/ { autodiscover; }
location = /records { autodiscover_records target=192.0.2.7 ttl=60; }
--- request
GET /records?domain=EXAMPLE.com
--- response_body
; the DNS records example.com needs for this nginx configuration (autodiscover_records)
autodiscover.example.com.       60 IN A 192.0.2.7 ; autodiscover, autodiscover_json
_autodiscover._tcp.example.com. 60 IN SRV 0 1 443 autodiscover.example.com. ; autodiscover
_imaps._tcp.example.com.        60 IN SRV 0 0 0 . ; not offered
_imap._tcp.example.com.         60 IN SRV 20 1 143 imap.example.com. ; autodiscover_protocol
_pop3s._tcp.example.com.        60 IN SRV 10 1 995 pop.example.com. ; autodiscover_protocol
_pop3._tcp.example.com.         60 IN SRV 0 0 0 . ; not offered
_submissions._tcp.example.com.  60 IN SRV 0 0 0 . ; not offered
_submission._tcp.example.com.   60 IN SRV 0 0 0 . ; not offered
_carddavs._tcp.example.com.     60 IN SRV 0 1 8443 dav.example.com. ; autodiscover_protocol
_carddavs._tcp.example.com.     60 IN TXT "path=/" ; autodiscover_protocol
_jmap._tcp.example.com.         60 IN SRV 0 1 443 jmap.example.com. ; autodiscover_protocol



=== TEST 6: an IPv6 target, a target per domain from a map, and only the surfaces that serve the domain
--- http_config
map $autodiscover_domain $mail_host {
    example.org  2001:db8::25;
    default      mx.$autodiscover_domain;
}
autodiscover_domains example.com example.org;
autodiscover_protocol IMAP server=imap.$autodiscover_domain;
--- config
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /mail/config-v1.1.xml {
    autodiscover_autoconfig;
    autodiscover_domains example.com;
}
location = /records { autodiscover_records target=$mail_host; }
--- request eval
["GET /records?domain=example.org&format=json",
 "GET /records?domain=example.com&format=json"]
--- response_body eval
['{"domain":"example.org","ttl":3600,"records":[{"name":"autodiscover.example.org.","type":"AAAA","data":"2001:db8::25","for":"autodiscover"},{"name":"_autodiscover._tcp.example.org.","type":"SRV","data":"0 1 443 autodiscover.example.org.","for":"autodiscover"},{"name":"_imaps._tcp.example.org.","type":"SRV","data":"10 1 993 imap.example.org.","for":"autodiscover_protocol"},{"name":"_imap._tcp.example.org.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_pop3s._tcp.example.org.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_pop3._tcp.example.org.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_submissions._tcp.example.org.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_submission._tcp.example.org.","type":"SRV","data":"0 0 0 .","for":"not offered"}]}
',
'{"domain":"example.com","ttl":3600,"records":[{"name":"autodiscover.example.com.","type":"CNAME","data":"mx.example.com.","for":"autodiscover"},{"name":"autoconfig.example.com.","type":"CNAME","data":"mx.example.com.","for":"autodiscover_autoconfig"},{"name":"_autodiscover._tcp.example.com.","type":"SRV","data":"0 1 443 mx.example.com.","for":"autodiscover"},{"name":"_imaps._tcp.example.com.","type":"SRV","data":"10 1 993 imap.example.com.","for":"autodiscover_protocol"},{"name":"_imap._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_pop3s._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_pop3._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_submissions._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_submission._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"}]}
']



=== TEST 7: a domain this configuration does not serve: 404
--- request
GET /records?domain=example.net
--- error_code: 404
--- error_log
autodiscover: domain "example.net" is not served



=== TEST 8: no domain: 400
--- request
GET /records?format=json
--- error_code: 400
--- error_log
autodiscover: no domain in the request



=== TEST 9: not a domain: 400, nothing of it logged
--- request
GET /records?domain=exa%0Dmple.com
--- error_code: 400
--- error_log
autodiscover: no valid domain in the request



=== TEST 10: an unknown format: 400, logged escaped
--- request
GET /records?domain=example.com&format=x%22ml
--- error_code: 400
--- error_log
autodiscover: records format "x%22ml" is neither "zone" nor "json"



=== TEST 11: a target that evaluates to neither a host name nor an address: 500, logged escaped
--- config
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /records { autodiscover_records target=$arg_t; }
--- request
GET /records?domain=example.com&t=a%20b
--- error_code: 500
--- error_log
autodiscover: records target "a%20b" is neither a host name nor an IP address



=== TEST 12: target= is required
--- config
location = /records { autodiscover_records ttl=60; }
--- must_die
--- error_log eval
qr/\[emerg\] .*"autodiscover_records" needs "target=", the host that answers autodiscover\., autoconfig\. and ua-auto-config\. names in \S+nginx\.conf:\d+/



=== TEST 13: a bad parameter
--- config
location = /records { autodiscover_records target=mail.example.net ttl=soon; }
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "ttl=soon" in "autodiscover_records", it must be target=<host name or IP address>, ttl=<seconds>, https_port=<port> or trusted=<file> in \S+nginx\.conf:\d+/



=== TEST 14: a literal target that is no host
--- config
location = /records { autodiscover_records target=mail_host!; }
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "target=mail_host!" in "autodiscover_records"/



=== TEST 15: a server or URL host that is an address: its SRV record left out, said so, and not looked up
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=192.0.2.1 port=993;
autodiscover_protocol CalDAV url=https://[2001:db8::5]:8443/dav/;
--- config
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /records { autodiscover_records target=mail.example.net; }
--- request eval
["GET /records?domain=example.com", "GET /records?domain=example.com&format=json"]
--- response_body eval
["; the DNS records example.com needs for this nginx configuration (autodiscover_records)
autodiscover.example.com.       3600 IN CNAME mail.example.net. ; autodiscover
_autodiscover._tcp.example.com. 3600 IN SRV 0 1 443 mail.example.net. ; autodiscover
; _imaps._tcp.example.com. SRV 10 1 993 192.0.2.1. ; left out: the target is an address, and an SRV target must be a host name
_imap._tcp.example.com.         3600 IN SRV 0 0 0 . ; not offered
_pop3s._tcp.example.com.        3600 IN SRV 0 0 0 . ; not offered
_pop3._tcp.example.com.         3600 IN SRV 0 0 0 . ; not offered
_submissions._tcp.example.com.  3600 IN SRV 0 0 0 . ; not offered
_submission._tcp.example.com.   3600 IN SRV 0 0 0 . ; not offered
; _caldavs._tcp.example.com. SRV 0 1 8443 2001:db8::5. ; left out: the target is an address, and an SRV target must be a host name
_caldavs._tcp.example.com.      3600 IN TXT \"path=/dav/\" ; autodiscover_protocol
",
'{"domain":"example.com","ttl":3600,"records":[{"name":"autodiscover.example.com.","type":"CNAME","data":"mail.example.net.","for":"autodiscover"},{"name":"_autodiscover._tcp.example.com.","type":"SRV","data":"0 1 443 mail.example.net.","for":"autodiscover"},{"name":"_imaps._tcp.example.com.","type":"SRV","data":"10 1 993 192.0.2.1.","for":"autodiscover_protocol","error":"the target is an address, and an SRV target must be a host name"},{"name":"_imap._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_pop3s._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_pop3._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_submissions._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_submission._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered"},{"name":"_caldavs._tcp.example.com.","type":"SRV","data":"0 1 8443 2001:db8::5.","for":"autodiscover_protocol","error":"the target is an address, and an SRV target must be a host name"},{"name":"_caldavs._tcp.example.com.","type":"TXT","data":"path=/dav/","for":"autodiscover_protocol"}]}
']



=== TEST 16: a domain in U-labels: 400, logged escaped (a zone holds A-labels, xn--)
--- request
GET /records?domain=b%C3%BCcher.example.com
--- error_code: 400
--- error_log
autodiscover: records domain "b\xc3\xbccher.example.com" is not ASCII: ask with its A-labels (xn--)



=== TEST 17: a target in U-labels: 500, logged escaped
--- config
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /records { autodiscover_records target=$arg_t; }
--- request
GET /records?domain=example.com&t=m%C3%A4il.example.net
--- error_code: 500
--- error_log
autodiscover: records target "m%C3%A4il.example.net" is neither a host name nor an IP address



=== TEST 18: https_port= out of range
--- config
location = /records { autodiscover_records target=mail.example.net https_port=65536; }
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "https_port=65536" in "autodiscover_records", it must be target=<host name or IP address>, ttl=<seconds>, https_port=<port> or trusted=<file> in \S+nginx\.conf:\d+/



=== TEST 19: target= twice
--- config
location = /records { autodiscover_records target=a.example.net target=b.example.net; }
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid parameter "target=b\.example\.net" in "autodiscover_records"/
