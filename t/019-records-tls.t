# autodiscover_records ?check=1 and the certificates: for each HTTPS name
# that resolves, the certificate presented there (SNI) names the host or
# not, verifies against trusted= or not, and when it expires; a name
# whose address does not answer.

use lib 't/inc';
use AD;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Test::Nginx::Socket 'no_plan';

repeat_each(1);
no_long_string();
no_shuffle();

our $PORT = $ENV{TEST_NGINX_PORT} || $ENV{TEST_NGINX_SERVER_PORT} || 1984;
our $DNS = $PORT + 9;
our $TLS = $PORT + 10;

our $PKI = tempdir(CLEANUP => 1);

# a host that takes the connection and never answers the handshake: a
# socket of this process listening on another loopback address, whose
# connections the kernel completes and no one accepts
our $SILENT = IO::Socket::INET->new(Listen => 16, ReuseAddr => 1,
                                    LocalAddr => '127.0.0.3',
                                    LocalPort => $TLS)
    or die "cannot listen on 127.0.0.3:$TLS: $!\n";

sub openssl {
    system("openssl @_ >/dev/null 2>&1") == 0
        or die "openssl @_ failed\n";
}

# a CA, a certificate it issued for autodiscover.example.com, one for
# mail.example.com only, and a self-signed one for ua-auto-config.
openssl("req -x509 -newkey rsa:2048 -nodes -keyout $PKI/ca.key"
        . " -out $PKI/ca.pem -days 2 -subj /CN=Test-CA");

for my $c (['right', 'autodiscover.example.com'],
           ['other', 'mail.example.com'])
{
    my ($name, $host) = @$c;

    openssl("req -newkey rsa:2048 -nodes -keyout $PKI/$name.key"
            . " -out $PKI/$name.csr -subj /CN=$host");

    open my $fh, '>', "$PKI/$name.ext" or die $!;
    print $fh "subjectAltName=DNS:$host\n";
    close $fh;

    openssl("x509 -req -in $PKI/$name.csr -CA $PKI/ca.pem"
            . " -CAkey $PKI/ca.key -CAcreateserial -days 30"
            . " -extfile $PKI/$name.ext -out $PKI/$name.pem");
}

openssl("req -x509 -newkey rsa:2048 -nodes -keyout $PKI/self.key"
        . " -out $PKI/self.pem -days 30 -subj /CN=ua-auto-config.example.com"
        . " -addext subjectAltName=DNS:ua-auto-config.example.com");

# the day each certificate expires, as its notAfter says
sub expires {
    my $end = `openssl x509 -enddate -noout -in $PKI/$_[0].pem`;
    my %m = (Jan => 1, Feb => 2, Mar => 3, Apr => 4, May => 5, Jun => 6,
             Jul => 7, Aug => 8, Sep => 9, Oct => 10, Nov => 11, Dec => 12);

    $end =~ /notAfter=(\w{3}) +(\d+) [\d:]+ (\d{4}) GMT/
        or die "no notAfter in $PKI/$_[0].pem\n";

    return sprintf('%04d-%02d-%02d', $3, $m{$1}, $2);
}

our %EXPIRES = map { $_ => expires($_) } qw(right other self);

AD::dnsmasq($DNS, $PKI,
            '--local=/example.com/', '--local=/example.org/',
            '--local=/example.net/',
            '--host-record=autodiscover.example.com,127.0.0.1',
            '--host-record=autoconfig.example.com,127.0.0.1',
            '--host-record=ua-auto-config.example.com,127.0.0.1',
            '--host-record=autodiscover.example.org,127.0.0.2',
            # silent; plain HTTP, no TLS
            '--host-record=autodiscover.example.net,127.0.0.3',
            '--host-record=autoconfig.example.net,127.0.0.4',
            );

# the HTTPS names on one port, a certificate each by SNI
our $HTTP = <<"_EOC_";
autodiscover_domains example.com example.org example.net;
autodiscover_protocol IMAP server=imap.example.com;
server {
    listen 127.0.0.1:$TLS ssl;
    server_name autodiscover.example.com;
    ssl_certificate $PKI/right.pem;
    ssl_certificate_key $PKI/right.key;
}
server {
    listen 127.0.0.1:$TLS ssl;
    server_name autoconfig.example.com;
    ssl_certificate $PKI/other.pem;
    ssl_certificate_key $PKI/other.key;
}
server {
    listen 127.0.0.1:$TLS ssl;
    server_name ua-auto-config.example.com;
    ssl_certificate $PKI/self.pem;
    ssl_certificate_key $PKI/self.key;
}
server {
    listen 127.0.0.4:$TLS;
    return 200;
}
_EOC_

our $SURFACES = <<'_EOC_';
location = /autodiscover/autodiscover.xml { autodiscover; }
location = /mail/config-v1.1.xml { autodiscover_autoconfig; }
location = /.well-known/user-agent-configuration.json { autodiscover_pacc; }
_EOC_

# the lines of the names clients ask, one space between columns; the
# days left are 29 or 30, as the seconds between the certificate's making
# and the request fall
sub names {
    my $lines = join '',
                grep { /^(?:autodiscover|autoconfig|ua-auto-config)\./ }
                split /^/, $_[0];

    $lines =~ s/ +/ /g;
    $lines =~ s/\((?:29|30) days\)/(30 days)/g;

    return $lines;
}

sub certificates {
    my $found = join "\n", $_[0] =~ /"certificate":\{[^}]*\}/g;

    $found =~ s/"days":(?:29|30)\}/"days":30}/g;

    return $found;
}

AD::defaults(http_config => $HTTP);

run_tests();

__DATA__

=== TEST 1: names the host and verified; does not name it; self-signed
--- config eval
$main::SURFACES . "
location = /records {
    resolver 127.0.0.1:$main::DNS;
    resolver_timeout 3s;
    autodiscover_records target=127.0.0.1 https_port=$main::TLS
                         trusted=$main::PKI/ca.pem;
}"
--- request
GET /records?domain=example.com&check=1
--- response_body_filters eval
\&main::names
--- response_body eval
"autodiscover.example.com. 3600 IN A 127.0.0.1 ; autodiscover ; present ; certificate: names the host, verified, expires $main::EXPIRES{right} (30 days)
autoconfig.example.com. 3600 IN A 127.0.0.1 ; autodiscover_autoconfig ; present ; certificate: does not name the host, verified, expires $main::EXPIRES{other} (30 days)
ua-auto-config.example.com. 3600 IN A 127.0.0.1 ; autodiscover_pacc ; present ; certificate: names the host, not verified (self-signed certificate), expires $main::EXPIRES{self} (30 days)
"
--- no_error_log
[error]
[alert]



=== TEST 2: without trusted=, the system's CAs: the test CA is not among them
--- config eval
$main::SURFACES . "
location = /records {
    resolver 127.0.0.1:$main::DNS;
    autodiscover_records target=127.0.0.1 https_port=$main::TLS;
}"
--- request
GET /records?domain=example.com&check=1&format=json
--- response_body_filters eval
\&main::certificates
--- response_body eval
qq{"certificate":{"names_host":true,"verified":false,"verify":"unable to get local issuer certificate","expires":"$main::EXPIRES{right}","days":30}
"certificate":{"names_host":false,"verified":false,"verify":"unable to get local issuer certificate","expires":"$main::EXPIRES{other}","days":30}
"certificate":{"names_host":true,"verified":false,"verify":"self-signed certificate","expires":"$main::EXPIRES{self}","days":30}}



=== TEST 3: a name whose address does not answer, and a name without an address
--- config eval
"location = /autodiscover/autodiscover.xml { autodiscover; }
location = /mail/config-v1.1.xml { autodiscover_autoconfig; }
location = /records {
    resolver 127.0.0.1:$main::DNS;
    autodiscover_records target=127.0.0.1 https_port=$main::TLS;
}"
--- request
GET /records?domain=example.org&check=1
--- response_body_filters eval
\&main::names
--- response_body
autodiscover.example.org. 3600 IN A 127.0.0.1 ; autodiscover ; different: 127.0.0.2 ; certificate: no connection
autoconfig.example.org. 3600 IN A 127.0.0.1 ; autodiscover_autoconfig ; missing ; certificate: no address
--- no_error_log
[error]
[alert]



=== TEST 4: trusted= that cannot be read
--- config
location = /records { autodiscover_records target=mail.example.net trusted=/nonexistent/ca.pem; }
--- must_die
--- error_log eval
qr/\[emerg\] .*SSL_CTX_load_verify_locations\("\/nonexistent\/ca\.pem"\) failed/



=== TEST 5: a host that never answers the handshake; a host that does not speak TLS
--- config eval
"location = /autodiscover/autodiscover.xml { autodiscover; }
location = /mail/config-v1.1.xml { autodiscover_autoconfig; }
location = /records {
    resolver 127.0.0.1:$main::DNS;
    resolver_timeout 1s;
    autodiscover_records target=127.0.0.1 https_port=$main::TLS;
}"
--- request
GET /records?domain=example.net&check=1
--- response_body_filters eval
\&main::names
--- response_body
autodiscover.example.net. 3600 IN A 127.0.0.1 ; autodiscover ; different: 127.0.0.3 ; certificate: timed out
autoconfig.example.net. 3600 IN A 127.0.0.1 ; autodiscover_autoconfig ; different: 127.0.0.4 ; certificate: no TLS handshake
--- no_error_log
[error]
[alert]
[crit]



=== TEST 6: the client goes away while a handshake waits: the request ends at once, the connection closed
--- config eval
"location = /autodiscover/autodiscover.xml { autodiscover; }
location = /records {
    resolver 127.0.0.1:$main::DNS;
    resolver_timeout 5s;
    autodiscover_records target=127.0.0.1 https_port=$main::TLS;
}"
--- request
GET /records?domain=example.net&check=1
--- timeout: 0.5
--- abort
--- ignore_response
--- wait: 0.5
--- error_log
client prematurely closed connection
--- no_error_log
[error]
[alert]
[crit]
