# autodiscover_metrics_zone and autodiscover_metrics: the exact counters
# after known requests (every surface's outcome, client families, refusals,
# body sizes, the fallback, signatures), $autodiscover_surface, _outcome
# and _client in log_format lines, promtool's check of the exposition,
# and the directives' errors.  The reload that keeps the counters is
# t/061-metrics-reload.t.

use lib 't/inc';
use AD;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Test::Nginx::Socket 'no_plan';

# the counters add up from one round to the next: one round
repeat_each(1);
no_long_string();
no_shuffle();

# promtool (Debian's prometheus package): installed by util/deps.sh test
sub find_promtool {
    for my $dir (split /:/, $ENV{PATH} . ':/usr/bin') {
        return "$dir/promtool" if -x "$dir/promtool";
    }
    return undef;
}

our $PROMTOOL = find_promtool();

if (!defined $PROMTOOL && $> == 0) {
    system('util/deps.sh test >/dev/null 2>&1');
    $PROMTOOL = find_promtool();
}

if (!defined $PROMTOOL) {
    Test::More::diag('promtool is absent and could not be installed '
                     . '(apt-get install prometheus): its check is skipped');
}

our $PKI = tempdir(CLEANUP => 1);

system("openssl req -x509 -newkey rsa:2048 -nodes -keyout $PKI/sign.key"
       . " -out $PKI/sign.pem -days 2 -subj /CN=profiles.example.com"
       . " >/dev/null 2>&1") == 0
    or die "openssl failed\n";

our $OUTLOOK_UA = 'Microsoft Office/16.0 (Windows NT 10.0; '
    . 'Microsoft Outlook 16.0.17126; Pro)';
our $THUNDERBIRD_UA = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; '
    . 'rv:115.0) Gecko/20100101 Thunderbird/115.0';
our $IPHONE_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) '
    . 'AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 '
    . 'Safari/604.1';

our $DOCTYPE = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>';
our $LARGE = 'x' x 2000;

sub post { "POST /autodiscover/autodiscover.xml\n" . $_[0] }

# the exposition the counters must give: %c holds the samples that are
# not 0, keyed as "requests pox settings", "client outlook", ..., and
# bodies the sizes of the request bodies counted
sub metrics {
    my ($c, @bodies) = @_;
    my %c = %$c;
    my @buckets = (256, 512, 1024, 2048, 4096, 16384, 65536, '+Inf');

    my $m = "# HELP autodiscover_requests_total Requests answered, by surface"
        . " (the format answered) and outcome; only the pairs counted so"
        . " far.\n# TYPE autodiscover_requests_total counter\n";

    for my $s (qw(pox activesync json autoconfig mobileconfig http_redirect
                  well_known pacc))
    {
        for my $o (qw(settings redirect-url redirect-addr redirect-http
                      unavailable error-500 error-501 error-600 error-601
                      error-602 error-603 not-served not-allowed relayed
                      fallback-failed failed))
        {
            my $n = $c{"requests $s $o"} or next;
            $m .= "autodiscover_requests_total{surface=\"$s\","
                . "outcome=\"$o\"} $n\n";
        }
    }

    $m .= "# HELP autodiscover_client_requests_total Requests answered, by"
        . " client family (User-Agent, schema).\n"
        . "# TYPE autodiscover_client_requests_total counter\n";
    $m .= "autodiscover_client_requests_total{client=\"$_\"} "
        . ($c{"client $_"} // 0) . "\n"
        for qw(outlook activesync thunderbird apple other);

    $m .= "# HELP autodiscover_fallback_hops_total Subrequests made to"
        . " autodiscover_fallback, redirects followed included.\n"
        . "# TYPE autodiscover_fallback_hops_total counter\n"
        . "autodiscover_fallback_hops_total " . ($c{hops} // 0) . "\n";

    $m .= "# HELP autodiscover_fallback_results_total Requests passed to"
        . " the fallback, by how the chain ended.\n"
        . "# TYPE autodiscover_fallback_results_total counter\n";
    $m .= "autodiscover_fallback_results_total{result=\"$_\"} "
        . ($c{"fallback $_"} // 0) . "\n"
        for qw(failed relayed redirect here);

    $m .= "# HELP autodiscover_signatures_total Apple profile signatures,"
        . " made per request (there is no cache).\n"
        . "# TYPE autodiscover_signatures_total counter\n";
    $m .= "autodiscover_signatures_total{result=\"$_\"} "
        . ($c{"signatures $_"} // 0) . "\n"
        for qw(made failed);

    $m .= "# HELP autodiscover_refusals_total Requests refused before the"
        . " decision, by reason.\n"
        . "# TYPE autodiscover_refusals_total counter\n";
    $m .= "autodiscover_refusals_total{reason=\"$_\"} "
        . ($c{"refusal $_"} // 0) . "\n"
        for qw(too-large empty prohibited malformed limit content url);

    $m .= "# HELP autodiscover_request_body_bytes Sizes of the request"
        . " bodies POSTed, or declared by those refused as too large.\n"
        . "# TYPE autodiscover_request_body_bytes histogram\n";

    my $sum = 0;
    $sum += $_ for @bodies;

    for my $le (@buckets) {
        my $n = grep { $le eq '+Inf' || $_ <= $le } @bodies;
        $m .= "autodiscover_request_body_bytes_bucket{le=\"$le\"} $n\n";
    }

    $m .= "autodiscover_request_body_bytes_sum $sum\n"
        . "autodiscover_request_body_bytes_count " . scalar(@bodies) . "\n";

    return $m;
}

# the requests of TEST 1: what each must answer, and the body sizes
our @KNOWN = (
    [raw_post(AD::pox('alice@example.com'), $OUTLOOK_UA), 200,
     qr/<Type>IMAP<\/Type>/],
    [raw_post(AD::pox('alice@example.com', $AD::MOBILESYNC)), 200,
     qr/<Type>MobileSync<\/Type>/],
    [raw_post(AD::pox('bob@example.org')), 404, qr/404 Not Found/],
    [raw_post(AD::pox('alice@example.com', 'http://example.com/no/schema')),
     200, qr/<ErrorCode>601<\/ErrorCode>/],
    [raw_post($DOCTYPE), 200, qr/<ErrorCode>600<\/ErrorCode>/],
    [raw_post($LARGE), 200, qr/<ErrorCode>600<\/ErrorCode>/],
    [raw_get('/autodiscover/autodiscover.xml'), 405, qr/405 Not Allowed/],
    [raw_get('/mail/config-v1.1.xml?emailaddress=alice@example.com',
             $THUNDERBIRD_UA), 200, qr/<incomingServer type="imap">/],
);

our @BODIES = map { length }
    AD::pox('alice@example.com'),
    AD::pox('alice@example.com', $AD::MOBILESYNC),
    AD::pox('bob@example.org'),
    AD::pox('alice@example.com', 'http://example.com/no/schema'),
    $DOCTYPE,
    $LARGE;

# the requests of TEST 2: the fallback, a signed profile
our @FALLBACK = (
    [raw_post(AD::pox('bob@remote.test')), 200,
     qr/\A(?s:.*?)\r\n\r\n\Q@{[ AD::imap_doc() ]}\E\z/],
    [raw_post(AD::pox('carol@remote.test')), 200,
     qr/<ErrorCode>603<\/ErrorCode>/],
    [raw_get('/profile?emailaddress=alice@example.com', $IPHONE_UA), 200,
     qr/\r\n\r\n0\x82/],
);

# requests made before a block's own (whose checks see all their log
# lines): each must get its status, and an answer that matches
sub prime {
    my (@reqs) = @_;

    for my $req (@reqs) {
        my ($raw, $status, $like) = @$req;
        my $s;

        # under valgrind nginx may take seconds to listen after it started
        for (1 .. 300) {
            $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                       PeerPort => server_port())
                and last;
            select undef, undef, undef, 0.1;
        }

        die "cannot connect: $!\n" unless $s;

        print $s $raw;
        local $/;
        my $answer = <$s>;

        die "not a $status: $raw\n"
            unless $answer =~ m{^HTTP/1\.\d $status };
        die "not the answer expected: $raw\n"
            if defined $like && $answer !~ $like;
    }
}

sub raw_post {
    my ($body, $ua) = @_;

    return "POST /autodiscover/autodiscover.xml HTTP/1.0\r\n"
        . "Host: localhost\r\n"
        . (defined $ua ? "User-Agent: $ua\r\n" : '')
        . "Content-Type: text/xml; charset=utf-8\r\n"
        . "Content-Length: " . length($body) . "\r\n\r\n" . $body;
}

sub raw_get {
    my ($uri, $ua) = @_;

    return "GET $uri HTTP/1.0\r\nHost: localhost\r\n"
        . (defined $ua ? "User-Agent: $ua\r\n" : '') . "\r\n";
}

# a request body of exactly $len bytes: Outlook's, and a comment
sub padded {
    my ($len) = @_;
    my $pox = AD::pox('alice@example.com');

    return $pox . '<!--' . ('x' x ($len - length($pox) - 7)) . '-->';
}

# the requests of TEST 3: bodies beyond the module's limit and nginx's
our @LARGE = (
    [AD::chunked('/autodiscover/autodiscover.xml', padded(1500), 500), 200,
     qr/<ErrorCode>600<\/ErrorCode>/],
    [AD::chunked('/autodiscover/autodiscover.xml', padded(2500), 500), 413],
    [raw_post(padded(2500)), 413],
);

# the body piped to promtool: its exit status and what it said
sub promtool {
    my ($body) = @_;

    open my $fh, '>', "$PKI/metrics.txt" or die $!;
    print $fh $body;
    close $fh;

    my $out = `$PROMTOOL check metrics < $PKI/metrics.txt 2>&1`;

    return "promtool exit " . ($? >> 8) . "\n$out";
}

AD::defaults(http_config => <<'_EOC_');
log_format ad '$autodiscover_surface $autodiscover_outcome $autodiscover_client $status';
autodiscover_metrics_zone counted:64k;
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
autodiscover_activesync_url https://mail.example.com/Microsoft-Server-ActiveSync;
autodiscover_max_body 1024;
_EOC_

run_tests();

__DATA__

=== TEST 1: counters after known requests, and the log lines
--- config
access_log logs/access.log ad;

location = /autodiscover/autodiscover.xml {
    autodiscover;
}

location = /mail/config-v1.1.xml {
    autodiscover_autoconfig;
}

location = /metrics {
    autodiscover_metrics;
}
--- init
main::prime(@main::KNOWN);
--- request
GET /metrics
--- response_headers
Content-Type: text/plain; version=0.0.4; charset=utf-8
--- response_body eval
main::metrics({
    'requests pox settings' => 1, 'requests pox error-600' => 2,
    'requests pox error-601' => 1, 'requests pox not-served' => 1,
    'requests pox not-allowed' => 1, 'requests activesync settings' => 1,
    'requests autoconfig settings' => 1,
    'client outlook' => 1, 'client activesync' => 1,
    'client thunderbird' => 1, 'client other' => 5,
    'refusal prohibited' => 1, 'refusal too-large' => 1,
}, @main::BODIES)
--- access_log eval
[qr/^pox settings outlook 200$/, qr/^activesync settings activesync 200$/,
 qr/^pox not-served other 404$/, qr/^pox error-601 other 200$/,
 qr/^pox error-600 other 200$/, qr/^pox not-allowed other 405$/,
 qr/^autoconfig settings thunderbird 200$/]
--- no_error_log
[error]



=== TEST 2: the fallback's hops and results, a signed profile
--- http_config eval
"log_format ad '\$autodiscover_surface \$autodiscover_outcome \$autodiscover_client \$status';
autodiscover_metrics_zone fallback:64k;
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
autodiscover_protocol SMTP server=smtp.example.com;
autodiscover_fallback /fallback;
autodiscover_sign $main::PKI/sign.pem $main::PKI/sign.key;"
--- config eval
"access_log logs/access.log ad;

location = /autodiscover/autodiscover.xml {
    autodiscover;
}

location = /profile {
    autodiscover_mobileconfig;
}

location = /fallback {
    internal;
    proxy_pass http://127.0.0.1:\$TEST_NGINX_SERVER_PORT/answer/\$autodiscover_user;
    proxy_pass_request_headers off;
    proxy_set_header Content-Type 'text/xml; charset=utf-8';
    subrequest_output_buffer_size 16k;
}

location = /answer/bob {
    return 200 '@{[ AD::imap_doc() ]}';
}

location = /answer/carol {
    return 500;
}

location = /metrics {
    autodiscover_metrics;
}"
--- init
main::prime(@main::FALLBACK);
--- request
GET /metrics
--- response_body eval
main::metrics({
    'requests pox relayed' => 1, 'requests pox fallback-failed' => 1,
    'requests mobileconfig settings' => 1,
    'client apple' => 1, 'client other' => 2,
    'hops' => 2, 'fallback relayed' => 1, 'fallback failed' => 1,
    'signatures made' => 1,
}, length(AD::pox('bob@remote.test')), length(AD::pox('carol@remote.test')))
--- access_log eval
[qr/^pox relayed other 200$/, qr/^pox fallback-failed other 200$/,
 qr/^mobileconfig settings apple 200$/]
--- error_log
autodiscover: fallback for "carol@remote.test" failed: an HTTP error status



=== TEST 3: bodies too large: the module's refusal, and nginx's 413
--- http_config
log_format ad '$autodiscover_surface $autodiscover_outcome $autodiscover_client $status';
autodiscover_metrics_zone large:64k;
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
autodiscover_max_body 1024;
--- config
access_log logs/access.log ad;

location = /autodiscover/autodiscover.xml {
    autodiscover;
    client_max_body_size 1800;
}

location = /metrics {
    autodiscover_metrics;
}
--- init
main::prime(@main::LARGE);
--- request
GET /metrics
--- response_body eval
main::metrics({
    'requests pox error-600' => 1, 'requests pox failed' => 1,
    'client other' => 2, 'refusal too-large' => 1,
}, 1500)
--- access_log eval
[qr/^pox error-600 other 200$/, qr/^pox failed other 413$/,
 qr/^- - - 413$/]



=== TEST 4: promtool check metrics accepts the exposition
--- skip_eval: 2: !defined $main::PROMTOOL
--- config
location = /autodiscover/autodiscover.xml {
    autodiscover;
}

location = /metrics {
    autodiscover_metrics;
}
--- init
main::prime([main::raw_post(AD::pox('alice@example.com'), $main::OUTLOOK_UA), 200],
            [main::raw_post(AD::pox('bob@example.org')), 404],
            [main::raw_post('<x>'), 200],
            [main::raw_post(AD::pox('alice@example.com', $AD::MOBILESYNC)), 200]);
--- request
GET /metrics
--- response_body_filters eval
\&main::promtool
--- response_body
promtool exit 0



=== TEST 5: the variables are empty where the module did not answer
--- config
location = /t {
    return 200 "[$autodiscover_surface][$autodiscover_outcome][$autodiscover_client]\n";
}
--- request
GET /t
--- response_body
[][][]



=== TEST 6: the client families of real clients' User-Agent
--- config
location = /mail/config-v1.1.xml {
    autodiscover_autoconfig;
    add_header X-Client $autodiscover_client;
}
--- request eval
[("GET /mail/config-v1.1.xml?emailaddress=alice\@example.com") x 9]
--- more_headers eval
["User-Agent: $main::OUTLOOK_UA",
 "User-Agent: Microsoft Office/16.0 (Macintosh; Mac OS X 10.15; Microsoft Outlook 16.78.23121017; Pro)",
 "User-Agent: $main::THUNDERBIRD_UA",
 "User-Agent: Apple-iPhone14C5/2101.0.15",
 "User-Agent: iOS/17.0 (21A329) dataaccessd/1.0",
 "User-Agent: $main::IPHONE_UA",
 "User-Agent: MSFT-WP/8.10.14219 (gzip)",
 "User-Agent: Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
 ""]
--- response_headers eval
["X-Client: outlook", "X-Client: outlook", "X-Client: thunderbird",
 "X-Client: apple", "X-Client: apple", "X-Client: apple",
 "X-Client: activesync", "X-Client: other", "X-Client: other"]



=== TEST 7: HEAD: the headers alone
--- config
location = /metrics {
    autodiscover_metrics;
}
--- request
HEAD /metrics
--- response_headers
Content-Type: text/plain; version=0.0.4; charset=utf-8
--- response_body



=== TEST 8: only GET and HEAD
--- config
location = /metrics {
    autodiscover_metrics;
}
--- request
POST /metrics
x
--- error_code: 405



=== TEST 9: autodiscover_metrics without a zone
--- http_config
autodiscover_domains example.com;
--- config
location = /metrics {
    autodiscover_metrics;
}
--- must_die
--- error_log
"autodiscover_metrics" requires "autodiscover_metrics_zone"



=== TEST 10: a zone without a size
--- http_config
autodiscover_metrics_zone counted;
--- config
--- must_die
--- error_log
invalid zone "counted", it must be name:size



=== TEST 11: a zone too small
--- http_config
autodiscover_metrics_zone counted:4k;
--- config
--- must_die
--- error_log
zone "counted:4k" is too small



=== TEST 12: a zone at server level
--- http_config
--- config
autodiscover_metrics_zone counted:64k;
--- must_die
--- error_log
"autodiscover_metrics_zone" directive is not allowed here



=== TEST 13: one zone
--- http_config
autodiscover_metrics_zone counted:64k;
autodiscover_metrics_zone other:64k;
--- config
--- must_die
--- error_log
"autodiscover_metrics_zone" directive is duplicate



=== TEST 14: the endpoint does not share a location
--- config
location = /metrics {
    autodiscover;
    autodiscover_metrics;
}
--- must_die
--- error_log
"autodiscover_metrics" cannot share a location with another content handler
