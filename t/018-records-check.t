# autodiscover_records ?check=1: each record asked of the location's
# resolver, a dnsmasq on loopback serving a test zone with right, wrong
# and missing records; present, different (with what was found),
# missing, no answer.

use lib 't/inc';
use AD;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Test::Nginx::Socket 'no_plan';

repeat_each(1);
no_long_string();
no_shuffle();

# the test zone's DNS server, on a port of its own next to nginx's; its
# hosts on loopback addresses where nothing listens on 443, so that the
# certificate probe of each HTTPS name ends at once (t/019 has the
# certificates)
our $DNS = ($ENV{TEST_NGINX_PORT} || $ENV{TEST_NGINX_SERVER_PORT} || 1984)
           + 7;
# a port where nothing answers: the kernel refuses the datagram
our $DEAD = $DNS + 1;

# a DNS server that reads nothing and never answers: the same port on
# another loopback address, a socket of this process that no one reads
our $SILENT = IO::Socket::INET->new(Proto => 'udp',
                                    LocalAddr => '127.0.0.3',
                                    LocalPort => $DNS)
    or die "cannot bind 127.0.0.3:$DNS/udp: $!\n";

our $TMP = tempdir(CLEANUP => 1);

AD::dnsmasq($DNS, $TMP,
            '--local=/example.com/',
            # right
            '--host-record=mail.example.net,127.0.0.10',
            '--cname=autodiscover.example.com,mail.example.net',
            '--srv-host=_autodiscover._tcp.example.com,mail.example.net,443,0,1',
            '--srv-host=_imaps._tcp.example.com,imap.example.com,993,10,1',
            '--srv-host=_imap._tcp.example.com',
            '--srv-host=_pop3._tcp.example.com',
            '--srv-host=_submissions._tcp.example.com',
            '--txt-record=_caldavs._tcp.example.com,path=/dav/cal/',
            '--host-record=autodiscover.a.example.com,127.0.0.7',
            '--host-record=autodiscover.aaaa.example.com,0:0:0:0:0:0:0:1',
            # wrong
            '--host-record=old.example.net,127.0.0.11',
            '--cname=autoconfig.example.com,old.example.net',
            '--srv-host=_submission._tcp.example.com,smtp.example.com,25,10,1',
            '--srv-host=_caldavs._tcp.example.com,dav.example.com,8443,0,1',
            '--txt-record=_ua-auto-config.example.com,v=UAAC1; a=sha256; d=old',
            # missing: _pop3s._tcp
            );

our $HTTP = <<'_EOC_';
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com port=993;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=starttls;
autodiscover_protocol CalDAV url=https://dav.example.com/dav/cal/;
_EOC_

AD::defaults(http_config => $HTTP);

run_tests();

__DATA__

=== TEST 1: right, wrong and missing records, each with its status and what was found
--- config eval
"location = /autodiscover/autodiscover.xml { autodiscover; }
location = /mail/config-v1.1.xml { autodiscover_autoconfig; }
location = /.well-known/user-agent-configuration.json { autodiscover_pacc; }
location = /records {
    resolver 127.0.0.1:$main::DNS;
    resolver_timeout 3s;
    autodiscover_records target=mail.example.net;
}"
--- request
GET /records?domain=example.com&check=1
--- response_body
; the DNS records example.com needs for this nginx configuration (autodiscover_records)
autodiscover.example.com.       3600 IN CNAME mail.example.net. ; autodiscover ; present ; certificate: no connection
autoconfig.example.com.         3600 IN CNAME mail.example.net. ; autodiscover_autoconfig ; different: old.example.net. ; certificate: no connection
ua-auto-config.example.com.     3600 IN CNAME mail.example.net. ; autodiscover_pacc ; missing ; certificate: no address
_autodiscover._tcp.example.com. 3600 IN SRV 0 1 443 mail.example.net. ; autodiscover ; present
_ua-auto-config.example.com.    3600 IN TXT "v=UAAC1; a=sha256; d=ihk3r7j994sJMieYaAFnjRlaMGt0FBZz4BMmTeMTGKY=" ; autodiscover_pacc ; different: v=UAAC1; a=sha256; d=old
_imaps._tcp.example.com.        3600 IN SRV 10 1 993 imap.example.com. ; autodiscover_protocol ; present
_imap._tcp.example.com.         3600 IN SRV 0 0 0 . ; not offered ; present
_pop3s._tcp.example.com.        3600 IN SRV 0 0 0 . ; not offered ; missing
_pop3._tcp.example.com.         3600 IN SRV 0 0 0 . ; not offered ; present
_submissions._tcp.example.com.  3600 IN SRV 0 0 0 . ; not offered ; present
_submission._tcp.example.com.   3600 IN SRV 10 1 587 smtp.example.com. ; autodiscover_protocol ; different: 10 1 25 smtp.example.com.
_caldavs._tcp.example.com.      3600 IN SRV 0 1 443 dav.example.com. ; autodiscover_protocol ; different: 0 1 8443 dav.example.com.
_caldavs._tcp.example.com.      3600 IN TXT "path=/dav/cal/" ; autodiscover_protocol ; present
--- no_error_log
[error]



=== TEST 2: JSON: a status and every answer found for each record
--- config eval
"location = /autodiscover/autodiscover.xml { autodiscover; }
location = /records {
    resolver 127.0.0.1:$main::DNS;
    autodiscover_records target=mail.example.net;
}"
--- http_config
autodiscover_domains example.com;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=starttls;
--- request
GET /records?domain=example.com&format=json&check=1
--- response_body
{"domain":"example.com","ttl":3600,"records":[{"name":"autodiscover.example.com.","type":"CNAME","data":"mail.example.net.","for":"autodiscover","status":"present","found":["mail.example.net."],"certificate":{"error":"no connection"}},{"name":"_autodiscover._tcp.example.com.","type":"SRV","data":"0 1 443 mail.example.net.","for":"autodiscover","status":"present","found":["0 1 443 mail.example.net."]},{"name":"_imaps._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered","status":"different","found":["10 1 993 imap.example.com."]},{"name":"_imap._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered","status":"present","found":["0 0 1 ."]},{"name":"_pop3s._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered","status":"missing","found":[]},{"name":"_pop3._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered","status":"present","found":["0 0 1 ."]},{"name":"_submissions._tcp.example.com.","type":"SRV","data":"0 0 0 .","for":"not offered","status":"present","found":["0 0 1 ."]},{"name":"_submission._tcp.example.com.","type":"SRV","data":"10 1 587 smtp.example.com.","for":"autodiscover_protocol","status":"different","found":["10 1 25 smtp.example.com."]}]}



=== TEST 3: A and AAAA targets, the AAAA compared as an address
--- config eval
"location = /autodiscover/autodiscover.xml { autodiscover; }
location = /records {
    resolver 127.0.0.1:$main::DNS;
    autodiscover_records target=\$arg_t;
}"
--- http_config
autodiscover_domains a.example.com aaaa.example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- request eval
["GET /records?domain=a.example.com&format=json&check=1&t=127.0.0.7",
 "GET /records?domain=a.example.com&format=json&check=1&t=127.0.0.8",
 "GET /records?domain=aaaa.example.com&format=json&check=1&t=::1"]
--- response_body_filters eval
sub { $_[0] =~ /\{"name":"autodiscover\.(?:[^{}]|\{[^}]*\})*\}/ ? "$&\n" : "none\n" }
--- response_body eval
['{"name":"autodiscover.a.example.com.","type":"A","data":"127.0.0.7","for":"autodiscover","status":"present","found":["127.0.0.7"],"certificate":{"error":"no connection"}}
',
'{"name":"autodiscover.a.example.com.","type":"A","data":"127.0.0.8","for":"autodiscover","status":"different","found":["127.0.0.7"],"certificate":{"error":"no connection"}}
',
'{"name":"autodiscover.aaaa.example.com.","type":"AAAA","data":"::1","for":"autodiscover","status":"present","found":["::1"],"certificate":{"error":"no connection"}}
']



=== TEST 4: no resolver: 500, logged
--- config
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /records { autodiscover_records target=mail.example.net; }
--- request
GET /records?domain=example.com&check=1
--- error_code: 500
--- error_log
autodiscover: no "resolver" for the DNS check



=== TEST 5: no DNS server there: "no answer" for every record
--- config eval
"location = /autodiscover/autodiscover.xml { autodiscover; }
location = /records {
    resolver 127.0.0.1:$main::DEAD;
    resolver_timeout 1s;
    autodiscover_records target=mail.example.net;
}"
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- request
GET /records?domain=example.com&check=1
--- response_body
; the DNS records example.com needs for this nginx configuration (autodiscover_records)
autodiscover.example.com.       3600 IN CNAME mail.example.net. ; autodiscover ; no answer ; certificate: no address
_autodiscover._tcp.example.com. 3600 IN SRV 0 1 443 mail.example.net. ; autodiscover ; no answer
_imaps._tcp.example.com.        3600 IN SRV 10 1 993 imap.example.com. ; autodiscover_protocol ; no answer
_imap._tcp.example.com.         3600 IN SRV 0 0 0 . ; not offered ; no answer
_pop3s._tcp.example.com.        3600 IN SRV 0 0 0 . ; not offered ; no answer
_pop3._tcp.example.com.         3600 IN SRV 0 0 0 . ; not offered ; no answer
_submissions._tcp.example.com.  3600 IN SRV 0 0 0 . ; not offered ; no answer
_submission._tcp.example.com.   3600 IN SRV 0 0 0 . ; not offered ; no answer
--- no_error_log
[error]
[alert]



=== TEST 6: check= other than 0 and 1: 400, logged escaped
--- config
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /records { autodiscover_records target=mail.example.net; }
--- request
GET /records?domain=example.com&check=yes%0A
--- error_code: 400
--- error_log
autodiscover: check "yes%0A" is neither "0" nor "1"



=== TEST 7: a DNS server that never answers: "no answer" after resolver_timeout, the socket closed
--- config eval
"location = /autodiscover/autodiscover.xml { autodiscover; }
location = /records {
    resolver 127.0.0.3:$main::DNS;
    resolver_timeout 1s;
    autodiscover_records target=mail.example.net;
}"
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- request
GET /records?domain=example.com&check=1&format=json
--- response_body_filters eval
sub { CORE::join('', map { "$_\n" } $_[0] =~ /"status":"[^"]*"/g) }
--- response_body
"status":"no answer"
"status":"no answer"
"status":"no answer"
"status":"no answer"
"status":"no answer"
"status":"no answer"
"status":"no answer"
"status":"no answer"
--- error_log
autodiscover: 9 of the DNS queries got no answer in time
--- no_error_log
[error]
[alert]



=== TEST 8: the client goes away while the DNS is asked: the request ends at once, its socket closed
--- config eval
"location = /autodiscover/autodiscover.xml { autodiscover; }
location = /records {
    resolver 127.0.0.3:$main::DNS;
    resolver_timeout 5s;
    autodiscover_records target=mail.example.net;
}"
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- request
GET /records?domain=example.com&check=1
--- timeout: 0.5
--- abort
--- ignore_response
--- wait: 0.5
--- error_log
client prematurely closed connection
--- no_error_log
got no answer in time
[error]
[alert]
