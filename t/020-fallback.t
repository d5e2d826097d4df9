# The fallback client: addresses with no local answer are asked of
# another Autodiscover server through a subrequest; its redirects are
# followed (HTTP 3xx, redirectUrl, redirectAddr) within limits.

use lib 't/inc';
use AD;
use IO::Socket::INET;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

# a port that accepts connections and never answers: upstream timeouts
our $SILENT = IO::Socket::INET->new(Listen => 8, LocalAddr => '127.0.0.1',
                                    LocalPort => 0, ReuseAddr => 1)
    or die "cannot listen: $!\n";
our $SILENT_PORT = $SILENT->sockport;

our $SETTINGS = qq{<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${AD::NS}responseschema/2006"><Response xmlns="${AD::NS}outlook/responseschema/2006a"><Account><AccountType>email</AccountType><Action>settings</Action><Protocol><Type>IMAP</Type><Server>imap.remote.test</Server></Protocol></Account></Response></Autodiscover>};

sub redirect_url {
    my ($url) = @_;
    return qq{<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${AD::NS}responseschema/2006"><Response xmlns="${AD::NS}outlook/responseschema/2006a"><Account><AccountType>email</AccountType><Action>redirectUrl</Action><RedirectUrl>$url</RedirectUrl></Account></Response></Autodiscover>};
}

sub redirect_addr {
    my ($addr) = @_;
    return qq{<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${AD::NS}responseschema/2006"><Response xmlns="${AD::NS}outlook/responseschema/2006a"><Account><AccountType>email</AccountType><Action>redirectAddr</Action><RedirectAddr>$addr</RedirectAddr></Account></Response></Autodiscover>};
}

sub ms_redirect_addr {
    my ($addr) = @_;
    return qq{<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${AD::NS}responseschema/2006"><Response xmlns="${AD::NS}mobilesync/responseschema/2006"><Culture>en:us</Culture><User><EMailAddress>bob\@remote.test</EMailAddress></User><Action><Redirect>$addr</Redirect></Action></Response></Autodiscover>};
}

our $MS_SETTINGS = qq{<?xml version="1.0" encoding="utf-8"?><Autodiscover xmlns="${AD::NS}responseschema/2006"><Response xmlns="${AD::NS}mobilesync/responseschema/2006"><Culture>en:us</Culture><User><EMailAddress>bob\@remote.test</EMailAddress></User><Action><Settings><Server><Type>MobileSync</Type><Url>https://eas.remote.test/Microsoft-Server-ActiveSync</Url><Name>https://eas.remote.test/Microsoft-Server-ActiveSync</Name></Server></Settings></Action></Response></Autodiscover>};

# the mock servers: hop1..hop12 redirect to the next, hop12 answers
sub mocks {
    my $hops = join '', map {
        my $n = $_ + 1;
        "    hop$_.test https://hop$n.test/autodiscover/autodiscover.xml;\n"
    } 1 .. 11;

    my %answer = (
        'exchange.test'  => $SETTINGS,
        'ms.test'        => $MS_SETTINGS,
        'loop1.test'     => redirect_url('https://loop2.test/autodiscover/autodiscover.xml'),
        'loop2.test'     => redirect_url('https://loop1.test/autodiscover/autodiscover.xml'),
        'plain.test'     => redirect_url('http://plaintext.test/autodiscover/autodiscover.xml'),
        'plaintext.test' => $SETTINGS,
        'evil.test'      => redirect_url('https://autodiscover.evil.example/autodiscover/autodiscover.xml'),
        'local.redirect.test' => redirect_addr('alice@local.test'),
        'remote.redirect.test' => redirect_addr('carol@other.test'),
        'self.redirect.test' => redirect_addr('bob@remote.test'),
        'garbage.test'   => '<Autodiscover><not-closed>',
        'html.test'      => '<html><body>It works!</body></html>',
        'big.test'       => $SETTINGS . ('<!--' . ('x' x 2000) . '-->'),
        'hosted.redirect.test' => redirect_addr('dave@hosted.test'),
        'hosted.ms.test' => ms_redirect_addr('dave@hosted.test'),
        'crlf.test'      => redirect_url('https://hop12.test/autodiscover/autodiscover.xml&#13;&#10;X-Injected: 1'),
        'space.test'     => redirect_url('https://hop12.test/auto discover/autodiscover.xml'),
        'tab.test'       => redirect_url('https://hop12.test/&#9;autodiscover.xml'),
        'eight.test'     => redirect_url('https://hop12.test/autodiscover/&#233;.xml'),
        'port.test'      => redirect_url('https://exchange.test:8443/autodiscover/autodiscover.xml'),
    );

    my $answers = join '', map {
        "    $_ '$answer{$_}';\n"
    } sort keys %answer;

    return <<"_EOC_";
map \$host \$hop_next {
    default "";
$hops}

map \$host \$mock_answer {
    default "";
$answers}

log_format body '\$host \$request_body';

server {
    listen \$TEST_NGINX_SERVER_PORT;
    server_name @{[ join ' ', map { "hop$_.test" } 1 .. 12 ]};

    location / {
        if (\$hop_next) {
            return 200 '@{[ redirect_url('$hop_next') ]}';
        }

        return 200 '$SETTINGS';
    }
}

server {
    listen \$TEST_NGINX_SERVER_PORT;
    server_name *.test;

    access_log logs/access.log body;

    location = /autodiscover/autodiscover.xml {
        proxy_pass http://127.0.0.1:\$TEST_NGINX_SERVER_PORT/answer;
        proxy_set_header Host \$host;
    }

    location = /answer {
        return 200 \$mock_answer;
    }

    location = /status500/autodiscover/autodiscover.xml {
        return 500;
    }

    location = /moved/autodiscover/autodiscover.xml {
        return 302 https://hop12.test/autodiscover/autodiscover.xml;
    }

    location = /moved-plain/autodiscover/autodiscover.xml {
        return 302 http://exchange.test/autodiscover/autodiscover.xml;
    }

    location = /silent/autodiscover/autodiscover.xml {
        proxy_pass http://127.0.0.1:$SILENT_PORT;
        proxy_read_timeout 1s;
    }
}
_EOC_
}

sub service {
    my ($extra) = @_;

    return mocks() . <<"_EOC_";
autodiscover_domains local.test;
autodiscover_protocol IMAP server=imap.local.test login=\$autodiscover_email;
autodiscover_fallback /fallback;
$extra
_EOC_
}

AD::defaults(error_code => 200, config => <<'_EOC_');
location ~* ^/autodiscover/autodiscover\.xml$ {
    autodiscover;
}

location = /fallback {
    internal;
    proxy_pass http://127.0.0.1:$TEST_NGINX_SERVER_PORT$autodiscover_fallback_uri;
    proxy_set_header Host $autodiscover_fallback_host;
    proxy_pass_request_headers off;
    proxy_set_header Content-Type "text/xml; charset=utf-8";
    proxy_read_timeout 5s;
    subrequest_output_buffer_size 16k;
}
_EOC_

# hosted.test is served here with a redirect to its hoster
our $HOSTED = "map \$autodiscover_domain \$hosted { volatile; hosted.test 1; default 0; }\n"
    . "map \$autodiscover_domain \$hosted_url { volatile; default '';"
    . " hosted.test https://autodiscover.hoster.test/autodiscover/autodiscover.xml; }\n"
    . "autodiscover_serve \$hosted;\n"
    . "autodiscover_redirect_url \$hosted_url;";

sub post { "POST /autodiscover/autodiscover.xml\n" . AD::pox($_[0], $_[1], $_[2]) }

run_tests();

__DATA__

=== TEST 1: an address not served here is asked of Exchange, the answer relayed
--- http_config eval
main::service('autodiscover_fallback_url https://exchange.test/autodiscover/autodiscover.xml;')
--- request eval
main::post('bob@remote.test')
--- response_headers
Content-Type: text/xml; charset=utf-8
--- response_body eval
$main::SETTINGS
--- access_log eval
qr/^exchange\.test <\?xml version=\\x221\.0\\x22 encoding=\\x22utf-8\\x22\?>\\x0D\\x0A<Autodiscover xmlns=\\x22http:\/\/schemas\.microsoft\.com\/exchange\/autodiscover\/outlook\/requestschema\/2006\\x22>\\x0D\\x0A  <Request>\\x0D\\x0A    <EMailAddress>bob\@remote\.test<\/EMailAddress>/
--- error_log
autodiscover: fallback hop 0 to "https://exchange.test/autodiscover/autodiscover.xml" for "bob@remote.test"



=== TEST 2: local addresses never leave
--- http_config eval
main::service('autodiscover_fallback_url https://exchange.test/autodiscover/autodiscover.xml;')
--- request eval
main::post('alice@local.test')
--- response_body eval
AD::imap_doc('alice@local.test') =~ s/imap\.example\.com/imap.local.test/r
--- no_error_log
fallback hop



=== TEST 3: a GET ?email= is asked with a request made like Outlook's
--- http_config eval
main::service('autodiscover_fallback_url https://exchange.test/autodiscover/autodiscover.xml;')
--- request
GET /autodiscover/autodiscover.xml?email=bob@remote.test
--- response_body eval
$main::SETTINGS



=== TEST 4: chains of 1, 9 and 10 redirects are followed
--- http_config eval
main::service("autodiscover_fallback_url \$hop_start;\n"
              . "autodiscover_fallback_follow *.test;\n"
              . "map \$arg_start \$hop_start { default https://hop11.test/autodiscover/autodiscover.xml;"
              . " 9 https://hop3.test/autodiscover/autodiscover.xml;"
              . " 10 https://hop2.test/autodiscover/autodiscover.xml; }")
--- request eval
["GET /autodiscover/autodiscover.xml?email=bob\@remote.test",
 "GET /autodiscover/autodiscover.xml?email=bob\@remote.test&start=9",
 "GET /autodiscover/autodiscover.xml?email=bob\@remote.test&start=10"]
--- error_code eval
[200, 200, 200]
--- response_body eval
[($main::SETTINGS) x 3]



=== TEST 5: 11 redirects are one too many: 603
--- http_config eval
main::service("autodiscover_fallback_url https://hop1.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
autodiscover: fallback for "bob@remote.test" failed: too many redirects



=== TEST 6: autodiscover_fallback_max_redirects set lower
--- http_config eval
main::service("autodiscover_fallback_url https://hop9.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;\n"
              . "autodiscover_fallback_max_redirects 2;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
too many redirects



=== TEST 7: a loop ends cleanly
--- http_config eval
main::service("autodiscover_fallback_url https://loop1.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
failed: a redirect loop



=== TEST 8: redirectAddr to an address served here: answered here
--- http_config eval
main::service("autodiscover_fallback_url https://local.redirect.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body eval
AD::imap_doc('alice@local.test') =~ s/imap\.example\.com/imap.local.test/r
--- error_log
autodiscover: fallback redirected to the address "alice@local.test"



=== TEST 9: redirectAddr to another remote address: asked again, for it
--- http_config eval
main::service("autodiscover_fallback_url \$fallback_start;\n"
              . "autodiscover_fallback_follow *.test;\n"
              . "map \$autodiscover_email \$fallback_start { volatile;"
              . " default https://remote.redirect.test/autodiscover/autodiscover.xml;"
              . " carol\@other.test https://exchange.test/autodiscover/autodiscover.xml; }")
--- request eval
main::post('bob@remote.test')
--- response_body eval
$main::SETTINGS
--- access_log eval
qr/^exchange\.test .*<EMailAddress>carol\@other\.test<\/EMailAddress>/



=== TEST 10: redirectAddr to the same address is a loop
--- http_config eval
main::service("autodiscover_fallback_url https://self.redirect.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
failed: an address loop



=== TEST 11: an HTTP 302 is followed
--- http_config eval
main::service("autodiscover_fallback_url https://exchange.test/moved/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body eval
$main::SETTINGS



=== TEST 12: settings from a plain-http URL are refused
--- http_config eval
main::service("autodiscover_fallback_url https://plain.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
failed: settings over plain http



=== TEST 13: a redirect to a host not allowed is refused, never fetched
--- http_config eval
main::service("autodiscover_fallback_url https://evil.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
failed: a redirect to a host not allowed



=== TEST 14: without autodiscover_fallback_follow a redirect is relayed to the client
--- http_config eval
main::service('autodiscover_fallback_url https://loop1.test/autodiscover/autodiscover.xml;')
--- request eval
main::post('bob@remote.test')
--- response_body eval
main::redirect_url('https://loop2.test/autodiscover/autodiscover.xml')



=== TEST 15: ... and an HTTP 302 to https is relayed as a 302
--- http_config eval
main::service('autodiscover_fallback_url https://exchange.test/moved/autodiscover/autodiscover.xml;')
--- request eval
main::post('bob@remote.test')
--- error_code: 302
--- response_headers
Location: https://hop12.test/autodiscover/autodiscover.xml



=== TEST 16: upstream 500: 603
--- http_config eval
main::service('autodiscover_fallback_url https://exchange.test/status500/autodiscover/autodiscover.xml;')
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
failed: an HTTP error status



=== TEST 17: upstream timeout: 603, no hang
--- http_config eval
main::service('autodiscover_fallback_url https://exchange.test/silent/autodiscover/autodiscover.xml;')
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- timeout: 10



=== TEST 18: garbage and documents that are not Autodiscover: 603
--- http_config eval
main::service("autodiscover_fallback_url \$bad;\n"
              . "map \$arg_bad \$bad { default https://garbage.test/autodiscover/autodiscover.xml;"
              . " html https://html.test/autodiscover/autodiscover.xml; }")
--- request eval
["GET /autodiscover/autodiscover.xml?email=bob\@remote.test",
 "GET /autodiscover/autodiscover.xml?email=bob\@remote.test&bad=html"]
--- error_code eval
[200, 200]
--- response_body_like eval
[AD::error_like(603), AD::error_like(603)]



=== TEST 19: an oversized answer: 603
--- http_config eval
main::service("autodiscover_fallback_url https://big.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_max_reply 1k;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
failed: an answer larger than autodiscover_fallback_max_reply



=== TEST 20: ActiveSync: the mobilesync answer relayed, an Outlook answer refused
--- http_config eval
main::service("autodiscover_fallback_url \$ms;\n"
              . "map \$arg_x \$ms { default https://ms.test/autodiscover/autodiscover.xml;"
              . " outlook https://exchange.test/autodiscover/autodiscover.xml; }")
--- request eval
["POST /autodiscover/autodiscover.xml\n"
 . AD::pox('bob@remote.test', $AD::MOBILESYNC, "${AD::NS}mobilesync/requestschema/2006"),
 "POST /autodiscover/autodiscover.xml?x=outlook\n"
 . AD::pox('bob@remote.test', $AD::MOBILESYNC, "${AD::NS}mobilesync/requestschema/2006")]
--- error_code eval
[200, 200]
--- response_body_like eval
[qr/\A\Q$main::MS_SETTINGS\E\z/, AD::error_like(603)]



=== TEST 21: the hosted domain of Outlook's documentation, end to end
--- http_config eval
main::service("autodiscover_fallback_url https://hop11.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('john@contoso.test')
--- response_body eval
$main::SETTINGS
--- error_log
autodiscover: fallback hop 1 to "https://hop12.test/autodiscover/autodiscover.xml" for "john@contoso.test"



=== TEST 22: nginx -t: max redirects over 10
--- http_config
autodiscover_domains local.test;
autodiscover_fallback /fallback;
autodiscover_fallback_max_redirects 11;
--- must_die
--- request
GET /
--- error_log
"autodiscover_fallback_max_redirects" must be at most 10, as Outlook follows no more



=== TEST 23: nginx -t: a plain-http fallback URL
--- http_config
autodiscover_domains local.test;
autodiscover_fallback /fallback;
autodiscover_fallback_url http://exchange.test/autodiscover/autodiscover.xml;
--- must_die
--- request
GET /
--- error_log
invalid redirect URL "http://exchange.test/autodiscover/autodiscover.xml", it must be an absolute "https://" URL in



=== TEST 24: a redirectAddr to another remote address may go back to the same server
--- http_config eval
main::service("autodiscover_fallback_url https://remote.redirect.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
failed: an address loop



=== TEST 25: an ActiveSync device's request falls back too
--- http_config eval
main::service('autodiscover_fallback_url https://ms.test/autodiscover/autodiscover.xml;')
--- request eval
"POST /autodiscover/autodiscover.xml\n"
. AD::pox('bob@local.test', $AD::MOBILESYNC, "${AD::NS}mobilesync/requestschema/2006")
--- response_body eval
$main::MS_SETTINGS



=== TEST 26: the client's credentials and cookies never go upstream
--- http_config eval
main::service('autodiscover_fallback_url https://exchange.test/autodiscover/autodiscover.xml;')
. "log_format creds 'creds auth=[\$http_authorization] cookie=[\$http_cookie]';\n"
--- config eval
"location ~* ^/autodiscover/autodiscover\\.xml\$ {
    autodiscover;
}

location = /fallback {
    internal;
    proxy_pass http://127.0.0.1:\$TEST_NGINX_SERVER_PORT/creds;
    proxy_set_header Host localhost;
}

location = /creds {
    access_log logs/access.log creds;
    return 200 '$main::SETTINGS';
}"
--- more_headers
Authorization: Basic Ym9iOnMzY3IzdA==
Cookie: session=abc
--- request eval
main::post('bob@remote.test')
--- response_body eval
$main::SETTINGS
--- access_log
creds auth=[-] cookie=[-]



=== TEST 27: the first URL is not checked against the allow-list (its port neither); a fragment is dropped
--- http_config eval
main::service("autodiscover_fallback_url https://hop10.test:443/autodiscover/autodiscover.xml#x;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body eval
$main::SETTINGS
--- error_log
autodiscover: fallback hop 1 to "https://hop11.test/autodiscover/autodiscover.xml" for "bob@remote.test"



=== TEST 28: nginx -t: autodiscover_http_redirect cannot share a location
--- http_config
autodiscover_domains local.test;
--- config
location / {
    autodiscover;
    autodiscover_http_redirect https://autodiscover.hoster.test/autodiscover/autodiscover.xml;
}
--- must_die
--- request
GET /
--- error_log
"autodiscover_http_redirect" only ever redirects: it cannot share a location with "autodiscover"



=== TEST 29: redirectAddr to an address sent elsewhere here: a 302, as a direct request gets
The hosted domain's redirect URL with autodiscover_redirect_mode 302 is an
HTTP 302 for the new address, exactly what a POST for it would get.
--- http_config eval
main::service("autodiscover_fallback_url https://hosted.redirect.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;\n"
              . "autodiscover_redirect_mode 302;\n"
              . $main::HOSTED)
--- request eval
main::post('bob@remote.test')
--- error_code: 302
--- response_headers
Location: https://autodiscover.hoster.test/autodiscover/autodiscover.xml
--- error_log
autodiscover: fallback redirected to the address "dave@hosted.test"



=== TEST 30: the same for an ActiveSync device: its 302, not a Settings block
--- http_config eval
main::service("autodiscover_fallback_url https://hosted.ms.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;\n"
              . "autodiscover_activesync_url https://eas.local.test/Microsoft-Server-ActiveSync;\n"
              . $main::HOSTED)
--- request eval
main::post('bob@remote.test', $AD::MOBILESYNC, "${AD::NS}mobilesync/requestschema/2006")
--- error_code: 302
--- response_headers
Location: https://autodiscover.hoster.test/autodiscover/autodiscover.xml
--- error_log
autodiscover: fallback redirected to the address "dave@hosted.test"



=== TEST 31: a direct request for that address gets the same 302
--- http_config eval
main::service("autodiscover_fallback_url https://hosted.redirect.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_redirect_mode 302;\n"
              . $main::HOSTED)
--- request eval
main::post('dave@hosted.test')
--- error_code: 302
--- response_headers
Location: https://autodiscover.hoster.test/autodiscover/autodiscover.xml
--- no_error_log
fallback hop



=== TEST 32: a RedirectUrl with CR and LF is refused before it is asked, logged or put into a variable
--- http_config eval
main::service("autodiscover_fallback_url https://crlf.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
autodiscover: fallback for "bob@remote.test": a redirect URL with a space, a control or a non-ASCII byte: "https://hop12.test/autodiscover/autodiscover.xml\x0d\x0aX-Injected: 1"
autodiscover: fallback for "bob@remote.test" failed: an invalid redirect URL, at "/fallback" (HTTP status 200)
--- no_error_log
fallback hop 1



=== TEST 33: a RedirectUrl with a space is refused
--- http_config eval
main::service("autodiscover_fallback_url https://space.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
a redirect URL with a space, a control or a non-ASCII byte: "https://hop12.test/auto discover/autodiscover.xml"
--- no_error_log
fallback hop 1



=== TEST 34: a RedirectUrl with a tab is refused
--- http_config eval
main::service("autodiscover_fallback_url https://tab.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
a redirect URL with a space, a control or a non-ASCII byte: "https://hop12.test/\x09autodiscover.xml"
--- no_error_log
fallback hop 1



=== TEST 35: a RedirectUrl with a non-ASCII byte is refused
--- http_config eval
main::service("autodiscover_fallback_url https://eight.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
a redirect URL with a space, a control or a non-ASCII byte: "https://hop12.test/autodiscover/\xc3\xa9.xml"
--- no_error_log
fallback hop 1



=== TEST 36: the allow-list compares the port: a listed host on another port is not followed
--- http_config eval
main::service("autodiscover_fallback_url https://port.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test;")
--- request eval
main::post('bob@remote.test')
--- response_body_like eval
AD::error_like(603)
--- error_log
autodiscover: fallback for "bob@remote.test" failed: a redirect to a host not allowed
--- no_error_log
fallback hop 1



=== TEST 37: a host listed with its port is followed on that port
--- http_config eval
main::service("autodiscover_fallback_url https://port.test/autodiscover/autodiscover.xml;\n"
              . "autodiscover_fallback_follow *.test exchange.test:8443;")
--- request eval
main::post('bob@remote.test')
--- error_log
autodiscover: fallback hop 1 to "https://exchange.test:8443/autodiscover/autodiscover.xml" for "bob@remote.test"



=== TEST 38: the request made for a GET escapes the address: & and ' are valid in a local part
--- http_config eval
main::service('autodiscover_fallback_url https://exchange.test/autodiscover/autodiscover.xml;')
--- request
GET /autodiscover/autodiscover.xml?email=a%26b'c@remote.test
--- response_body eval
$main::SETTINGS
--- access_log eval
qr/^exchange\.test .*<EMailAddress>a&amp;b&apos;c\@remote\.test<\/EMailAddress>/



=== TEST 39: the debug log shows the path of an answer
--- log_level: debug
--- http_config eval
main::service('autodiscover_fallback_url https://exchange.test/autodiscover/autodiscover.xml;')
--- request eval
main::post('bob@remote.test')
--- response_body eval
$main::SETTINGS
--- error_log
autodiscover: request body of 372 bytes parsed: 0
autodiscover: request for "bob@remote.test" in the format "pox", domain "remote.test"
autodiscover: verdict fallback, code 0, format "pox"
autodiscover: fallback hop 0, host "exchange.test", uri "/autodiscover/autodiscover.xml"
autodiscover: verdict relayed, code 0, format "pox"
autodiscover: answer relayed in "pox", status 200
