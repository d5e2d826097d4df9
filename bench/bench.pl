#!/usr/bin/perl

# The benchmark of ngx_http_autodiscover_module: for each row, one nginx
# with two listeners, one answering with the module and one answering the
# very same bytes with "return 200", driven in alternating rounds by wrk.
# See bench/README.
#
# Core Perl only (no CPAN). Usage: perl bench/bench.pl [options], or
# "make bench" / "make bench-smoke" from the top of the repository.

use strict;
use warnings;

use Cwd qw(abs_path getcwd);
use File::Basename qw(dirname);
use File::Path qw(make_path rmtree);
use Getopt::Long qw(GetOptions);
use IO::Select;
use IO::Socket::INET;
use POSIX qw(WNOHANG strftime);
use Time::HiRes qw(time sleep);

$| = 1;

my $BENCH = dirname(abs_path($0));
my $REPO = dirname($BENCH);

my %opt = (
    nginx        => '/usr/sbin/nginx',
    module       => "$REPO/build/ngx_http_autodiscover_module.so",
    out          => "$REPO/build/bench",
    wrk          => 'wrk',
    rows         => '',
    duration     => 10,          # seconds per round and side
    rounds       => 5,
    warmup       => 2,           # seconds per side, not recorded
    client       => 'static',    # or dynamic: see bench/wrk.lua
    threads      => 0,           # 0: 10 for static, 1 for dynamic
    connections  => 50,
    server_cpu   => 0,
    client_cpu   => 1,
    port         => 8300,        # two ports per row from here, up to 8399
    map_size     => 1_000_000,   # entries of the big map
    map_sample   => 10_000,      # addresses of the big map wrk asks for
    mem_requests => 1_000_000,   # requests between the two RSS readings
    pool_requests => 8,          # requests of the request pool probe
    checks       => 200,         # answers checked per row and side, at most
    max_other    => 15,          # % of a CPU other work may take in a round
    retries      => 3,           # times a disturbed round is measured again
    profile      => '',          # perf, callgrind or callgrind-cache
    profile_requests => 20_000,  # requests per side under callgrind
    smoke        => 0,
    metrics      => 0,           # count in an autodiscover_metrics_zone
);

GetOptions(\%opt, 'nginx=s', 'module=s', 'out=s', 'wrk=s', 'rows=s',
           'duration=i', 'rounds=i', 'warmup=i', 'threads=i', 'client=s',
           'connections=i', 'server_cpu|server-cpu=i',
           'client_cpu|client-cpu=i', 'port=i', 'map_size|map-size=i',
           'map_sample|map-sample=i', 'mem_requests|mem-requests=i',
           'pool_requests|pool-requests=i', 'checks=i', 'profile=s',
           'profile_requests|profile-requests=i', 'max_other|max-other=i',
           'retries=i', 'smoke', 'metrics', 'help')
    or usage();

usage() if $opt{help};

die "--client is static or dynamic\n"
    unless $opt{client} =~ /^(static|dynamic)$/;
$opt{threads} ||= $opt{client} eq 'static' ? 10 : 1;

sub usage {
    print STDERR <<'END';
usage: perl bench/bench.pl [options]
  --rows a,b,...      rows to run (default and "all": every row); see
                      --rows list
  --duration S        seconds per round and side (10)
  --rounds N          alternating rounds (5)
  --warmup S          seconds of warm-up per side (2)
  --client static|dynamic        static (default): wrk thread n sends the
                      n-th request of the row's list as wrk's static
                      request, no Lua per request; dynamic: one Lua call
                      per request, the whole list in turn (bench/wrk.lua)
  --threads N --connections N    wrk's -t and -c (10 static, 1 dynamic; 50)
  --server-cpu N --client-cpu N  CPUs for nginx and wrk (0, 1)
  --port N            first port; each row takes two (8300)
  --map-size N        entries of the big map (1000000)
  --mem-requests N    requests between the two RSS readings (1000000, 0: no)
  --max-other P --retries N      a round during which other work took more
                      than P % of a CPU is measured again, N times (15, 3)
  --profile perf|callgrind|callgrind-cache
                                 profile each row instead of timing it
                                 (callgrind-cache: with its cache simulation)
  --smoke             one 2-second round, small map, no memory run; exit 1
                      when an answer is wrong
  --metrics           the module's nginx counts every request in an
                      autodiscover_metrics_zone (the cost of counting)
  --nginx PATH --module PATH --out DIR --wrk PATH
END
    exit 2;
}

if ($opt{smoke}) {
    $opt{duration} = 2;
    $opt{rounds} = 1;
    $opt{warmup} = 0;
    $opt{map_size} = 100_000 if $opt{map_size} == 1_000_000;
    $opt{map_sample} = 1000;
    $opt{mem_requests} = 0;
    $opt{checks} = 20;
    $opt{retries} = 0;
}


###########################################################################
# What is measured
###########################################################################

# The service every row answers for (the module's listener only), a
# hoster's: the server from a "hostnames" map with a regex key (the
# domains asked for reach the regex, which matches), the login from a map
# keyed on the address with a regex key beside its exact ones (100 entries
# in every row but the big-map row, which has --map-size of them; the
# addresses asked for are in the map, so every row does the same work
# apart from the map's size), the display name from a map.

my $HTTP_CONF = <<'END';
    map $autodiscover_domain $ad_name {
        default      "Example Mail";
        example.net  "Example Net Mail";
    }

    map $autodiscover_domain $ad_server {
        hostnames;
        default                       mail.example.com;
        example.net                   mx.example.net;
        *.example.org                 mail.example.org;
        ~^(?<ad_dom>[a-z0-9-]+)\.com$  mail.$ad_dom.com;
    }

    map $autodiscover_email $ad_login {
        default      $autodiscover_email;
        ~^(?<ad_user>[^@]+)@example\.org$  $ad_user;
        include      logins.map;
    }
END

my $SERVICE_CONF = <<'END';
        autodiscover_domains example.com example.net;
        autodiscover_display_name $ad_name;
        autodiscover_protocol IMAP server=$ad_server port=993 tls=ssl
                              login=$ad_login;
        autodiscover_protocol POP3 server=$ad_server port=995 tls=ssl
                              login=$ad_login;
        autodiscover_protocol SMTP server=$ad_server port=587
                              tls=starttls login=$ad_login;
        autodiscover_activesync_url https://mail.example.com/Microsoft-Server-ActiveSync;
END

my $POX_NS = 'http://schemas.microsoft.com/exchange/autodiscover';

# Outlook's request, as Outlook writes it
sub pox_body {
    my ($email, $kind) = @_;
    my $resp = $kind eq 'mobilesync' ? 'mobilesync/responseschema/2006'
                                     : 'outlook/responseschema/2006a';
    return qq{<?xml version="1.0" encoding="utf-8"?>\r\n}
         . qq{<Autodiscover xmlns="$POX_NS/$kind/requestschema/2006">\r\n}
         . qq{  <Request>\r\n}
         . qq{    <EMailAddress>$email</EMailAddress>\r\n}
         . qq{    <AcceptableResponseSchema>$POX_NS/$resp</AcceptableResponseSchema>\r\n}
         . qq{  </Request>\r\n}
         . qq{</Autodiscover>\r\n};
}

sub post {
    my ($path, $body) = @_;
    return "POST $path HTTP/1.1\r\n"
         . "Host: autodiscover.example.com\r\n"
         . "User-Agent: bench\r\n"
         . "Content-Type: text/xml; charset=utf-8\r\n"
         . "Content-Length: " . length($body) . "\r\n"
         . "\r\n" . $body;
}

sub get {
    my ($path) = @_;
    return "GET $path HTTP/1.1\r\n"
         . "Host: autodiscover.example.com\r\n"
         . "User-Agent: bench\r\n"
         . "\r\n";
}

# user0000000@example.com ...: the login the map gives is login<N>, with
# the same seven digits, so that every address (and so every answer) of
# every row has the same length

sub addr { return sprintf('user%07d@example.com', $_[0]) }
sub login { return sprintf('login%07d', $_[0]) }

# the 100 entries of the small map
sub small_addresses { return 0 .. 99 }

# n entries of the big map, spread over all of it, the same in every run
sub big_addresses {
    my ($n, $size) = @_;
    my $x = 12345;
    my @a;
    for (1 .. $n) {
        $x = ($x * 1103515245 + 12345) % 2147483648;
        push @a, int($x / 2147483648 * $size);
    }
    return @a;
}

# A row: what the module's location holds, the return side's Content-Type,
# the requests wrk sends in turn (each with the regexes its answer must
# match), and what to report. Adding a row is adding one entry.

my @ROWS = (
    {
        name     => 'pox',
        title    => 'Outlook POX POST, small config',
        match    => '~* ^/autodiscover/autodiscover\.xml$',
        handler  => 'autodiscover;',
        type     => 'text/xml',
        map_size => 100,
        memory   => 1,
        target   => 0.90,
        floor    => 1,
        own      => 4000,
        requests => sub {
            map {
                +{ raw => post('/autodiscover/autodiscover.xml',
                              pox_body(addr($_), 'outlook')),
                  expect => [ qr{<Action>settings</Action>},
                              qr{<DisplayName>Example Mail</DisplayName>},
                              qr{(?:<LoginName>${\ login($_)}</LoginName>.*){3}}s ] }
            } small_addresses();
        },
    },
    {
        name     => 'pox-1m',
        title    => 'Outlook POX POST, big login map',
        match    => '~* ^/autodiscover/autodiscover\.xml$',
        handler  => 'autodiscover;',
        type     => 'text/xml',
        map_size => 'big',
        http     => "    map_hash_max_size 2097152;\n"
                  . "    map_hash_bucket_size 256;\n",
        # within 5% of the module with a small map: a third server in
        # the same nginx, the same service with a login map of only the
        # addresses asked for, measured in the same rounds
        small    => 1,
        versus   => 'pox',         # printed beside it, from its own rounds
        floor    => 1,
        own      => 4000,
        requests => sub {
            map {
                +{ raw => post('/autodiscover/autodiscover.xml',
                              pox_body(addr($_), 'outlook')),
                  expect => [ qr{<Action>settings</Action>},
                              qr{(?:<LoginName>${\ login($_)}</LoginName>.*){3}}s ] }
            } big_addresses($opt{map_sample}, $opt{map_size});
        },
    },
    {
        name     => 'mobilesync',
        title    => 'ActiveSync POST',
        match    => '~* ^/autodiscover/autodiscover\.xml$',
        handler  => 'autodiscover;',
        type     => 'text/xml',
        map_size => 100,
        floor    => 1,
        own      => 3000,
        requests => sub {
            map {
                +{ raw => post('/autodiscover/autodiscover.xml',
                              pox_body(addr($_), 'mobilesync')),
                  expect => [ qr{<Type>MobileSync</Type>},
                              qr{<EMailAddress>\Q${\ addr($_)}\E</EMailAddress>},
                              qr{<Url>https://mail\.example\.com/Microsoft-Server-ActiveSync</Url>} ] }
            } small_addresses();
        },
    },
    {
        name     => 'json',
        title    => 'Autodiscover v2 JSON GET',
        match    => '~* ^/autodiscover/autodiscover\.json',
        handler  => 'autodiscover_json;',
        type     => 'application/json',
        map_size => 100,
        own      => 2000,
        requests => sub {
            map {
                +{ raw => get("/autodiscover/autodiscover.json/v1.0/"
                             . addr($_) . "?Protocol=AutodiscoverV1"),
                  expect => [ qr{^\{"Protocol":"AutodiscoverV1","Url":"https://autodiscover\.example\.com/autodiscover/autodiscover\.xml"\}$} ] }
            } small_addresses();
        },
    },

    # Not in the default run (--rows thunderbird, or --rows all): the
    # rows of features that are still landing.
    {
        name     => 'thunderbird',
        title    => 'Thunderbird autoconfig GET',
        match    => '= /mail/config-v1.1.xml',
        handler  => 'autodiscover_autoconfig;',
        type     => 'text/xml',
        map_size => 100,
        target   => 0.95,
        own      => 2000,
        requests => sub {
            map {
                +{ raw => get("/mail/config-v1.1.xml?emailaddress=" . (addr($_) =~ s/\@/%40/r)),
                  expect => [ qr{<clientConfig version="1\.1">},
                              qr{<username>${\ login($_)}</username>} ] }
            } small_addresses();
        },
    },
    {
        name     => 'apple',
        title    => 'Apple profile GET, unsigned',
        match    => '= /profile',
        handler  => 'autodiscover_mobileconfig;',
        type     => 'application/x-apple-aspen-config',
        headers  => [ 'Content-Disposition' ],
        map_size => 100,
        own      => 3000,
        requests => sub {
            map {
                +{ raw => get("/profile?emailaddress=" . (addr($_) =~ s/\@/%40/r)),
                  expect => [ qr{<string>\Q${\ addr($_)}\E</string>} ] }
            } small_addresses();
        },
    },
    {
        name     => 'apple-signed',
        title    => 'Apple profile GET, signed',
        match    => '= /profile',
        handler  => "autodiscover_mobileconfig;\n"
                  . "            autodiscover_sign sign.pem sign.key;",
        setup    => \&make_signing_key,
        type     => 'application/x-apple-aspen-config',
        headers  => [ 'Content-Disposition' ],
        map_size => 100,
        requests => sub {
            map {
                +{ raw => get("/profile?emailaddress=" . (addr($_) =~ s/\@/%40/r)),
                  expect => [ qr{\Q${\ addr($_)}\E} ] }
            } small_addresses();
        },
    },
);


###########################################################################
# The run
###########################################################################

if ($opt{rows} eq 'list') {
    printf "%-14s %s%s\n", $_->{name}, $_->{title},
           $_->{optional} ? ' (optional)' : '' for @ROWS;
    exit 0;
}

my @run;
{
    my %want = map { $_ => 1 } split /,/, $opt{rows};
    %want = () if $opt{rows} eq 'all';
    for my $i (0 .. $#ROWS) {
        my $row = $ROWS[$i];
        $row->{port} = $opt{port} + 2 * $i;
        $row->{port_return} = $row->{port} + 1;
        $row->{port_small} = $row->{port} + 50 if $row->{small};
        if ($opt{rows} eq '' ? !$row->{optional}
            : $opt{rows} eq 'all' ? 1 : delete $want{$row->{name}})
        {
            push @run, $row;
        }
    }
    die "unknown rows: " . join(', ', sort keys %want) . "\n" if %want;
}

die "$opt{nginx} not found\n" unless -x $opt{nginx};
die "$opt{module} not found (make build)\n" unless -f $opt{module};
$opt{module} = abs_path($opt{module});
for my $tool ($opt{wrk}, 'taskset') {
    system("command -v $tool >/dev/null 2>&1") == 0
        or die "$tool not found (apt-get install wrk util-linux)\n";
}

my $NPROC = () = grep { /^processor\s*:/ } read_file('/proc/cpuinfo');
die "CPUs $opt{server_cpu} and $opt{client_cpu} needed, this machine has "
    . "$NPROC\n" if $opt{server_cpu} >= $NPROC || $opt{client_cpu} >= $NPROC;

my $NGINX_V = `$opt{nginx} -V 2>&1`;
my $HAS_DEBUG = $NGINX_V =~ /--with-debug/;
my ($NGINX_VERSION) = $NGINX_V =~ m{nginx version: (\S+)};
my $TCK = POSIX::sysconf(POSIX::_SC_CLK_TCK()) || 100;

make_path($opt{out});
$opt{out} = abs_path($opt{out});
open my $LOG, '>', "$opt{out}/results.txt" or die "$opt{out}/results.txt: $!";
open my $TSV, '>', "$opt{out}/rounds.tsv" or die "$opt{out}/rounds.tsv: $!";
print $TSV join("\t", qw(row round side rps us_per_req usr_us sys_us
                        worker_pct cpu0_pct cpu1_pct other_pct p50_us p90_us
                        p99_us p999_us rss_kb errors load1 load5 load15)), "\n";

sub out { print @_; print $LOG @_; }

my @children;        # nginx masters still running, stopped on exit
my $WRK = 0;         # wrk while it runs
my $failed = 0;
my %summary;

$SIG{INT} = $SIG{TERM} = sub { cleanup(); exit 130 };
END { cleanup() if @children }

out(header());

for my $row (@run) {
    my $ok = eval { run_row($row); 1 };
    if (!$ok) {
        out("  $row->{name}: FAILED: $@");
        $failed++;
        $summary{$row->{name}}{failed} = $@;
    }
    cleanup();
}

out(summary()) unless $opt{profile};
out(callgrind_summary()) if $opt{profile} =~ /^callgrind/;

out("\nrounds: $opt{out}/rounds.tsv; this text: $opt{out}/results.txt\n");
out($failed ? "\nFAILED: $failed row(s)\n" : "") ;

exit($failed ? 1 : 0);


sub header {
    my $cpu = (grep { /^model name/ } read_file('/proc/cpuinfo'))[0] // '';
    $cpu =~ s/^model name\s*:\s*//;
    chomp $cpu;
    my $mem = (grep { /^MemTotal/ } read_file('/proc/meminfo'))[0];
    my ($kb) = $mem =~ /(\d+)/;
    my $os = '';
    if (open my $fh, '<', '/etc/os-release') {
        ($os) = map { /^PRETTY_NAME="?([^"\n]*)/ ? $1 : () } <$fh>;
    }
    my $kernel = `uname -r`;
    chomp $kernel;
    my $wrkv = (`$opt{wrk} -v 2>&1` =~ /^(wrk \S+)/m)[0] // 'wrk';
    my $rev = `git -C $REPO describe --always --dirty 2>/dev/null` || '';
    chomp $rev;

    return sprintf(<<'END',
ngx_http_autodiscover_module benchmark, %s
machine: %s, %d CPUs, %.1f GiB, %s, Linux %s
nginx: %s (%s), module %s (%s)
client: %s -t%d -c%d, keep-alive, %s requests; nginx worker on CPU %d, wrk on CPU %d
%d round(s) of %d s per side, alternating, after %d s of warm-up per side
load average at start: %s
Other work may run on this machine: every round records the load averages
and the busy time of both CPUs (other%% = CPU time used by neither the
nginx worker nor wrk, in %% of one CPU).
END
        strftime('%Y-%m-%d %H:%M:%S %Z', localtime), $cpu, $NPROC,
        $kb / 1048576, $os, $kernel, $opt{nginx}, $NGINX_VERSION // '?',
        $opt{module}, $rev || 'no git', $wrkv, $opt{threads},
        $opt{connections}, $opt{client}, $opt{server_cpu}, $opt{client_cpu},
        $opt{rounds}, $opt{duration}, $opt{warmup},
        join(' ', loadavg()));
}


###########################################################################
# One row
###########################################################################

sub run_row {
    my ($row) = @_;

    my $dir = "$opt{out}/$row->{name}";
    rmtree($dir);
    make_path("$dir/conf", "$dir/logs", "$dir/tmp");

    out("\n== $row->{name}: $row->{title}\n");

    for my $p (grep { defined } $row->{port}, $row->{port_return},
                                $row->{port_small})
    {
        die "port $p is outside 8300-8399\n" if $p < 8300 || $p > 8399;
        port_free($p) or die "port $p is in use\n";
    }

    my $t0 = time;
    my $entries = $row->{map_size} eq 'big' ? $opt{map_size}
                                             : $row->{map_size};
    write_map("$dir/conf/logins.map", $entries);
    out(sprintf("  login map: %d entries, %.1f MB, written in %.1f s\n",
                $entries, (-s "$dir/conf/logins.map") / 1e6, time - $t0))
        if $entries > 1000;

    $row->{setup}->($dir) if $row->{setup};

    my @reqs = $row->{requests}->();
    die "no requests\n" unless @reqs;

    open my $fh, '>', "$dir/requests.bin" or die $!;
    binmode $fh;
    print $fh length($_->{raw}), "\n", $_->{raw} for @reqs;
    close $fh;

    write_small_map("$dir/conf/logins-small.map", \@reqs) if $row->{small};

    # 1. the module's answer to the first request: the bytes to return

    write_conf($row, $dir, undef);
    my $ngx = start_nginx($row, $dir);
    my $first = http_session($row->{port}, [ $reqs[0]{raw} ])->[0];
    stop_nginx($ngx);

    die "the module answered $first->{status_line}\n"
        unless $first->{status} == 200;

    # 2. the same nginx with both listeners

    write_conf($row, $dir, $first);
    $ngx = start_nginx($row, $dir);

    my $rss = rss($ngx->{worker});
    my $mrss = rss($ngx->{master});
    out(sprintf("  nginx start to first answer: %.2f s; master RSS %s (PSS "
                . "%s), worker RSS %s (PSS %s)\n", $ngx->{start_time},
                kb($mrss->{rss}), kb($mrss->{pss}), kb($rss->{rss}),
                kb($rss->{pss})));
    $summary{$row->{name}}{start} = $ngx->{start_time};
    $summary{$row->{name}}{rss_start} = $rss;
    $summary{$row->{name}}{master_rss} = $mrss;

    check_answers($row, \@reqs, $first);

    my $req_len = length($reqs[0]{raw});
    my ($body_len) = $reqs[0]{raw} =~ /\r\n\r\n(.*)\z/s;
    out(sprintf("  request %d B (body %d B), answer %d B\n", $req_len,
                length($body_len // ''), length($first->{body})));
    $summary{$row->{name}}{answer} = length($first->{body});
    $summary{$row->{name}}{request} = length($body_len // '');

    pool_probe($row, \@reqs, $dir) if $HAS_DEBUG;

    if ($opt{profile}) {
        profile_row($row, $dir, $ngx);
        stop_nginx($ngx);
        return;
    }

    # 3. warm-up, then the rounds

    if ($opt{warmup}) {
        wrk($_, $dir, $opt{warmup})
            for grep { defined } $row->{port}, $row->{port_return},
                                 $row->{port_small};
    }

    out(sprintf("  %-5s %-7s %8s %7s %6s %5s %5s %5s %5s %5s %7s %7s %8s %4s  %s\n",
                'round', 'side', 'req/s', 'us/req', 'usr', 'srv%', 'wrk%',
                'cpu0', 'cpu1', 'oth%', 'p50 us', 'p99 us', 'RSS', 'err',
                'load 1 5 15'));

    my (@ratio, @cpu_ratio, @small_ratio, @small_cpu_ratio, %by_side);

    my $disturbed = 0;
    my %port = (module => $row->{port}, return => $row->{port_return},
                small => $row->{port_small});

    for my $round (1 .. $opt{rounds}) {
        my @sides = $round % 2 ? qw(module return) : qw(return module);
        my %r;

        # the small map's side in turn first, between and last
        splice @sides, ($round - 1) % 3, 0, 'small' if $row->{small};

        # a pair during which other work took more than --max-other % of
        # a CPU is measured again, up to --retries times
        for my $try (0 .. $opt{retries}) {
            for my $side (@sides) {
                $r{$side} = measure($ngx, $port{$side}, $dir,
                                    $opt{duration});
                print_round($row, $round, $side, $r{$side});
            }
            my $other = max(map { $r{$_}{other} } @sides);
            last if $other <= $opt{max_other};
            if ($try < $opt{retries}) {
                out(sprintf("  %-5d %-7s other work took %.0f%% of a CPU: "
                            . "measured again\n", $round, 'retry', $other));
                sleep 2;
            } else {
                out(sprintf("  %-5d %-7s other work took %.0f%% of a CPU: "
                            . "kept, marked disturbed\n", $round, '!',
                            $other));
                $disturbed++;
            }
        }

        push @{$by_side{$_}}, $r{$_} for @sides;
        my $q = $r{module}{rps} / ($r{return}{rps} || 1);
        my $c = $r{return}{us} / ($r{module}{us} || 1);
        push @ratio, $q;
        push @cpu_ratio, $c;
        out(sprintf("  %-5d %-7s %8.3f %7.3f   (module/return: req/s; "
                    . "return/module: CPU per request)\n",
                    $round, 'ratio', $q, $c));

        next unless $row->{small};

        $q = $r{module}{rps} / ($r{small}{rps} || 1);
        $c = $r{small}{us} / ($r{module}{us} || 1);
        push @small_ratio, $q;
        push @small_cpu_ratio, $c;
        out(sprintf("  %-5d %-7s %8.3f %7.3f   (module/small: req/s; "
                    . "small/module: CPU per request)\n",
                    $round, 'ratio', $q, $c));
    }

    my $s = $summary{$row->{name}};
    $s->{ratio} = median(@ratio);
    $s->{cpu_ratio} = median(@cpu_ratio);
    for my $side (sort keys %by_side) {
        for my $k (qw(rps us p50 p99 rss wpct)) {
            $s->{$side}{$k} = median(map { $_->{$k} } @{$by_side{$side}});
        }
    }
    $s->{ratios} = \@ratio;
    $s->{cpu_ratios} = \@cpu_ratio;
    if ($row->{small}) {
        $s->{small_ratio} = median(@small_ratio);
        $s->{small_cpu_ratio} = median(@small_cpu_ratio);
        $s->{small_ratios} = \@small_ratio;
        $s->{small_cpu_ratios} = \@small_cpu_ratio;
    }
    $s->{disturbed} = $disturbed;

    out(sprintf("  median: module %.0f req/s %.2f us/req, return %.0f req/s "
                . "%.2f us/req; ratio %.3f (CPU %.3f)\n",
                $s->{module}{rps}, $s->{module}{us}, $s->{return}{rps},
                $s->{return}{us}, $s->{ratio}, $s->{cpu_ratio}));

    memory_run($row, $dir, $ngx, $s->{module}{rps})
        if $row->{memory} && $opt{mem_requests};

    stop_nginx($ngx);
}


# the login map of only the addresses the row's requests ask for
sub write_small_map {
    my ($file, $reqs) = @_;

    my %seen;
    open my $fh, '>', $file or die "$file: $!";
    for my $r (@$reqs) {
        my ($i) = $r->{raw} =~ /user(\d{7})\@example\.com/ or next;
        print $fh addr($i + 0), ' ', login($i + 0), ";\n" unless $seen{$i}++;
    }
    close $fh;
}


sub write_map {
    my ($file, $n) = @_;

    my $stamp = "# $n entries\n";
    if (open my $fh, '<', $file) {
        my $l = <$fh>;
        return if defined $l && $l eq $stamp;
    }

    open my $fh, '>', "$file.new" or die "$file: $!";
    print $fh $stamp;
    my $buf = '';
    for my $i (0 .. $n - 1) {
        $buf .= addr($i) . ' ' . login($i) . ";\n";
        if (length($buf) > 1 << 20) {
            print $fh $buf;
            $buf = '';
        }
    }
    print $fh $buf;
    close $fh or die "$file: $!";
    rename "$file.new", $file or die "$file: $!";
}


sub make_signing_key {
    my ($dir) = @_;
    my $c = "$dir/conf";
    system("openssl req -x509 -newkey rsa:2048 -nodes -keyout $c/sign.key "
           . "-out $c/sign.pem -days 2 -subj /CN=profiles.example.com "
           . ">/dev/null 2>&1") == 0
        or die "openssl failed\n";
}


# nginx's quoted string: \ and " escaped; a $ would start a variable and
# comes from a geo variable instead

sub nginx_string {
    my ($s) = @_;
    $s =~ s/([\\"])/\\$1/g;
    $s =~ s/\$/\${bench_dollar}/g;
    return qq{"$s"};
}


sub write_conf {
    my ($row, $dir, $answer) = @_;

    my $debug = $HAS_DEBUG ? "    debug_connection 127.0.0.2;\n" : '';
    my $http = ($row->{http} // '') . $HTTP_CONF;
    my ($ret, $small) = (undef, '');

    $http .= "    autodiscover_metrics_zone bench:64k;\n" if $opt{metrics};

    if ($row->{small}) {
        # the module again, with a login map of only the addresses asked
        # for: the same answers
        my $svc = $SERVICE_CONF =~ s/\$ad_login\b/\$ad_login_small/gr;
        $http .= "\n    map \$autodiscover_email \$ad_login_small {\n"
               . "        default      \$autodiscover_email;\n"
               . "        include      logins-small.map;\n"
               . "    }\n";
        $small = <<"END";

    # the module with a small login map
    server {
        listen 127.0.0.1:$row->{port_small};
        server_name autodiscover.example.com;

$svc
        location $row->{match} {
            $row->{handler}
        }
    }
END
    }

    if (!defined $answer) {
        $ret = 'return 200 "";';
        $row->{return_kind} = '';

    } elsif (length($answer->{body}) < 3500
             && $answer->{body} !~ /[\x00-\x08\x0b\x0c\x0e-\x1f]/)
    {
        # "return 200" of exactly the bytes, with the same Content-Type
        my ($type, $charset) = $answer->{type} =~ /^([^;\s]+)(?:.*;\s*charset=([^;\s]+))?/;
        $ret = "default_type $type;\n";
        $ret .= "            charset $charset;\n"
              . "            charset_types $type;\n" if $charset;
        for my $h (@{$row->{headers} || []}) {
            my $v = header_value($answer, $h) // next;
            $ret .= "            add_header $h " . nginx_string($v) . ";\n";
        }
        $ret .= "            return 200 " . nginx_string($answer->{body}) . ";";
        $http .= "    geo \$bench_dollar { default \"\$\"; }\n"
            if $answer->{body} =~ /\$/;
        $row->{return_kind} = 'return 200';

    } else {
        # too long for one configuration token, or binary: a static file
        # from the open file cache, the nearest nginx has
        open my $fh, '>', "$dir/conf/answer.bin" or die $!;
        binmode $fh;
        print $fh $answer->{body};
        close $fh;
        my $type = $answer->{type};
        $ret = "default_type \"$type\";\n"
             . "            types { }\n"
             . "            etag off;\n"
             . "            max_ranges 0;\n"
             . "            open_file_cache max=10;\n"
             . "            open_file_cache_valid 1h;\n";
        for my $h (@{$row->{headers} || []}) {
            my $v = header_value($answer, $h) // next;
            $ret .= "            add_header $h " . nginx_string($v) . ";\n";
        }
        $ret .= "            alias $dir/conf/answer.bin;";
        $row->{return_kind} = 'static file (answer too long for return)';
    }

    # as root, the workers would run as nobody, who may not read a
    # checkout in root's home (mode 0700): the static answer is there
    my $user = $> == 0 ? "user root;\n" : '';

    my $conf = <<"END";
# written by bench/bench.pl for the row "$row->{name}"
load_module $opt{module};
$user
worker_processes 1;
master_process on;
daemon off;
error_log logs/error.log warn;
pid logs/nginx.pid;

events {
    worker_connections 1024;
$debug}

http {
    access_log off;
    keepalive_requests 100000000;

    client_body_temp_path tmp/body;
    proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi;
    uwsgi_temp_path tmp/uwsgi;
    scgi_temp_path tmp/scgi;

$http
    # the module
    server {
        listen 127.0.0.1:$row->{port};
        server_name autodiscover.example.com;

$SERVICE_CONF
        location $row->{match} {
            $row->{handler}
        }
    }

    # the same bytes from nginx alone
    server {
        listen 127.0.0.1:$row->{port_return};
        server_name autodiscover.example.com;

        location $row->{match} {
            $ret
        }
    }
$small}
END

    open my $fh, '>', "$dir/conf/nginx.conf" or die $!;
    print $fh $conf;
    close $fh;
}


###########################################################################
# Answers
###########################################################################

sub check_answers {
    my ($row, $reqs, $first) = @_;

    my @idx = (0 .. $#$reqs);
    if (@idx > $opt{checks}) {
        my $step = @idx / $opt{checks};
        @idx = map { int($_ * $step) } 0 .. $opt{checks} - 1;
        push @idx, $#$reqs;
    }

    my $mod = http_session($row->{port}, [ map { $reqs->[$_]{raw} } @idx ]);
    my $ret = http_session($row->{port_return},
                           [ map { $reqs->[$_]{raw} } @idx ]);
    my $small = $row->{small}
        ? http_session($row->{port_small}, [ map { $reqs->[$_]{raw} } @idx ])
        : undef;

    my @bad;
    for my $k (0 .. $#idx) {
        my ($m, $r, $req) = ($mod->[$k], $ret->[$k], $reqs->[$idx[$k]]);
        my ($what) = $req->{raw} =~ /^(\S+ \S+)/;
        if ($m->{status} != 200) {
            push @bad, "$what: module answered $m->{status_line}";
            next;
        }
        for my $re (@{$req->{expect}}) {
            push @bad, "$what: the module's answer does not match $re"
                unless $m->{body} =~ $re;
        }
        push @bad, "$what: answer of " . length($m->{body}) . " B, the "
                   . "return side's is " . length($r->{body}) . " B"
            if length($m->{body}) != length($r->{body});
        push @bad, "$what: return side answered $r->{status_line}"
            if $r->{status} != 200;
        push @bad, "$what: the small map's side does not send the "
                   . "module's bytes"
            if $small && $small->[$k]{body} ne $m->{body};
        last if @bad > 5;
    }

    push @bad, "the return side does not send the module's bytes"
        if $ret->[0]{body} ne $first->{body};

    if (@bad) {
        out("  check FAILED:\n", map { "    $_\n" } @bad);
        die "wrong answers\n";
    }

    # the headers of both, Date apart
    my @diff = header_diff($mod->[0], $ret->[0]);
    out(sprintf("  checked %d answers of each side: module right, return "
                . "side the same bytes (%s)%s\n", scalar(@idx),
                $row->{return_kind},
                $small ? ", small map's side the module's bytes" : ''));
    out("  headers: " . (@diff ? "differ:\n" . join('', map { "    $_\n" } @diff)
                               : "identical (Date apart)\n"));
    $summary{$row->{name}}{headers} = @diff ? join('; ', @diff) : 'identical';
}


sub header_value {
    my ($resp, $name) = @_;
    for my $h (@{$resp->{headers}}) {
        return $h->[1] if lc $h->[0] eq lc $name;
    }
    return undef;
}


sub header_diff {
    my ($m, $r) = @_;
    my @a = map { "$_->[0]: $_->[1]" } grep { lc $_->[0] ne 'date' }
            @{$m->{headers}};
    my @b = map { "$_->[0]: $_->[1]" } grep { lc $_->[0] ne 'date' }
            @{$r->{headers}};
    my @d;
    push @d, "status: module \"$m->{status_line}\", return "
             . "\"$r->{status_line}\"" if $m->{status_line} ne $r->{status_line};
    my %b = map { $_ => 1 } @b;
    my %a = map { $_ => 1 } @a;
    push @d, "only the module: $_" for grep { !$b{$_} } @a;
    push @d, "only return: $_" for grep { !$a{$_} } @b;
    push @d, "order: module (@{[ join ', ', map { (split /:/)[0] } @a ]}), "
             . "return (@{[ join ', ', map { (split /:/)[0] } @b ]})"
        if !@d && "@a" ne "@b";
    return @d;
}


# requests one after the other on one keep-alive connection

sub http_session {
    my ($port, $raws, $local) = @_;

    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port,
                                  Proto => 'tcp', Timeout => 5,
                                  $local ? (LocalAddr => $local) : ())
        or die "cannot connect to port $port: $!\n";
    binmode $s;
    my $sel = IO::Select->new($s);
    my @out;
    my $buf = '';

    for my $raw (@$raws) {
        my $off = 0;
        while ($off < length $raw) {
            my $n = syswrite($s, $raw, length($raw) - $off, $off);
            die "write to port $port: $!\n" unless defined $n;
            $off += $n;
        }

        my ($head, $len);
        while (1) {
            if (!defined $head && $buf =~ /\r\n\r\n/) {
                ($head) = $buf =~ /^(.*?)\r\n\r\n/s;
                $len = $head =~ /^Content-Length:\s*(\d+)/mi ? $1 : 0;
                $buf = substr($buf, length($head) + 4);
            }
            last if defined $head && length($buf) >= $len;
            $sel->can_read(10) or die "no answer from port $port\n";
            my $n = sysread($s, $buf, 65536, length $buf);
            die "port $port closed the connection\n" unless $n;
        }

        my @lines = split /\r\n/, $head;
        my $sl = shift @lines;
        my ($code) = $sl =~ m{^HTTP/\d\.\d (\d{3})} or die "bad answer: $sl\n";
        my %r = (status_line => $sl, status => $code,
                 headers => [ map { [ split /:\s*/, $_, 2 ] } @lines ],
                 body => substr($buf, 0, $len));
        $buf = substr($buf, $len);
        $r{type} = header_value(\%r, 'Content-Type') // '';
        push @out, \%r;
    }

    close $s;
    return \@out;
}


###########################################################################
# nginx
###########################################################################

sub start_nginx {
    my ($row, $dir) = @_;

    my $t0 = time;
    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>>', "$dir/logs/stderr.log";
        open STDERR, '>>', "$dir/logs/stderr.log";
        exec 'taskset', '-c', $opt{server_cpu}, $opt{nginx}, '-p', "$dir/",
             '-c', 'conf/nginx.conf';
        exit 127;
    }

    push @children, $pid;

    # started: the return side answers an HTTP request

    my $start;
    while (1) {
        if (waitpid($pid, WNOHANG) == $pid) {
            @children = grep { $_ != $pid } @children;
            die "nginx exited:\n" . join('', read_file("$dir/logs/stderr.log"),
                                        read_file("$dir/logs/error.log"));
        }
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $row->{port_return},
                                      Proto => 'tcp', Timeout => 1);
        if ($s) {
            print $s "GET / HTTP/1.0\r\n\r\n";
            my $sel = IO::Select->new($s);
            my $l = $sel->can_read(2) ? <$s> : undef;
            close $s;
            if (defined $l && $l =~ m{^HTTP/}) {
                $start = time - $t0;
                last;
            }
        }
        die "nginx did not answer in 300 s\n" if time - $t0 > 300;
        sleep 0.005;
    }

    my @w;
    for (1 .. 200) {
        @w = children_of($pid);
        last if @w;
        sleep 0.01;
    }
    die "no nginx worker\n" unless @w == 1;

    return { master => $pid, worker => $w[0], start_time => $start };
}


sub stop_nginx {
    my ($ngx) = @_;
    my $pid = $ngx->{master};

    kill 'QUIT', $pid;
    for (1 .. 500) {
        last if waitpid($pid, WNOHANG) == $pid;
        sleep 0.02;
        kill 'TERM', $pid if $_ == 250;
    }
    if (kill 0, $pid) {
        kill 'KILL', $pid;
        waitpid($pid, 0);
    }
    @children = grep { $_ != $pid } @children;
}


sub cleanup {
    if ($WRK) {
        kill 'TERM', $WRK;
        waitpid($WRK, 0);
        $WRK = 0;
    }
    for my $pid (@children) {
        kill 'QUIT', $pid;
    }
    for my $pid (@children) {
        for (1 .. 250) {
            last if waitpid($pid, WNOHANG) == $pid;
            sleep 0.02;
        }
        if (kill 0, $pid) {
            kill 'KILL', $pid;
            waitpid($pid, 0);
        }
    }
    @children = ();
}


sub children_of {
    my ($ppid) = @_;
    my @c;
    opendir my $d, '/proc' or die;
    for my $p (grep { /^\d+$/ } readdir $d) {
        my $st = read_first("/proc/$p/stat") // next;
        my ($rest) = $st =~ /\)\s+(.*)/s or next;
        my @f = split ' ', $rest;
        push @c, $p if $f[1] == $ppid;
    }
    return @c;
}


sub port_free {
    my ($port) = @_;
    my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
                                  Proto => 'tcp', Listen => 1, ReuseAddr => 1);
    return 0 unless $s;
    close $s;
    return 1;
}


###########################################################################
# Measuring
###########################################################################

# one wrk run against a port, with the worker's CPU time, both CPUs' busy
# time, the load averages and the worker's RSS around it

sub measure {
    my ($ngx, $port, $dir, $duration) = @_;

    my $w = $ngx->{worker};
    my $load = [ loadavg() ];
    my $p0 = proc_cpu($w);
    my $c0 = cpu_stat();
    my $t0 = time;

    my $r = wrk($port, $dir, $duration);

    my $wall = time - $t0;
    my $p1 = proc_cpu($w);
    my $c1 = cpu_stat();
    my $rss = rss($w);

    my $usr = ($p1->[0] - $p0->[0]) / $TCK;
    my $sys = ($p1->[1] - $p0->[1]) / $TCK;
    my $n = $r->{requests} || 1;
    my $cpu = $usr + $sys;

    my %b;
    for my $c (keys %$c1) {
        $b{$c} = ($c1->{$c} - $c0->{$c}) / $TCK;
    }

    return {
        %$r,
        rps   => $r->{requests} / ($r->{duration_us} / 1e6),
        us    => $cpu / $n * 1e6,
        usr   => $usr / $n * 1e6,
        sys   => $sys / $n * 1e6,
        wpct  => 100 * $cpu / $wall,
        wrkpct => 100 * $r->{wrk_cpu} / $wall,
        cpu0  => 100 * ($b{"cpu$opt{server_cpu}"} // 0) / $wall,
        cpu1  => 100 * ($b{"cpu$opt{client_cpu}"} // 0) / $wall,
        other => 100 * (($b{cpu} // 0) - $cpu - $r->{wrk_cpu}) / $wall,
        rss   => $rss->{rss},
        load  => $load,
    };
}


sub print_round {
    my ($row, $round, $side, $m) = @_;

    out(sprintf("  %-5d %-7s %8.0f %7.2f %6.2f %5.0f %5.0f %5.0f %5.0f %5.0f "
                . "%7d %7d %8s %4d  %s\n",
                $round, $side, $m->{rps}, $m->{us}, $m->{usr}, $m->{wpct},
                $m->{wrkpct},
                $m->{cpu0}, $m->{cpu1}, $m->{other}, $m->{p50}, $m->{p99},
                kb($m->{rss}), $m->{errors}, "@{$m->{load}}"));
    print $TSV join("\t", $row->{name}, $round, $side,
                    sprintf('%.0f', $m->{rps}), sprintf('%.3f', $m->{us}),
                    sprintf('%.3f', $m->{usr}), sprintf('%.3f', $m->{sys}),
                    sprintf('%.1f', $m->{wpct}), sprintf('%.1f', $m->{cpu0}),
                    sprintf('%.1f', $m->{cpu1}), sprintf('%.1f', $m->{other}),
                    $m->{p50}, $m->{p90}, $m->{p99}, $m->{p999}, $m->{rss},
                    $m->{errors}, @{$m->{load}}), "\n";

    if ($m->{errors}) {
        out("  wrk counted $m->{errors} errors "
            . "(connect read write status timeout: $m->{error_detail})\n");
        $failed++ if $m->{status_errors};
    }
}


sub wrk {
    my ($port, $dir, $duration) = @_;

    local $ENV{BENCH_REQUESTS} = "$dir/requests.bin";
    local $ENV{BENCH_STATIC} = $opt{client} eq 'static' ? 1 : 0;
    my @cmd = ('taskset', '-c', $opt{client_cpu}, $opt{wrk},
               "-t$opt{threads}", "-c$opt{connections}", "-d${duration}s",
               '--timeout', '10s', '-s', "$BENCH/wrk.lua",
               "http://127.0.0.1:$port/");
    my @t0 = times;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if ($pid == 0) {
        open STDERR, '>&', \*STDOUT;
        exec @cmd;
        exit 127;
    }
    $WRK = $pid;
    my $text = do { local $/; <$fh> };
    close $fh;
    $WRK = 0;
    my @t1 = times;
    die "wrk failed: @cmd\n$text" if $?;

    my %r = (wrk_cpu => ($t1[2] - $t0[2]) + ($t1[3] - $t0[3]));
    for (split /\n/, $text) {
        my ($k, @v) = split ' ' or next;
        next unless $k eq 'BENCH';
        my $key = shift @v;
        if ($key eq 'latency_us') {
            @r{qw(p50 p90 p99 p999 max mean)} = @v;
        } elsif ($key eq 'errors') {
            $r{errors} = 0;
            $r{errors} += $_ for @v;
            $r{status_errors} = $v[3];
            $r{error_detail} = "@v";
        } else {
            $r{$key} = $v[0];
        }
    }
    die "no results from wrk:\n$text" unless $r{duration_us};
    return \%r;
}


# RSS of the worker before and after --mem-requests more requests

sub memory_run {
    my ($row, $dir, $ngx, $rps) = @_;

    my $w = $ngx->{worker};
    my $before = rss($w);
    my $total = 0;
    my $t0 = time;

    while ($total < $opt{mem_requests}) {
        my $left = $opt{mem_requests} - $total;
        my $d = int($left / ($rps || 10000)) + 1;
        $d = 60 if $d > 60;
        my $r = wrk($row->{port}, $dir, $d);
        $total += $r->{requests};
        $failed++ if $r->{status_errors};
    }

    my $after = rss($w);
    my $s = $summary{$row->{name}};
    $s->{mem} = [ $before, $after, $total ];

    out(sprintf("  memory: worker RSS %s before and %s after %d more "
                . "requests (%.0f s); anonymous %s and %s; high water %s "
                . "and %s\n",
                kb($before->{rss}), kb($after->{rss}), $total, time - $t0,
                kb($before->{anon}), kb($after->{anon}), kb($before->{hwm}),
                kb($after->{hwm})));
}


# The request pool: nginx built --with-debug logs, for each connection from
# 127.0.0.2 (debug_connection), the blocks it gives a request pool
# (posix_memalign), its large allocations (malloc) and, when the pool is
# destroyed, what each block left unused.

sub pool_probe {
    my ($row, $reqs, $dir) = @_;

    my @raw = map { $reqs->[$_ % @$reqs]{raw} } 0 .. $opt{pool_requests} - 1;

    for my $side (qw(module return)) {
        my $port = $side eq 'module' ? $row->{port} : $row->{port_return};
        my $log = "$dir/logs/error.log";
        my $off = -s $log // 0;

        http_session($port, \@raw, '127.0.0.2');
        sleep 0.2;

        open my $fh, '<', $log or die "$log: $!";
        seek $fh, $off, 0;
        my @lines = <$fh>;
        close $fh;

        my (%size, @req, $cur, $state);
        $state = '';
        for (@lines) {
            if (/ (?:posix_memalign|malloc): ([0-9A-Fa-f]+):(\d+)/) {
                $size{$1} = $2;
            } elsif (/ http close request$/) {
                $cur = { blocks => 0, used => 0, large => 0, large_bytes => 0,
                         size => 0 };
                $state = 'close';
            } elsif ($state eq 'close' && / free: ([0-9A-Fa-f]+), unused: (\d+)/) {
                my $bsize = $size{$1} // 0;
                my $hdr = $cur->{blocks} ? 32 : 80;   # x86_64 pool headers
                $cur->{blocks}++;
                $cur->{size} += $bsize;
                $cur->{used} += $bsize - $hdr - $2;
            } elsif ($state eq 'close' && / free: ([0-9A-Fa-f]+)$/
                     && !$cur->{blocks})
            {
                $cur->{large}++;
                $cur->{large_bytes} += $size{$1} // 0;
            } elsif ($state eq 'close' && $cur->{blocks}) {
                push @req, $cur;
                $state = '';
            }
        }
        push @req, $cur if $state eq 'close' && $cur && $cur->{blocks};

        if (!@req) {
            out("  request pool ($side): no debug log lines found\n");
            next;
        }

        # the last request: steady state on a keep-alive connection
        my $p = $req[-1];
        out(sprintf("  request pool (%s): %d block(s), %d B, %d B handed "
                    . "out, %d large allocation(s) of %d B; %d requests "
                    . "seen\n", $side, $p->{blocks}, $p->{size}, $p->{used},
                    $p->{large}, $p->{large_bytes}, scalar(@req)));
        $summary{$row->{name}}{pool}{$side} = $p;
    }
}


###########################################################################
# Profiling (--profile perf or --profile callgrind)
###########################################################################

sub profile_row {
    my ($row, $dir, $ngx) = @_;

    if ($opt{profile} eq 'perf') {
        for my $side (qw(module return)) {
            my $port = $side eq 'module' ? $row->{port} : $row->{port_return};
            my $data = "$dir/perf-$side.data";
            my $pid = fork // die;
            if ($pid == 0) {
                open STDOUT, '>', "$dir/perf-$side.log";
                open STDERR, '>&', \*STDOUT;
                exec 'perf', 'record', '-e', 'cpu-clock', '-F', '4999', '-g',
                     '-o', $data, '-p', $ngx->{worker}, '--', 'sleep',
                     $opt{duration} + 1;
                exit 127;
            }
            sleep 0.5;
            my $m = measure($ngx, $port, $dir, $opt{duration});
            waitpid($pid, 0);
            out(sprintf("  perf %s: %.0f req/s, %.2f us/req\n", $side,
                        $m->{rps}, $m->{us}));
            for my $sort ('dso', 'dso,sym') {
                my $f = "$dir/perf-$side-" . ($sort =~ tr/,/-/r) . ".txt";
                system("perf report -i $data --stdio --no-children "
                       . "--sort $sort --percent-limit 0.5 >$f 2>/dev/null");
                out("  $f\n");
                out(map { "    $_" } grep { /^\s+\d/ } (read_file($f))[0 .. 60]);
            }
        }
        return;
    }

    if ($opt{profile} =~ /^callgrind(-cache)?$/) {
        my @sim = $1 ? ('--cache-sim=yes') : ();
        stop_nginx($ngx);
        system("command -v valgrind >/dev/null") == 0
            or die "valgrind not found (apt-get install valgrind)\n";

        # one process, so that callgrind follows the worker
        my $conf = join '', read_file("$dir/conf/nginx.conf");
        $conf =~ s/master_process on;/master_process off;/;
        open my $fh, '>', "$dir/conf/callgrind.conf" or die;
        print $fh $conf;
        close $fh;

        my @reqs = $row->{requests}->();
        my $n = $opt{profile_requests};
        my @raw = map { $reqs[$_ % @reqs]{raw} } 0 .. $n - 1;

        for my $side (qw(module return)) {
            my $port = $side eq 'module' ? $row->{port} : $row->{port_return};
            my $out = "$dir/callgrind-$side.out";
            my $pid = fork // die;
            if ($pid == 0) {
                open STDOUT, '>', "$dir/logs/callgrind-$side.log";
                open STDERR, '>&', \*STDOUT;
                exec 'valgrind', '--tool=callgrind', '--instr-atstart=no', @sim,
                     "--callgrind-out-file=$out", $opt{nginx}, '-p', "$dir/",
                     '-c', 'conf/callgrind.conf';
                exit 127;
            }
            push @children, $pid;
            my $t0 = time;
            until (!port_free($port)) {
                die "valgrind nginx did not start\n" if time - $t0 > 120;
                sleep 0.2;
            }
            sleep 1;
            http_session($port, [ @raw[0 .. 99] ]);     # warm-up
            system("callgrind_control -i on $pid >/dev/null");
            http_session($port, \@raw);
            system("callgrind_control -i off $pid >/dev/null");
            # again and again: a signal between nginx's check of its flags
            # and epoll_wait() would wait for the next event
            for (1 .. 120) {
                kill 'QUIT', $pid;
                last if waitpid($pid, WNOHANG) == $pid;
                sleep 1;
            }
            @children = grep { $_ != $pid } @children;

            my $f = "$dir/callgrind-$side.txt";
            system("callgrind_annotate --inclusive=no --threshold=100 $out "
                   . ">$f 2>/dev/null");
            system("callgrind_annotate --inclusive=yes $out "
                   . ">$dir/callgrind-$side-inclusive.txt 2>/dev/null");
            my @l = read_file($f);
            my ($total) = map { /^([\d,]+)\s.*PROGRAM TOTALS/ ? $1 : () } @l;
            $total =~ tr/,//d if $total;
            $summary{$row->{name}}{cg}{$side} = $total / $n if $total;
            out(sprintf("  callgrind %s: %s instructions per request "
                        . "(%d requests); %s\n", $side,
                        $total ? sprintf('%.0f', $total / $n) : '?', $n, $f));
            my $i = 0;
            my @mine;
            for (@l) {
                next unless /^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.*)/;
                my ($ir, $pct, $fn) = ($1 =~ tr/,//dr, $2, $3);
                next if $fn =~ /PROGRAM TOTALS/;
                push @mine, [ $ir / $n, $pct, $fn ]
                    if $fn =~ /ngx_http_autodiscover_module\.so\]$/;
                next if $i >= 30;
                out(sprintf("    %8.0f %5.1f%%  %s\n", $ir / $n, $pct, $fn));
                $i++;
            }
            next unless $side eq 'module';

            # the module's own functions, by their own instructions
            my $sum = 0;
            $sum += $_->[0] for @mine;
            out(sprintf("  the module's functions: %.0f instructions per "
                        . "request of their own; the first %d:\n", $sum,
                        min(scalar(@mine), 15)));
            for my $m (@mine[0 .. min($#mine, 14)]) {
                (my $name = $m->[2]) =~ s/\s*\[.*\]$//;
                $name =~ s{^src/}{};
                out(sprintf("    %8.0f  %s\n", $m->[0], $name));
            }
            $summary{$row->{name}}{cg}{functions} =
                [ map { [ $_->[0], $_->[2] =~ s/\s*\[.*\]$//r
                                           =~ s{^.*:}{}r ] }
                      @mine[0 .. min($#mine, 4)] ];
        }

        floor_row($row, $dir, \@reqs) if $row->{floor};
        callgrind_row($row);
        return;
    }

    die "--profile is perf, callgrind or callgrind-cache\n";
}


# The parse floor of a POST row: libxml2's bare SAX2 push parse of the
# row's first request body (bench/parse-floor.c, built once per run), one
# reused parser context, handlers that do nothing; instructions per parse
# under callgrind

my $FLOOR_BIN;

sub floor_row {
    my ($row, $dir, $reqs) = @_;

    if (!defined $FLOOR_BIN) {
        $FLOOR_BIN = "$opt{out}/parse-floor";
        my $flags = `pkg-config --cflags --libs libxml-2.0 2>/dev/null`
                    || '-I/usr/include/libxml2 -lxml2';
        chomp $flags;
        my ($inc) = join ' ', grep { /^-I/ } split ' ', $flags;
        my ($lib) = join ' ', grep { !/^-I/ } split ' ', $flags;
        system("cc -O2 $inc -o $FLOOR_BIN $BENCH/parse-floor.c $lib") == 0
            or die "cannot build bench/parse-floor.c\n";
    }

    my ($body) = $reqs->[0]{raw} =~ /\r\n\r\n(.*)\z/s;
    open my $fh, '>', "$dir/floor-body.xml" or die $!;
    binmode $fh;
    print $fh $body;
    close $fh;

    my $n = 1000;
    my $out = "$dir/callgrind-floor.out";
    system("valgrind --tool=callgrind "
           . "--toggle-collect=ngx_http_autodiscover_floor_parse "
           . "--callgrind-out-file=$out $FLOOR_BIN $dir/floor-body.xml $n "
           . ">$dir/logs/callgrind-floor.log 2>&1") == 0
        or die "parse-floor failed, see $dir/logs/callgrind-floor.log\n";
    my ($total) = map { /Collected\s*:\s*(\d+)/ ? $1 : () }
                  read_file("$dir/logs/callgrind-floor.log");
    die "no count from parse-floor\n" unless $total;
    system("callgrind_annotate $out >$dir/callgrind-floor.txt 2>/dev/null");

    $summary{$row->{name}}{cg}{floor} = $total / $n;
    out(sprintf("  callgrind floor: %.0f instructions per parse of the "
                . "%d-byte body (libxml2 alone, %d parses); "
                . "$dir/callgrind-floor.txt\n", $total / $n, length($body),
                $n));
}


# module - return - floor, against the row's target

sub callgrind_row {
    my ($row) = @_;
    my $c = $summary{$row->{name}}{cg} or return;
    return unless $c->{module} && $c->{return};
    my $own = $c->{module} - $c->{return} - ($c->{floor} // 0);
    $c->{own} = $own;
    out(sprintf("  callgrind per request: module %.0f, return 200 %.0f, "
                . "floor %s, the module's own cost %.0f%s\n", $c->{module},
                $c->{return},
                defined $c->{floor} ? sprintf('%.0f', $c->{floor}) : 'none',
                $own,
                $row->{own} ? sprintf(' (target <= %d: %s)', $row->{own},
                                      $own <= $row->{own} ? 'met' : 'NOT met')
                            : ''));
}


sub callgrind_summary {
    my $t = "\n== callgrind: instructions per request\n";
    $t .= sprintf("%-12s %8s %8s %8s %8s %7s  %s\n", 'row', 'module',
                  'return', 'floor', 'own', 'target', 'top module functions');
    for my $row (@run) {
        my $c = $summary{$row->{name}}{cg};
        if (!$c || !defined $c->{own}) {
            $t .= sprintf("%-12s FAILED\n", $row->{name});
            next;
        }
        $t .= sprintf("%-12s %8.0f %8.0f %8s %8.0f %7s  %s\n", $row->{name},
                      $c->{module}, $c->{return},
                      defined $c->{floor} ? sprintf('%.0f', $c->{floor})
                                          : '-',
                      $c->{own},
                      $row->{own} ? ($c->{own} <= $row->{own} ? '' : '!')
                                    . "<=$row->{own}" : '',
                      join(', ', map { sprintf '%s %.0f', $_->[1], $_->[0] }
                                 @{$c->{functions} || []}));
    }
    $t .= "own: module - return - floor (floor: libxml2's bare parse of the "
        . "same body, POST rows); !: above the target\n";
    return $t;
}


###########################################################################
# The summary
###########################################################################

sub summary {
    my $t = "\n== summary (medians of $opt{rounds} round(s)), load average "
          . "now: " . join(' ', loadavg()) . "\n";

    $t .= sprintf("%-12s %9s %8s %9s %8s %7s %7s %9s %9s %6s %6s  %s\n",
                  'row', 'module', 'us/req', 'return', 'us/req', 'ratio',
                  'CPU', 'p50/p99', 'p50/p99', 'answer', 'RSS', 'target');
    $t .= sprintf("%-12s %9s %8s %9s %8s %7s %7s %9s %9s %6s %6s\n",
                  '', 'req/s', '', 'req/s', '', 'req/s', 'ratio', 'module',
                  'return', 'B', 'module');

    for my $row (@run) {
        my $s = $summary{$row->{name}};
        if (!$s || $s->{failed} || !$s->{module}) {
            $t .= sprintf("%-12s FAILED\n", $row->{name});
            next;
        }

        my $target = '';
        if ($row->{target}) {
            # judged on the lower of the two ratios: when one side was not
            # the bottleneck (its srv% under 100), req/s flatters it, and
            # the CPU ratio is the one that tells
            my $r = min($s->{ratio}, $s->{cpu_ratio});
            $target = sprintf('min(ratio, CPU ratio) >= %.2f: %s',
                              $row->{target},
                              $r >= $row->{target} ? 'met' : 'NOT met');
        }
        if ($row->{small} && defined $s->{small_ratio}) {
            # the small map's module, in the same nginx and the same rounds
            my $r = min($s->{small_ratio}, $s->{small_cpu_ratio});
            $target = sprintf('%.3f x the small map\'s req/s, %.3f x its '
                              . 'CPU per request, in the same rounds: %s',
                              $s->{small_ratio}, $s->{small_cpu_ratio},
                              $r >= 0.95 ? 'within 5%' : 'NOT within 5%');
        }
        $t .= sprintf("%-12s %9.0f %8.2f %9.0f %8.2f %7.3f %7.3f %9s %9s "
                      . "%6d %6s  %s\n",
                      $row->{name}, $s->{module}{rps}, $s->{module}{us},
                      $s->{return}{rps}, $s->{return}{us}, $s->{ratio},
                      $s->{cpu_ratio},
                      sprintf('%.0f/%.0f', $s->{module}{p50}, $s->{module}{p99}),
                      sprintf('%.0f/%.0f', $s->{return}{p50}, $s->{return}{p99}),
                      $s->{answer}, kb($s->{module}{rss}), $target);
    }

    $t .= "\nratio: module req/s / return req/s, per round, median; CPU "
        . "ratio: return CPU per request / module CPU per request.\n";

    for my $row (@run) {
        my $s = $summary{$row->{name}} or next;
        next if $s->{failed};
        $t .= sprintf("%s: per-round CPU ratios %s%s\n", $row->{name},
                      join(' ', map { sprintf '%.3f', $_ } @{$s->{cpu_ratios} || []}),
                      $s->{disturbed} ? "; $s->{disturbed} round(s) disturbed "
                                        . "by other work" : '');
        $t .= sprintf("%s: per-round ratios to the small map (req/s, CPU) %s\n",
                      $row->{name},
                      join(' ', map { sprintf '%.3f/%.3f',
                                          $s->{small_ratios}[$_],
                                          $s->{small_cpu_ratios}[$_] }
                                0 .. $#{$s->{small_ratios}}))
            if $s->{small_ratios};
        if ($row->{versus} && (my $v = $summary{$row->{versus}})) {
            # rows run minutes apart, on a machine whose speed may change
            # meanwhile: for information only
            $t .= sprintf("%s: against the %s row, run apart: %.3f x its "
                          . "module's req/s, %.3f x its CPU per request; "
                          . "ratios to return %.3f x its, CPU ratios %.3f x "
                          . "its\n", $row->{name}, $row->{versus},
                          $s->{module}{rps} / $v->{module}{rps},
                          $v->{module}{us} / $s->{module}{us},
                          $s->{ratio} / $v->{ratio},
                          $s->{cpu_ratio} / $v->{cpu_ratio})
                if $v->{module};
        }
        $t .= sprintf("%s: per-round ratios %s; start %.2f s, master RSS %s "
                      . "(PSS %s), worker RSS %s (PSS %s) at start\n",
                      $row->{name},
                      join(' ', map { sprintf '%.3f', $_ } @{$s->{ratios} || []}),
                      $s->{start}, kb($s->{master_rss}{rss}),
                      kb($s->{master_rss}{pss}), kb($s->{rss_start}{rss}),
                      kb($s->{rss_start}{pss}));
        for my $side (qw(module return)) {
            my $p = $s->{pool}{$side} or next;
            $t .= sprintf("  request pool, %s: %d x %d B blocks, %d B handed "
                          . "out, %d large (%d B)\n", $side, $p->{blocks},
                          $p->{blocks} ? $p->{size} / $p->{blocks} : 0,
                          $p->{used}, $p->{large}, $p->{large_bytes});
        }
        if (my $m = $s->{mem}) {
            $t .= sprintf("  memory: worker RSS %s -> %s over %d requests "
                          . "(%+d kB)\n", kb($m->[0]{rss}), kb($m->[1]{rss}),
                          $m->[2], $m->[1]{rss} - $m->[0]{rss});
        }
    }

    return $t;
}


###########################################################################
# Small things
###########################################################################

sub read_file {
    my ($f) = @_;
    open my $fh, '<', $f or return ();
    return <$fh>;
}

sub read_first {
    my ($f) = @_;
    open my $fh, '<', $f or return undef;
    local $/;
    return scalar <$fh>;
}

sub loadavg {
    my $l = read_first('/proc/loadavg') // '';
    return (split ' ', $l)[0 .. 2];
}

# utime and stime of a process, in clock ticks

sub proc_cpu {
    my ($pid) = @_;
    my $st = read_first("/proc/$pid/stat") // die "process $pid is gone\n";
    my ($rest) = $st =~ /\)\s+(.*)/s;
    my @f = split ' ', $rest;
    return [ $f[11], $f[12] ];
}

# busy clock ticks of each CPU and of all: everything but idle and iowait

sub cpu_stat {
    my %c;
    for (read_file('/proc/stat')) {
        next unless /^(cpu\d*)\s+(.*)/;
        my @v = split ' ', $2;
        my $busy = 0;
        $busy += $v[$_] // 0 for 0 .. 7;
        $busy -= $v[3] + $v[4];
        $c{$1} = $busy;
    }
    return \%c;
}

sub rss {
    my ($pid) = @_;
    my %m = (rss => 0, anon => 0, hwm => 0, pss => 0);
    for (read_file("/proc/$pid/status")) {
        $m{rss} = $1 if /^VmRSS:\s+(\d+)/;
        $m{anon} = $1 if /^RssAnon:\s+(\d+)/;
        $m{hwm} = $1 if /^VmHWM:\s+(\d+)/;
    }
    # the process's share of the pages it shares (with the master)
    for (read_file("/proc/$pid/smaps_rollup")) {
        $m{pss} = $1 if /^Pss:\s+(\d+)/;
    }
    return \%m;
}

sub kb {
    my ($k) = @_;
    return '?' unless defined $k;
    return $k >= 10240 ? sprintf('%.1fM', $k / 1024) : "${k}k";
}

sub max {
    my $m;
    for (@_) { $m = $_ if !defined $m || $_ > $m }
    return $m;
}

sub median {
    my @v = sort { $a <=> $b } grep { defined } @_;
    return 0 unless @v;
    return @v % 2 ? $v[$#v / 2] : ($v[@v / 2 - 1] + $v[@v / 2]) / 2;
}


sub min {
    my $m;
    for (@_) { $m = $_ if !defined $m || $_ < $m }
    return $m;
}
