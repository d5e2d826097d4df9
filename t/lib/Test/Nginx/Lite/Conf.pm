package Test::Nginx::Lite::Conf;

# Settings shared by the Test::Nginx::Lite::* helpers, plus everything
# that prepares the server root for one test block: the directory tree,
# the user files and the generated nginx.conf.
#
# This is this project's own code (see t/lib/README); it only aims to be
# compatible in behaviour with OpenResty's Test::Nginx.

use strict;
use warnings;

use Exporter 'import';
use File::Spec ();
use File::Path qw(make_path remove_tree);
use IO::Socket::INET ();
use Hash::Util ();
use Test::More ();

our @EXPORT_OK = qw(
    %Conf
    bail_out expand_env parse_time nginx_binary nginx_V
    setup_servroot write_user_files write_nginx_conf
);

# ---------------------------------------------------------------------------
# Settings.  Most can be changed through TEST_NGINX_* environment variables
# and/or through the functions exported by Test::Nginx::Socket.
# ---------------------------------------------------------------------------

our %Conf = (
    ServerAddr        => '127.0.0.1',
    ServerName        => 'localhost',
    ServerPort        => $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT}
                         || 1984,
    ClientPort        => undef,       # set below
    RepeatEach        => 1,
    LogLevel          => $ENV{TEST_NGINX_LOG_LEVEL} || 'debug',
    Workers           => 1,
    WorkerConnections => 64,
    MasterProcess     => $ENV{TEST_NGINX_MASTER_PROCESS} || 'off',
    NoRootLocation    => 0,
    NoShuffle         => $ENV{TEST_NGINX_NO_SHUFFLE} || 0,
    NoLongString      => 0,
    NoNginxManager    => $ENV{TEST_NGINX_NO_NGINX_MANAGER} || 0,
    Timeout           => $ENV{TEST_NGINX_TIMEOUT} || 3,
    Sleep             => $ENV{TEST_NGINX_SLEEP} || 0.015,
    Verbose           => $ENV{TEST_NGINX_VERBOSE},
    UseValgrind       => $ENV{TEST_NGINX_USE_VALGRIND},
    LoadModules       => $ENV{TEST_NGINX_LOAD_MODULES},
    EventType         => $ENV{TEST_NGINX_EVENT_TYPE},
    CheckAccumErrLog  => $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG},
    ConfigPreamble    => '',
    HttpConfigFilter  => undef,       # optional code ref for http_config
    EnvToNginx        => [],          # extra "env NAME;" lines
    BeforeBailOut     => undef,       # called right before a BAIL_OUT

    ServRoot => $ENV{TEST_NGINX_SERVROOT}
                || File::Spec->rel2abs('t/servroot'),
);

$Conf{ClientPort} = $ENV{TEST_NGINX_CLIENT_PORT} || $Conf{ServerPort};

# Everything lives under the server root.
{
    my $root = $Conf{ServRoot};
    %Conf = (%Conf,
        ConfDir  => "$root/conf",
        LogDir   => "$root/logs",
        HtmlDir  => "$root/html",
        ConfFile => "$root/conf/nginx.conf",
        PidFile  => "$root/logs/nginx.pid",
        ErrLog   => "$root/logs/error.log",
        AccLog   => "$root/logs/access.log",
    );
}

# Catch misspelt setting names early.
Hash::Util::lock_keys(%Conf);

# Test files (and nginx.conf through env expansion) may refer to it.
$ENV{TEST_NGINX_SERVER_ROOT} = $Conf{ServRoot};

# ---------------------------------------------------------------------------
# Small utilities
# ---------------------------------------------------------------------------

sub bail_out {
    my $msg = join '', @_;
    $Conf{BeforeBailOut}->() if $Conf{BeforeBailOut};
    Test::More::BAIL_OUT($msg);
}

# "3" -> 3, "300ms" -> 0.3, "2s" -> 2 (seconds).
sub parse_time {
    my $t = shift;
    return undef unless defined $t;
    $t =~ s/^\s+|\s+$//g;
    return $1 / 1000 if $t =~ /^([\d.]+)ms$/;
    return $1 if $t =~ /^([\d.]+)s$/;
    return $t;
}

# The nginx executable: TEST_NGINX_BINARY, else "nginx" found in PATH,
# else Debian's /usr/sbin/nginx.
my $binary;
sub nginx_binary {
    return $binary if defined $binary;
    if ($ENV{TEST_NGINX_BINARY}) {
        return $binary = $ENV{TEST_NGINX_BINARY};
    }
    for my $dir (File::Spec->path) {
        my $f = File::Spec->catfile($dir, 'nginx');
        return $binary = $f if -f $f && -x _;
    }
    return $binary = '/usr/sbin/nginx';
}

# Output of "nginx -V" (cached), or undef when nginx cannot be run.
my $nginx_V;
sub nginx_V {
    return $nginx_V if defined $nginx_V;
    my $bin = nginx_binary();
    my $out = `'$bin' -V 2>&1`;
    return undef if $? != 0 || !defined $out;
    return $nginx_V = $out;
}

# A TCP port on 127.0.0.1 that nobody listens on right now.
sub free_port {
    my ($taken) = @_;
    for (1 .. 1000) {
        my $port = 10000 + int(rand(50000));
        next if $taken->{$port};
        my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1',
                                      LocalPort => $port, Proto => 'tcp',
                                      Listen => 1, ReuseAddr => 1);
        next unless $s;
        close $s;
        return $port;
    }
    return undef;
}

# Replace every $TEST_NGINX_XXX in $text by the value of that environment
# variable.  $TEST_NGINX_RAND_PORT_<N> gets a free port, the same one for
# the whole block ($rand_ports remembers them).  An unknown variable is a
# fatal error, as it would otherwise end up verbatim in nginx.conf.
sub expand_env {
    my ($text, $name, $rand_ports) = @_;
    return $text unless defined $text && !ref $text;
    $rand_ports ||= {};
    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        my $value;
        if ($var =~ /^TEST_NGINX_RAND_PORT_\d+$/) {
            if (!defined $rand_ports->{$var}) {
                my %taken = ($Conf{ServerPort} => 1,
                             map { $_ => 1 } values %$rand_ports);
                $rand_ports->{$var} = free_port(\%taken)
                    // bail_out("$name - no free port found for \$$var");
            }
            $value = $rand_ports->{$var};
        } elsif (defined $ENV{$var}) {
            $value = $ENV{$var};
        } else {
            bail_out("$name - environment variable $var is not defined "
                     . "(referenced as \$$var)");
        }
        $value;
    }ge;
    return $text;
}

# ---------------------------------------------------------------------------
# Server root
# ---------------------------------------------------------------------------

# Recreate the server root from scratch: conf/, logs/ and html/ (with the
# same default index.html as upstream Test::Nginx, since tests may fetch
# "/").  Only directories this module creates (or nginx creates inside it)
# are removed, so a mistaken TEST_NGINX_SERVROOT cannot wipe user data.
sub setup_servroot {
    if (-d $Conf{ServRoot}) {
        remove_tree($Conf{ConfDir}, $Conf{LogDir}, $Conf{HtmlDir}, "$Conf{ServRoot}/cache",
                    glob("$Conf{ServRoot}/*_temp"), glob("$Conf{ServRoot}/*_cache"));
        rmdir $Conf{ServRoot}
            or bail_out("cannot remove $Conf{ServRoot} (not empty?): $!");
    }

    for my $dir ($Conf{ServRoot}, $Conf{ConfDir}, $Conf{LogDir}, $Conf{HtmlDir}) {
        mkdir $dir or bail_out("cannot create directory $dir: $!");
    }

    write_file("$Conf{HtmlDir}/index.html",
               '<html><head><title>It works!</title></head>'
               . '<body>It works!</body></html>');
}

sub write_file {
    my ($path, $data) = @_;
    open my $fh, '>', $path or bail_out("cannot write $path: $!");
    binmode $fh;
    print $fh $data;
    close $fh or bail_out("cannot write $path: $!");
}

# --- user_files: either text of the form
#
#   >>> relative/or/absolute/path [optional touch date, e.g. 201901011200]
#   file contents...
#
# or (with eval) an array ref of [path, contents, date] triples.  Relative
# paths are under html/.
sub write_user_files {
    my ($block, $rand_ports) = @_;
    my $name  = $block->name;
    my $files = $block->user_files;
    return unless defined $files;

    my @files;
    if (!ref $files) {
        my $cur;
        for my $line (split /^/m, $files) {
            if ($line =~ /^>>> (\S+)(?:\s+(.+?))?\s*$/) {
                push @files, $cur if $cur;
                $cur = [$1, '', $2];
            } elsif ($cur) {
                $cur->[1] .= $line;
            }
        }
        push @files, $cur if $cur;

    } elsif (ref $files eq 'ARRAY') {
        @files = @$files;

    } else {
        bail_out("$name - --- user_files must be text or an array ref");
    }

    for my $f (@files) {
        my ($fname, $body, $date) = @$f;
        my $path = $fname =~ m{^/} ? $fname : "$Conf{HtmlDir}/$fname";
        (my $dir = $path) =~ s{/[^/]*$}{};
        make_path($dir) if length $dir && !-d $dir;
        write_file($path, expand_env($body // '', $name, $rand_ports));
        if ($date) {
            local $ENV{TZ} = 'GMT';
            system('touch', '-t', $date, $path) == 0
                or bail_out("$name - touch -t $date $path failed");
        }
    }
}

# ---------------------------------------------------------------------------
# nginx.conf
# ---------------------------------------------------------------------------

# Write conf/nginx.conf for a block.  $config is the (already expanded)
# "--- config" section, which goes into the single test server{}.
#
# The layout follows upstream Test::Nginx so that a test suite sees the
# same server: absolute paths everywhere under the server root, one server
# listening on $Conf{ServerPort} named 'localhost', client_max_body_size 30M, a
# "location /" serving html/ unless no_root_location() was called, and
# every *_temp_path inside the server root.
sub write_nginx_conf {
    my ($block, $config, $rand_ports, %opt) = @_;
    my $name = $block->name;

    my $main_config  = expand_env($block->main_config // '', $name,
                                  $rand_ports);
    my $http_config  = expand_env($block->http_config // '', $name,
                                  $rand_ports);
    my $post_main    = expand_env($block->post_main_config // '', $name,
                                  $rand_ports);
    my $err_log_file = expand_env($block->error_log_file || $Conf{ErrLog}, $name,
                                  $rand_ports);
    my $server_name  = $block->server_name // $Conf{ServerName};
    my $log_level    = $block->log_level || $Conf{LogLevel};
    my $daemon       = $opt{daemon} // 'on';
    $config //= '';

    $http_config = $Conf{HttpConfigFilter}->($http_config) if $Conf{HttpConfigFilter};

    (my $quoted_server_name = $server_name) =~ s/(['\\])/\\$1/g;

    my @c;

    # Dynamic modules must be loaded before the http and events blocks.
    for my $so (grep { length } split /\s+/, $Conf{LoadModules} // '') {
        push @c, "load_module $so;";
    }

    push @c, "worker_processes  $Conf{Workers};",
             "daemon $daemon;",
             "master_process $Conf{MasterProcess};",
             "error_log $err_log_file $log_level;",
             "pid       $Conf{PidFile};";

    # Keep a few variables that matter for debugging builds.
    for my $v (qw(LD_PRELOAD LD_LIBRARY_PATH ASAN_OPTIONS), @{ $Conf{EnvToNginx} }) {
        push @c, $v =~ /\s/ ? "env '$v';" : "env $v;";
    }

    push @c, '', $main_config, '';

    # Temp paths inside the server root (unless the test sets its own, or
    # the module is compiled out of this nginx).
    my $V = nginx_V() // '';
    my @temp;
    for my $kind (qw(client_body proxy fastcgi scgi uwsgi)) {
        next if $http_config =~ /\b${kind}_temp_path\b/;
        next if $kind ne 'client_body' && $kind ne 'proxy'
                && $V =~ /--without-http_${kind}_module/;
        push @temp, "    ${kind}_temp_path $Conf{ServRoot}/${kind}_temp;";
    }

    push @c, 'http {',
             "    access_log $Conf{AccLog};",
             @temp,
             '',
             '    default_type text/plain;',
             '    keepalive_timeout  68000ms;',
             '',
             $http_config,
             '',
             '    server {',
             "        listen          $Conf{ServerPort};",
             "        server_name     '$quoted_server_name';",
             '        client_max_body_size 30M;',
             '',
             '        # preamble (config_preamble)',
             $Conf{ConfigPreamble},
             '        # test block config',
             $config,
             '        # end of test block config',
             '';

    if (!$Conf{NoRootLocation}) {
        push @c, '        location / {',
                 "            root $Conf{HtmlDir};",
                 '            index index.html index.htm;',
                 '        }';
    }

    push @c, '    }', '}', '', $post_main, '',
             'events {',
             '    accept_mutex off;',
             "    worker_connections  $Conf{WorkerConnections};";
    push @c, "    use $Conf{EventType};" if $Conf{EventType};
    push @c, '}';

    # Running as root: keep workers (master_on) able to read our files.
    push @c, 'user root;' if $> == 0;

    write_file($Conf{ConfFile}, join("\n", "# $name", @c) . "\n");
}

1;
