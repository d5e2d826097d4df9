package Test::Nginx::Socket;

# A small, self-written stand-in for OpenResty's Test::Nginx::Socket (which
# lives on CPAN).  It runs the same data-driven test files: the blocks
# after __DATA__ are parsed by Test::Base, and for each block an nginx is
# configured and started, the requests are sent over a raw TCP socket and
# the response and the error log are checked, emitting the same number of
# assertions as the original does for the supported sections.
#
# See t/lib/README for what is supported.  This is this project's own
# code; it was written from the documented behaviour of the original, not
# derived from its source text.

use strict;
use warnings;

use Test::Base -base;

use Encode ();
use List::Util qw(shuffle);
use Scalar::Util qw(looks_like_number);
use Test::LongString ();
use Time::HiRes qw(sleep);

use Test::Nginx::Lite::Conf qw(
    %Conf
    bail_out expand_env parse_time setup_servroot write_user_files
    write_nginx_conf
);
use Test::Nginx::Lite::Server qw(
    nginx_version run_nginx_once start_nginx stop_nginx nginx_pid
    is_running valgrind_output child_alive
);
use Test::Nginx::Lite::HTTP qw(
    requests_from_block send_request parse_response
);

our $VERSION = '0.01';

our @EXPORT = qw(
    env_to_nginx is_str plan run_tests run_test repeat_each
    config_preamble worker_connections master_process_enabled
    no_long_string workers master_on master_off log_level no_shuffle
    no_root_location use_hup server_name server_addr server_root html_dir
    server_port server_port_for_client timeout no_nginx_manager
    check_accum_error_log add_block_preprocessor bail_out
    add_test_cleanup_handler add_cleanup_handler add_response_body_check
);

our (@BlockPreprocessors, @CleanupHandlers, @TestCleanupHandlers,
     @ResponseBodyChecks);

our $NginxVersion;       # e.g. 1.022001
our $PrevConfig;         # config of the previous block (for blocks without)
our $PrevBlock;          # its block (for --- shutdown_error_log)
our $RandPorts = {};     # $TEST_NGINX_RAND_PORT_N of the current block
our $ErrLogPos = 0;      # how far error.log has been read
our $ConnectFailures = 0;

# ---------------------------------------------------------------------------
# Functions for test files
# ---------------------------------------------------------------------------

sub _get_set {
    my ($ref, @v) = @_;
    $$ref = $v[0] if @v;
    return $$ref;
}

sub repeat_each (@)        { _get_set(\$Conf{RepeatEach}, @_) }
sub log_level (@)          { _get_set(\$Conf{LogLevel}, @_) }
sub workers (@)            { _get_set(\$Conf{Workers}, @_) }
sub worker_connections (@) { _get_set(\$Conf{WorkerConnections}, @_) }
sub timeout (@)            { _get_set(\$Conf{Timeout}, @_) }
sub server_port (@)        { _get_set(\$Conf{ServerPort}, @_) }
sub server_port_for_client (@) { _get_set(\$Conf{ClientPort}, @_) }
sub server_addr (@)        { _get_set(\$Conf{ServerAddr}, @_) }
sub server_name (@)        { _get_set(\$Conf{ServerName}, @_) }
sub config_preamble ($)    { $Conf{ConfigPreamble} = shift }
sub no_long_string ()      { $Conf{NoLongString} = 1 }
sub no_shuffle ()          { $Conf{NoShuffle} = 1 }
sub no_root_location ()    { $Conf{NoRootLocation} = 1 }
sub no_nginx_manager ()    { $Conf{NoNginxManager} = 1 }
sub check_accum_error_log () { $Conf{CheckAccumErrLog} = 1 }
sub master_on ()           { $Conf{MasterProcess} = 'on' }
sub master_off ()          { $Conf{MasterProcess} = 'off' }
sub html_dir ()            { $Conf{HtmlDir} }
sub server_root ()         { $Conf{ServRoot} }

sub master_process_enabled (@) {
    $Conf{MasterProcess} = $_[0] ? 'on' : 'off' if @_;
    return $Conf{MasterProcess};
}

sub use_hup () {
    warn "use_hup() is not supported by this Test::Nginx::Socket; "
         . "nginx is restarted for every block instead\n";
}

sub env_to_nginx (@) {
    Carp::croak("env_to_nginx: no arguments") unless @_;
    for my $v (@_) {
        Carp::croak("env_to_nginx: bad argument: $v")
            if $v !~ /^[A-Za-z_]/ || $v =~ /\n/;
        push @{ $Conf{EnvToNginx} }, $v;
    }
}

sub add_block_preprocessor (&) { unshift @BlockPreprocessors, shift }
sub add_cleanup_handler ($)     { unshift @CleanupHandlers, shift }
sub add_test_cleanup_handler ($) { unshift @TestCleanupHandlers, shift }
sub add_response_body_check ($) { push @ResponseBodyChecks, shift }
sub set_http_config_filter ($)  { $Conf{HttpConfigFilter} = shift }

# String comparison: a Regexp expectation means like(), otherwise
# Test::LongString's is_string (or Test::Base's is, with a diff for
# multi-line values, after no_long_string()).
sub is_str (@) {
    my ($got, $expected, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return Test::More::like($got, $expected, $desc)
        if ref $expected eq 'Regexp';
    return Test::Base::is($got, $expected, $desc) if $Conf{NoLongString};
    return Test::LongString::is_string($got, $expected, $desc);
}

# ---------------------------------------------------------------------------
# Main loop
# ---------------------------------------------------------------------------

$Conf{BeforeBailOut} = \&cleanup;

sub cleanup {
    $_->() for @CleanupHandlers;
    if ($Conf{UseValgrind} || !$ENV{TEST_NGINX_NO_CLEAN}) {
        stop_nginx('cleanup') unless $Conf{NoNginxManager};
    }
}

sub run_tests () {
    $NginxVersion = nginx_version()
        // bail_out("cannot run \"" . Test::Nginx::Lite::Conf::nginx_binary()
                    . " -V\" (set TEST_NGINX_BINARY?)");

    $ENV{TEST_NGINX_SERVER_PORT} //= $Conf{ServerPort};

    my @blocks = Test::Base::blocks();
    @blocks = shuffle @blocks unless $Conf{NoShuffle};

    for my $block (@blocks) {
        $_->($block) for @BlockPreprocessors;
        $block->set_value(name => "$0 " . $block->name);
        run_test($block);
        $_->($block) for @TestCleanupHandlers;
        $PrevBlock = $block;
    }

    cleanup();
    check_shutdown_error_log($PrevBlock);
    undef $PrevBlock;
}

# Stop nginx when the test file ends early (die, BAIL_OUT...).
our $MainPid = $$;
END {
    local $?;
    cleanup() if $$ == $MainPid && $NginxVersion;
}

# Sections that change what is tested but that this implementation does
# not have: better to stop than to silently test something else.
my @UNSUPPORTED = qw(
    tcp_listen tcp_reply tcp_query udp_listen udp_reply udp_query
    http2 http3 curl_error stap_out stap_out_like stap_out_unlike
    request_eval response_body_eval http09 reload_fails
);

# Run one block: start nginx with its config (or expect it to fail with
# --- must_die), then send the requests repeat_each() times.
sub run_test ($) {
    my ($block) = @_;
    my $name = $block->name;

    for my $s (@UNSUPPORTED) {
        bail_out("$name - section --- $s is not supported by this "
                 . "Test::Nginx::Socket (t/lib)")
            if defined $block->$s;
    }

    $RandPorts = {};
    my $config = expand_env(scalar $block->config, $name, $RandPorts);

    my ($skip, $todo, $ntests, $reason) = skip_or_todo($block);

    if ($Conf{NoNginxManager}) {
        # nginx is managed by someone else: just send requests

    } elsif (!defined $config) {
        # keep the nginx of the previous block running
        bail_out("$name - no --- config section and no previous block")
            unless defined $PrevConfig;

    } elsif (!$skip) {
        $PrevConfig = $config;
        stop_nginx($name);
        check_shutdown_error_log($PrevBlock);
        undef $PrevBlock;

        setup_servroot();
        if (defined(my $code = $block->post_setup_server_root)) {
            eval $code;
            bail_out("$name - post_setup_server_root failed: $@") if $@;
        }
        write_user_files($block, $RandPorts);

        # valgrind needs nginx in the foreground; a must_die block is
        # never run under valgrind
        my $valgrind = $Conf{UseValgrind} && !defined $block->must_die;
        write_nginx_conf($block, $config, $RandPorts,
                         daemon => $valgrind ? 'off' : 'on');

        if (defined $block->must_die) {
            run_must_die($block);
            return;
        }

        start_server($block);
    }

    if (defined(my $code = $block->init)) {
        eval $code;
        bail_out("$name - init failed: $@") if $@;
    }

    $ErrLogPos = 0;
    for my $i (0 .. $Conf{RepeatEach} - 1) {
        write_user_files($block, $RandPorts) if $i > 0 && !$skip;
        if ($skip) {
            SKIP: { Test::More::skip("$name - $reason", $ntests) }
        } elsif ($todo) {
            TODO: { Test::More::todo_skip("$name - $reason", $ntests) }
        } else {
            run_requests($block, $i);
        }
    }

    # Under valgrind nginx is stopped after each block so that its report
    # (leaks are only known at exit) can be tied to the block.
    if ($Conf{UseValgrind} && !$skip && defined $config
        && !$Conf{NoNginxManager})
    {
        stop_nginx($name);
        check_valgrind($block);
    }
}

# --- skip_nginx: N: <op> x.y.z [: reason], --- skip_eval: N: perl-expr,
# --- todo: N: reason.  Returns (skip, todo, number of tests, reason).
sub skip_or_todo {
    my ($block) = @_;
    my $name = $block->name;

    if (defined(my $spec = $block->skip_nginx)) {
        $spec =~ /^\s*(\d+)\s*:\s*([<>]=?)\s*(\d+)\.(\d+)\.(\d+)
                  (?:\s*:\s*(.*?))?\s*$/x
            or bail_out("$name - invalid --- skip_nginx: $spec");
        my ($n, $op, $reason) = ($1, $2, $6);
        my $want = sprintf('%d.%03d%03d', $3, $4, $5);
        $reason ||= "nginx version $op $3.$4.$5";
        my $hit = eval "$NginxVersion $op $want";
        return (1, 0, $n, $reason) if $hit;
    }

    if (defined(my $spec = $block->skip_eval)) {
        $spec =~ /^\s*(\d+)\s*:\s*(.*)$/s
            or bail_out("$name - invalid --- skip_eval: $spec");
        my ($n, $code) = ($1, $2);
        my $hit = eval $code;
        bail_out("$name - --- skip_eval failed: $@") if $@;
        return (1, 0, $n, 'skip_eval') if $hit;
    }

    if (defined(my $spec = $block->todo)) {
        $spec =~ /^\s*(\d+)\s*:\s*(.*)$/s
            or bail_out("$name - invalid --- todo: $spec");
        return (0, 1, $1, $2);
    }

    return (0, 0, 0, '');
}

# --- must_die: nginx must refuse to start.  One test for the exit status
# (a number as the section value is the exit code expected) plus the
# error log checks, repeat_each() times.
sub run_must_die {
    my ($block) = @_;
    my $name = $block->name;
    my $expect = $block->must_die;

    $ErrLogPos = 0;
    for my $i (0 .. $Conf{RepeatEach} - 1) {
        my $status = run_nginx_once(quiet => defined $block->suppress_stderr);

        if ($status == -1) {
            Test::More::fail("$name - failed to execute the nginx command");
        } elsif ($status & 128) {
            Test::More::fail("$name - nginx core dumped");
        } elsif (looks_like_number($expect)) {
            Test::More::is($status >> 8, $expect,
                           "$name - die with the expected exit code");
        } else {
            Test::More::isnt($status, 0, "$name - die as expected");
        }

        check_error_log($block, $i);

        if ($status == 0) {
            warn "WARNING: $name - nginx must die but it does not; "
                 . "killing it (req $i)\n";
            stop_nginx($name);
        }
    }
}

# Start nginx, or bail out with the end of error.log if it will not start
# (after retrying for a while if the port is still taken).
sub start_server {
    my ($block) = @_;
    my $name = $block->name;

    if ($Conf{UseValgrind}) {
        warn "$name\n";       # so that valgrind's report can be placed
        start_nginx();
        return;
    }

    my $tries = 0;
    while (1) {
        my $status = start_nginx(quiet => defined $block->suppress_stderr);
        return if $status == 0;

        my $log = error_log_tail();
        if ($log =~ /Address already in use/ && ++$tries < 50) {
            sleep 0.2;
            truncate $Conf{ErrLog}, 0;
            next;
        }
        bail_out("$name - cannot start nginx (status $status):\n$log");
    }
}

sub error_log_tail {
    open my $fh, '<', $Conf{ErrLog} or return '';
    my @lines = <$fh>;
    splice @lines, 0, -20 if @lines > 20;
    return join '', @lines;
}

# After a valgrind run: show valgrind's report on stderr (as the original
# does, nginx's stderr being left alone there) and, unlike the original,
# turn an error report into a test failure.
sub check_valgrind {
    my ($block) = @_;
    my $out = valgrind_output();
    return unless length $out;
    print STDERR $out;
    my @errors = grep { /^==\d+==\s+\S/ && !/^==\d+==\s+Warning:/ }
                 split /\n/, $out;
    if (@errors && !$ENV{TEST_NGINX_VALGRIND_NO_FAIL}) {
        Test::More::fail($block->name . " - valgrind reported errors: "
                         . $errors[0]);
    }
}

# ---------------------------------------------------------------------------
# One round of requests and checks
# ---------------------------------------------------------------------------

sub run_requests {
    my ($block, $rep) = @_;
    my $name = $block->name;

    my $reqs    = requests_from_block($block, $RandPorts);
    my $timeout = parse_time(scalar $block->timeout) // $Conf{Timeout};
    my $ignore  = defined $block->ignore_response;

    # One check round per response.  Per-response expectations must then
    # be array refs (one element per response).
    my $pipelined = $reqs->[0]{pipelined};
    my $nresp = $pipelined || @$reqs;
    my $need_array = $nresp > 1;

    my $idx = 0;
    for my $r (0 .. $#$reqs) {
        my $req = $reqs->[$r];
        my $bytes = join '', map { $_->{value} // '' } @{ $req->{packets} };
        my $head_req = $bytes =~ /^\s*HEAD\s/ ? 1 : 0;

        my $got = send_request(
            name         => $name,
            packets      => $req->{packets},
            middle_delay => scalar $block->raw_request_middle_delay,
            timeout      => $timeout,
            shutdown     => scalar $block->shutdown,
            connect_wait => $Conf{UseValgrind} ? 60 : 5,
            alive        => \&child_alive,
        );

        if ($got->{error}) {
            my $msg = "$name - $got->{error} (aborted)";
            bail_out($msg) if ++$ConnectFailures >= 3;
            Test::More::fail($msg);
        }
        if ($got->{timed_out} && !defined $block->abort) {
            Test::More::fail("ERROR: client socket timed out - $name");
        }

        my $raw = $got->{resp} // '';
        my $n = $req->{pipelined} || 1;
        for my $k (1 .. $n) {
            my $p = parse_response($raw, $head_req);
            if ($p->{error}) {
                Test::More::fail("$name - $p->{error}");
                $p->{res} = undef;
            }
            if ($p->{truncated} && !$head_req) {
                warn "WARNING: $name - response body truncated: "
                     . "$p->{truncated}[0] expected, but got "
                     . "$p->{truncated}[1]\n";
            }
            if ($k == $n && defined $p->{left} && length $p->{left}) {
                (my $show = $p->{left}) =~
                    s/([\0-\037\177-\377])/sprintf('\\x%02x', ord $1)/ge;
                warn "WARNING: $name - unexpected extra bytes after the "
                     . "response: \"$show\"\n";
            }
            $raw = $p->{left} // '';

            unless ($ignore) {
                my @args = ($block, $p->{res}, $p->{raw_headers}, $idx,
                            $rep, $need_array);
                check_error_code(@args);
                check_raw_response_headers(@args);
                check_response_headers(@args);
                check_response_body(@args);
            }

            # between responses: log checks for the one just done
            if ($idx < $nresp - 1) {
                sleep parse_time(scalar $block->wait) if $block->wait;
                check_error_log($block, $rep);
                check_access_log($block, $rep) unless $ignore;
            }
            $idx++;
        }
    }

    sleep parse_time(scalar $block->wait) if $block->wait;

    # --- stap is only meaningful with SystemTap; like the original
    # without TEST_NGINX_USE_STAP, its test is skipped.
    if (defined $block->stap) {
        SKIP: { Test::More::skip("$name - stap_out - tests skipped due to "
                                 . "the lack of SystemTap support", 1) }
    }

    check_error_log($block, $rep);
    check_access_log($block, $rep) unless $ignore;
}

# Value of a per-response section for response $idx.
sub indexed {
    my ($block, $value, $idx, $need_array) = @_;
    if (ref $value eq 'ARRAY') {
        return $value->[$idx];
    }
    bail_out($block->name . " - several requests/responses, so the "
             . "expected results must be array refs too")
        if $need_array;
    return $value;
}

sub subst_port {
    my ($s) = @_;
    return $s unless defined $s && !ref $s;
    $s =~ s/\$ServerPortForClient\b/$Conf{ClientPort}/g;
    $s =~ s/\$ServerPort\b/$Conf{ServerPort}/g;
    return $s;
}

# Status code: always one test (200 is expected by default).
sub check_error_code {
    my ($block, $res, undef, $idx, undef, $need_array) = @_;
    my $name = $block->name;
    my $code = ($res && $res->code) || '';

    if (defined(my $like = $block->error_code_like)) {
        my $pat = indexed($block, $like, $idx, $need_array);
        Test::More::like($code, qr/$pat/sm, "$name - status code ok");
    } elsif (defined $block->error_code) {
        Test::More::is($code,
                       indexed($block, scalar $block->error_code, $idx,
                               $need_array),
                       "$name - status code ok");
    } else {
        Test::More::is($code, 200, "$name - status code ok");
    }
}

sub check_raw_response_headers {
    my ($block, undef, $raw, $idx, undef, $need_array) = @_;
    my $name = $block->name;
    $raw //= '';
    if (defined(my $v = $block->raw_response_headers_like)) {
        my $pat = indexed($block, $v, $idx, $need_array);
        Test::More::like($raw, qr/$pat/s, "$name - raw resp headers like");
    }
    if (defined(my $v = $block->raw_response_headers_unlike)) {
        my $pat = indexed($block, $v, $idx, $need_array);
        Test::More::unlike($raw, qr/$pat/s,
                           "$name - raw resp headers unlike");
    }
}

# "Name: value" lines -> ordered list of [name, value]; "!Name" gives
# [name, undef] (header must be absent).  A later line for the same name
# replaces an earlier one (one test per distinct name).
sub header_expectations {
    my ($text) = @_;
    my (@order, %val);
    for my $line (split /\n/, $text // '') {
        $line =~ s/^\s+|\s+$//g;
        next unless length $line;
        my ($key, $v);
        if ($line =~ s/^!\s*//) {
            ($key, $v) = ($line, undef);
        } else {
            ($key, $v) = split /\s*:\s*/, $line, 2;
        }
        push @order, $key unless exists $val{$key};
        $val{$key} = $v;
    }
    return map { [$_, $val{$_}] } @order;
}

# --- response_headers: one test per header: "Name: value" compares the
# value (multiple headers joined with ", "; absent header = ""), so
# "Name:" means absent or empty; "!Name" means absent from the raw header
# block.  --- response_headers_like (only if there is no
# --- response_headers): the value must match ^pattern$.
sub check_response_headers {
    my ($block, $res, $raw, $idx, undef, $need_array) = @_;
    my $name = $block->name;

    if (defined(my $v = $block->response_headers)) {
        for my $h (header_expectations(indexed($block, $v, $idx,
                                               $need_array)))
        {
            my ($key, $want) = @$h;
            if (!defined $want) {
                Test::More::unlike($raw // '', qr/^\s*\Q$key\E\s*:/ms,
                    "$name - header $key not present in the raw headers");
                next;
            }
            my $got = $res ? $res->header($key) : undef;
            Test::More::is($got // '', subst_port($want),
                           "$name - header $key ok");
        }

    } elsif (defined(my $v2 = $block->response_headers_like)) {
        for my $h (header_expectations(indexed($block, $v2, $idx,
                                               $need_array)))
        {
            my ($key, $pat) = @$h;
            $pat //= '';
            my $got = $res ? $res->header($key) : undef;
            Test::More::like($got // '', qr/^$pat$/,
                             "$name - header $key like ok");
        }
    }
}

# Named or code-ref filters applied to the received body first
# (--- response_body_filters).
my %BODY_FILTERS = (
    md5_hex  => sub { require Digest::MD5; Digest::MD5::md5_hex($_[0]) },
    sha1_hex => sub { require Digest::SHA; Digest::SHA::sha1_hex($_[0]) },
    uc => sub { uc $_[0] },  lc => sub { lc $_[0] },
    ucfirst => sub { ucfirst $_[0] }, lcfirst => sub { lcfirst $_[0] },
    length => sub { length $_[0] },
);

sub filter_body {
    my ($block, $body, $idx) = @_;
    my $f = $block->response_body_filters;
    return $body unless defined $f && defined $body;
    my @filters;
    if (!ref $f) {
        (my $s = $f) =~ s/^\s+|\s+$//g;
        @filters = split /\s+/, $s;
    } elsif (ref $f eq 'ARRAY') {
        @filters = ref $f->[0] eq 'ARRAY' ? @{ $f->[$idx] // [] } : @$f;
    } else {
        @filters = ($f);
    }
    for my $one (@filters) {
        my $code = ref $one eq 'CODE' ? $one : $BODY_FILTERS{$one}
            or bail_out($block->name . " - unknown response body filter "
                        . "\"$one\"");
        $body = $code->($body);
    }
    return $body;
}

# --- response_body: one test, exact comparison (a qr// from eval means a
# match); $ServerPort and $TEST_NGINX_* are expanded in the expected text.
# Otherwise --- response_body_like / _unlike: one test, the pattern is
# used as qr/$pattern/s (not anchored).
sub check_response_body {
    my ($block, $res, undef, $idx, $rep, $need_array) = @_;
    my $name = $block->name;
    my $body = $res ? $res->content : undef;
    $body = filter_body($block, $body, $idx);

    if (defined(my $file = $block->write_resp_body_file)) {
        if (open my $fh, '>', $file) { print $fh $body // ''; close $fh }
    }

    if (defined $block->response_body) {
        my $want = indexed($block, scalar $block->response_body, $idx,
                           $need_array);
        if (defined $block->response_body_json_sort && defined $body) {
            require JSON::PP;
            my $js = JSON::PP->new->canonical(1)->loose(1);
            my $obj = eval { $js->decode($body) };
            $body = $js->encode($obj) . "\n" if defined $obj;
        }
        if (defined $want && !ref $want) {
            Encode::from_to($want, 'UTF-8', scalar $block->charset)
                if $block->charset;
            $want = expand_env(subst_port($want), $name, $RandPorts);
        }
        my $desc = "$name - response_body - response is expected "
                   . "(repeated req $rep, req $idx)";
        if (ref $want) {
            Test::More::like($body, $want,
                             "$name - response_body - like "
                             . "(repeated req $rep, req $idx)");
        } else {
            is_str($body, $want, $desc);
        }

    } elsif (defined $block->response_body_like
             || defined $block->response_body_unlike)
    {
        my $like = defined $block->response_body_like;
        my $pat = indexed($block,
                          $like ? scalar $block->response_body_like
                                : scalar $block->response_body_unlike,
                          $idx, $need_array);
        $pat = subst_port($pat);
        (my $summary = $body // '') =~ s/\s+/ /g;
        $summary =~ s/^ | $//g;
        my $desc = "$name - response_body_" . ($like ? 'like' : 'unlike')
                   . " - response is expected ($summary)";
        if ($like) {
            Test::More::like($body, qr/$pat/s, $desc);
        } else {
            Test::More::unlike($body, qr/$pat/s, $desc);
        }
    }

    $_->($block, $body, $idx, $rep, 0) for @ResponseBodyChecks;
}

# ---------------------------------------------------------------------------
# Log checks
# ---------------------------------------------------------------------------

# New lines of error.log since the last call (all of it with
# check_accum_error_log()).  Waits a little first: nginx logs some things
# after the response was sent.
sub error_log_lines {
    sleep $Conf{Sleep} * 3;
    open my $fh, '<', $Conf{ErrLog} or return [];
    seek $fh, $ErrLogPos, 0 if !$Conf{CheckAccumErrLog} && $ErrLogPos;
    my @lines = <$fh>;
    $ErrLogPos = tell $fh unless $Conf{CheckAccumErrLog};
    return \@lines;
}

sub access_log_lines {
    sleep $Conf{Sleep} * 3;
    open my $fh, '<', $Conf{AccLog} or return [];
    return [<$fh>];
}

# Patterns of a log section: text gives one substring per line; with eval
# a qr// or an array of strings (substrings) and qr//s.
sub log_patterns {
    my ($v) = @_;
    return () unless defined $v;
    if (!ref $v) {
        chomp $v;
        return grep { length } split /\n+/, $v;
    }
    return ($v) if ref $v eq 'Regexp';
    return grep { defined } @$v;
}

sub line_matches {
    my ($line, $pat) = @_;
    return ref $pat eq 'Regexp' ? $line =~ $pat : index($line, $pat) >= 0;
}

sub show {
    my ($s) = @_;
    $s = "$s";
    chomp $s;
    $s =~ s/"/\\"/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\n/\\n/g;
    return $s;
}

# Shared by error_log / access_log / shutdown_error_log: one test per
# pattern: each $want pattern must match some line, each $unwanted one none.
sub check_log_patterns {
    my ($name, $file, $lines, $want, $unwanted, $suffix) = @_;
    for my $pat (log_patterns($want)) {
        my $hit = grep { line_matches($_, $pat) } @$lines;
        if ($hit) {
            Test::More::pass("$name - pattern \"$pat\" matches a line "
                             . "in $file$suffix");
        } else {
            Test::More::fail("$name - pattern \"$pat\" should match a "
                             . "line in $file$suffix");
        }
    }
    for my $pat (log_patterns($unwanted)) {
        my @hits = grep { line_matches($_, $pat) } @$lines;
        if (@hits) {
            my $more = @hits > 1 ? ' (and ' . (@hits - 1) . ' more)' : '';
            Test::More::fail("$name - pattern \"" . show($pat)
                             . "\" should not match any line in $file but "
                             . "matches line \"" . show($hits[0])
                             . "\"$more$suffix");
        } else {
            Test::More::pass("$name - pattern \"" . show($pat)
                             . "\" does not match a line in $file$suffix");
        }
    }
}

# Error log checks, once per request round: --- grep_error_log(_out),
# --- error_log, --- no_error_log.  Also warns about [alert], [crit] and
# [emerg] lines nobody asked about, and fails on "Assertion ... failed".
sub check_error_log {
    my ($block, $rep) = @_;
    my $name  = $block->name;
    my $lines = error_log_lines();
    my $sfx   = " (req $rep)";

    if (defined(my $g = $block->grep_error_log)) {
        my $pat = ref $g eq 'ARRAY' ? $g->[$rep] : $g;
        my $want = $block->grep_error_log_out;
        bail_out("$name - --- grep_error_log without --- grep_error_log_out")
            unless defined $want;
        $want = $want->[$rep] if ref $want eq 'ARRAY';
        $want = expand_env($want, $name, $RandPorts);
        my $out = '';
        for my $line (@$lines) {
            my $m = ref $pat ? ($line =~ $pat ? $& : undef)
                  : index($line, $pat) >= 0 ? $pat : undef;
            $out .= "$m\n" if defined $m && $m !~ /\n/;
        }
        is_str($out, $want, "$name - grep_error_log_out$sfx");
    }

    check_log_patterns($name, 'error.log', $lines,
                       scalar $block->error_log,
                       scalar $block->no_error_log, $sfx);

    my $mentioned = join "\n", map { "$_" }
                    log_patterns(scalar $block->error_log),
                    log_patterns(scalar $block->no_error_log);
    for my $level (qw(alert crit emerg)) {
        next if index($mentioned, "[$level") >= 0;
        for my $line (grep { /\[$level\]/ } @$lines) {
            warn "WARNING: $name - " . show($line) . "\n";
        }
    }

    for my $line (grep { /\bAssertion .*?failed\b/ } @$lines) {
        chomp(my $l = $line);
        Test::More::fail("$name - $l");
    }
}

sub check_access_log {
    my ($block, $rep) = @_;
    return unless defined $block->access_log
               || defined $block->no_access_log;
    check_log_patterns($block->name, 'access.log', access_log_lines(),
                       scalar $block->access_log, scalar $block->no_access_log,
                       " (req $rep)");
}

# --- shutdown_error_log / --- no_shutdown_error_log: checked against what
# nginx logged up to its exit, once that nginx has been stopped (before
# the next block starts, or at the end).
sub check_shutdown_error_log {
    my ($block) = @_;
    return unless $block;
    return unless defined $block->shutdown_error_log
               || defined $block->no_shutdown_error_log;
    check_log_patterns($block->name, 'error.log', error_log_lines(),
                       scalar $block->shutdown_error_log,
                       scalar $block->no_shutdown_error_log, '');
}

1;
