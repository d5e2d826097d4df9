# nginx -t refuses bad literal values, naming the file and line.

use lib 't/inc';
use AD;
use Test::Nginx::Socket 'no_plan';

repeat_each(1);
no_long_string();
no_shuffle();

AD::defaults(request => "GET /\n");

run_tests();

__DATA__

=== TEST 1: a valid configuration loads
--- http_config
autodiscover_domains example.com *.example.org;
autodiscover_protocol IMAP server=imap.example.com port=993 tls=ssl
                      auth=password-cleartext spa=off auth_required=on
                      login=$autodiscover_email domain_required=off
                      domain_name=EXAMPLE ttl=1 expires=20240229;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=starttls
                      popauth=on smtp_last=off;
autodiscover_protocol EXCH server=ex.example.com
                      ews_url=https://ex.example.com/EWS/Exchange.asmx;
autodiscover_account_type email;
autodiscover_not_served error;
autodiscover_max_body 2k;
--- request
GET /autodiscover/autodiscover.xml?email=a@example.com
--- error_code: 200
--- no_error_log
[error]
[emerg]



=== TEST 2: unknown protocol type
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAPS server=h;
--- must_die
--- error_log eval
qr/\[emerg\] .*invalid protocol type "IMAPS", it must be one of POP3, IMAP, SMTP, DAV, WEB, NNTP, EXCH, EXPR, EXHTTP, CalDAV, CardDAV, JMAP in \S+nginx\.conf:\d+/



=== TEST 3: port 0
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h port=0;
--- must_die
--- error_log
invalid port "0", it must be a number from 1 to 65535 in



=== TEST 4: port 65536
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h port=65536;
--- must_die
--- error_log
invalid port "65536", it must be a number from 1 to 65535 in



=== TEST 5: port that is not a number
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h port=imaps;
--- must_die
--- error_log
invalid port "imaps", it must be a number from 1 to 65535 in



=== TEST 6: bad on/off
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h spa=yes;
--- must_die
--- error_log
invalid spa "yes", it must be "on" or "off" in



=== TEST 7: non-numeric TTL
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h ttl=1h;
--- must_die
--- error_log
invalid ttl "1h", it must be a number of hours from 0 to 876000 in



=== TEST 8: ExpirationDate with a month 13
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h expires=20301301;
--- must_die
--- error_log
invalid expires "20301301", it must be a date written YYYYMMDD in



=== TEST 9: ExpirationDate on the 29th of February of a common year
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h expires=20230229;
--- must_die
--- error_log
invalid expires "20230229", it must be a date written YYYYMMDD in



=== TEST 10: ExpirationDate written with dashes
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h expires=2030-12-31;
--- must_die
--- error_log
invalid expires "2030-12-31", it must be a date written YYYYMMDD in



=== TEST 11: a redirect URL that is not https
--- http_config
autodiscover_domains example.com;
autodiscover_redirect_url http://autodiscover.hoster.com/autodiscover/autodiscover.xml;
--- must_die
--- error_log
invalid redirect URL "http://autodiscover.hoster.com/autodiscover/autodiscover.xml", it must be an absolute "https://" URL in



=== TEST 12: an EWS URL that is not https
--- http_config
autodiscover_domains example.com;
autodiscover_protocol EXCH server=h ews_url=http://h/EWS/Exchange.asmx;
--- must_die
--- error_log
invalid ews_url "http://h/EWS/Exchange.asmx", it must be an absolute "https://" URL in



=== TEST 13: SMTP-only parameter on IMAP
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h popauth=on;
--- must_die
--- error_log
parameter "popauth" does not apply to protocol type "IMAP" in



=== TEST 14: Exchange URL on POP3
--- http_config
autodiscover_domains example.com;
autodiscover_protocol POP3 server=h oab_url=https://h/OAB/;
--- must_die
--- error_log
parameter "oab_url" does not apply to protocol type "POP3" in



=== TEST 15: unknown parameter
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h encryption=tls;
--- must_die
--- error_log
unknown parameter "encryption" in



=== TEST 16: missing server=
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP port=993;
--- must_die
--- error_log
missing or empty "server=" parameter for protocol "IMAP" in



=== TEST 17: an empty literal server=
--- http_config
autodiscover_domains example.com;
autodiscover_protocol SMTP server= port=587;
--- must_die
--- error_log
missing or empty "server=" parameter for protocol "SMTP" in



=== TEST 18: a parameter twice
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h port=993 port=143;
--- must_die
--- error_log
duplicate parameter "port" in



=== TEST 19: a parameter without a value
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h ssl;
--- must_die
--- error_log
invalid parameter "ssl", expected name=value in



=== TEST 20: bad TLS mode
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h tls=yes;
--- must_die
--- error_log
invalid tls "yes", it must be "ssl", "starttls" or "none" in



=== TEST 21: bad auth mechanism
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=h auth=plain;
--- must_die
--- error_log
invalid auth "plain", it must be one of password-cleartext, password-encrypted, NTLM, GSSAPI, OAuth2, client-IP-address, TLS-client-cert, none, or up to four of them separated by commas in



=== TEST 22: bad account type
--- http_config
autodiscover_domains example.com;
autodiscover_account_type imap;
--- must_die
--- error_log
invalid account type "imap", it must be "email" or "nntp" in



=== TEST 23: bad redirect address
--- http_config
autodiscover_domains example.com;
autodiscover_redirect_addr alice;
--- must_die
--- error_log
invalid redirect address "alice", it must be an e-mail address in



=== TEST 24: autodiscover without served domains
--- http_config
autodiscover_protocol IMAP server=h;
--- must_die
--- error_log
"autodiscover" needs "autodiscover_domains" or "autodiscover_serve" to know which domains it answers for



=== TEST 25: invalid domain
--- http_config
autodiscover_domains example..com;
--- must_die
--- error_log
invalid domain "example..com" in



=== TEST 26: bad autodiscover_not_served value
--- http_config
autodiscover_domains example.com;
autodiscover_not_served 403;
--- must_die
--- error_log
invalid value "403" in "autodiscover_not_served" directive, it must be "404" or "error" in



=== TEST 27: autodiscover outside a location
--- http_config
autodiscover_domains example.com;
autodiscover;
--- must_die
--- error_log
"autodiscover" directive is not allowed here in



=== TEST 28: control characters in a display name
--- http_config eval
"autodiscover_domains example.com;\nautodiscover_display_name \"a\x01b\";\n"
--- must_die
--- error_log
invalid display name



=== TEST 29: a directive twice at one level
--- http_config
autodiscover_domains example.com;
autodiscover_display_name a;
autodiscover_display_name b;
--- must_die
--- error_log
"autodiscover_display_name" directive is duplicate in



=== TEST 30: autodiscover twice in one location
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
    autodiscover;
}
--- http_config
autodiscover_domains example.com;
--- must_die
--- error_log
"autodiscover" directive is duplicate in



=== TEST 31: autodiscover_max_body 0
--- http_config
autodiscover_domains example.com;
autodiscover_max_body 0;
--- must_die
--- error_log
"autodiscover_max_body" must be at least 1
