# autodiscover_metrics_zone across reloads: two workers count into one
# zone; "nginx -s reload" keeps the counters when the zone keeps its name
# and size, and a zone of another size starts from 0.  nginx is run here
# with its master process, which neither runner's blocks do.
# Plain Test::More: valid under any runner.

use strict;
use warnings;

use File::Temp qw(tempdir);
use IO::Socket::INET;
use Test::More;

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
# the module's .so, or none when it is compiled in (make test-asan's
# nginx, built with --add-module=<this checkout>)
my $modules = $ENV{TEST_NGINX_LOAD_MODULES};

if (!$modules) {
    my $built = `$nginx -V 2>&1`;

    (grep { -f "$_/ngx_http_autodiscover_module.c" }
          $built =~ /--add-module=(\S+)/g)
        or plan skip_all => 'TEST_NGINX_LOAD_MODULES is not set and '
                          . 'the module is not compiled in';
    $modules = '';
}

my $probe = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, ReuseAddr => 1)
    or die "cannot listen: $!\n";
my $port = $probe->sockport;
close $probe;

my $prefix = tempdir(CLEANUP => 1);
mkdir "$prefix/conf";
mkdir "$prefix/logs";

sub write_conf {
    my ($size) = @_;

    my $user = $> == 0 ? "user root;\n" : '';

    open my $out, '>', "$prefix/conf/nginx.conf" or die $!;
    print $out join('', map { "load_module $_;\n" } split ' ', $modules),
        $user, <<"END";
worker_processes 2;
error_log logs/error.log info;
pid logs/nginx.pid;

events {
    worker_connections 64;
}

http {
    access_log off;
    autodiscover_metrics_zone counted:$size;

    server {
        listen 127.0.0.1:$port;

        autodiscover_domains example.com;
        autodiscover_protocol IMAP server=imap.example.com;

        location = /autodiscover/autodiscover.xml {
            autodiscover;
        }

        location = /metrics {
            autodiscover_metrics;
        }
    }
}
END
    close $out;
}

sub get {
    my ($uri) = @_;

    my $s;
    for (1 .. 100) {
        $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                   PeerPort => $port)
            and last;
        select undef, undef, undef, 0.05;
    }
    die "cannot connect: $!\n" unless $s;

    print $s "GET $uri HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/;
    my $answer = <$s>;
    close $s;

    return $answer;
}

sub settings {
    get('/autodiscover/autodiscover.xml?email=alice@example.com')
        =~ m{^HTTP/1\.\d 200 } or die "no settings\n";
}

# the count of POX settings answers, as the endpoint says
sub counted {
    my $m = get('/metrics');

    return $m =~ /^autodiscover_requests_total\{surface="pox",outcome="settings"\} (\d+)$/m
        ? $1 : 0;
}

# the master's pid, and when the workers of a new configuration answer
sub master { open my $fh, '<', "$prefix/logs/nginx.pid" or die $!; <$fh> + 0 }

sub error_log { local (@ARGV, $/) = "$prefix/logs/error.log"; <> }

sub reload {
    my $workers = () = `ps -o pid= --ppid ${\ master()}`;
    my $from = length error_log();

    system($nginx, '-p', $prefix, '-c', 'conf/nginx.conf', '-s', 'reload')
        == 0 or die "reload failed\n";

    # the old workers stop listening: wait until each has said so
    for (1 .. 100) {
        my $n = () = substr(error_log(), $from) =~ /gracefully shutting down/g;
        last if $n >= $workers;
        select undef, undef, undef, 0.05;
    }

    select undef, undef, undef, 0.2;
}

write_conf('64k');

system($nginx, '-p', $prefix, '-c', 'conf/nginx.conf') == 0
    or BAIL_OUT("nginx did not start");

END {
    system($nginx, '-p', $prefix, '-c', 'conf/nginx.conf', '-s', 'quit')
        if defined $prefix && -e "$prefix/logs/nginx.pid";
}

settings() for 1 .. 10;

is(counted(), 10, 'ten requests counted once each, with two workers');
like(get('/metrics'),
     qr/^autodiscover_client_requests_total\{client="other"\} 10$/m,
     'the client families add up');

reload();

is(counted(), 10, 'a reload keeps the counters');

settings() for 1 .. 3;

is(counted(), 13, 'the new workers count on');

write_conf('128k');
reload();

is(counted(), 0, 'a zone of another size is a new one, from 0');

settings();

is(counted(), 1, 'and counts');

done_testing();
