# "make run": conf-examples/run.conf answers every surface, and every curl
# line util/run-examples.sh prints for it gets the answer it should.
# Plain Test::More: valid under any runner.

use strict;
use warnings;

use File::Temp qw(tempdir);
use IO::Socket::INET;
use Test::More;

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $modules = $ENV{TEST_NGINX_LOAD_MODULES}
    or plan skip_all => 'TEST_NGINX_LOAD_MODULES is not set';
my $module = (split ' ', $modules)[0];

# a free port instead of 8080
my $probe = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, ReuseAddr => 1)
    or die "cannot listen: $!\n";
my $port = $probe->sockport;
close $probe;

my $prefix = tempdir(CLEANUP => 1);
mkdir "$prefix/conf";
mkdir "$prefix/logs";

open my $in, '<', 'conf-examples/run.conf' or die $!;
my $conf = do { local $/; <$in> };
close $in;

$conf =~ s/\@MODULE\@/$module/g;
$conf =~ s/127\.0\.0\.1:8080/127.0.0.1:$port/g;
$conf =~ s/^(\s*worker_processes.*)$/$1\nuser root;/m if $> == 0;

open my $out, '>', "$prefix/conf/nginx.conf" or die $!;
print $out $conf;
close $out;

system($nginx, '-p', $prefix, '-c', 'conf/nginx.conf') == 0
    or BAIL_OUT("nginx did not start with run.conf");

END {
    system($nginx, '-p', $prefix, '-c', 'conf/nginx.conf', '-s', 'quit')
        if defined $prefix;
}

select(undef, undef, undef, 0.3);

# what each surface answers: status, content type, a piece of the body
my @expect = (
    [ 200, 'text/xml; charset=utf-8', '<Type>IMAP</Type>' ],
    [ 200, 'text/xml; charset=utf-8', '<Type>IMAP</Type>' ],
    [ 200, 'text/xml; charset=utf-8', '<Type>IMAP</Type>' ],
    [ 200, 'text/xml; charset=utf-8', '<Type>MobileSync</Type>' ],
    [ 200, 'application/json; charset=utf-8',
      qq{"Url":"https://127.0.0.1:$port/autodiscover/autodiscover.xml"} ],
    [ 200, 'application/json; charset=utf-8',
      '"Url":"https://mail.example.com/Microsoft-Server-ActiveSync"' ],
    [ 200, 'text/xml; charset=utf-8', '<incomingServer type="imap">' ],
    [ 200, 'text/xml; charset=utf-8', '<incomingServer type="imap">' ],
    [ 200, 'application/x-apple-aspen-config', 'com.apple.mail.managed' ],
    [ 301, 'text/html', 'Location: https://dav.example.com/dav/cal/' ],
    [ 301, 'text/html', 'Location: https://dav.example.com/dav/card/' ],
    [ 200, 'application/json; charset=utf-8',
      'X-PACC-Digest: v=UAAC1; a=sha256; d=' ],
    [ 200, 'text/plain; charset=utf-8',
      "_autodiscover._tcp.example.com. 3600 IN SRV 0 1 443 mail.example.com."
      . " ; autodiscover\n" ],
    [ 200, 'text/plain; charset=utf-8',
      "_autodiscover._tcp.example.com. 3600 IN SRV 0 1 443 mail.example.com."
      . " ; autodiscover ; " ],
    [ 302, 'text/html',
      'Location: https://autodiscover.example.com/autodiscover/autodiscover.xml' ],
    # the lines above, counted: the first three are Outlook's settings
    [ 200, 'text/plain; version=0.0.4; charset=utf-8',
      qq{autodiscover_requests_total{surface="pox",outcome="settings"} 3\n} ],
);

my @lines = grep { /^\s+curl / }
            `util/run-examples.sh http://127.0.0.1:$port`;

is(scalar @lines, scalar @expect, 'one curl line per surface');

for my $i (0 .. $#lines) {
    my $cmd = $lines[$i];
    chomp $cmd;
    $cmd =~ s/^\s+//;
    $cmd =~ s/^curl -s (?!-i )/curl -s -i /;
    $cmd =~ s/ -D - / /;

    my $answer = `$cmd`;
    my ($code, $want_type, $piece) = @{ $expect[$i] // [] };

    like($answer, qr{\AHTTP/1\.1 $code }, "line $i: status $code")
        or diag($cmd);
    like($answer, qr{^Content-Type: \Q$want_type\E\r$}m,
         "line $i: Content-Type $want_type");
    like($answer, qr{\Q$piece\E}, "line $i: $piece");
}

done_testing();
