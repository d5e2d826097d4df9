package Test::Nginx::Lite::HTTP;

# The HTTP client side: turning the request sections of a block into the
# bytes to send, sending them over a plain TCP socket, and parsing what
# comes back.  Nothing here emits TAP; problems are returned as messages.
#
# This is this project's own code (see t/lib/README).

use strict;
use warnings;

use Exporter 'import';
use Errno qw(EAGAIN EWOULDBLOCK EINTR);
use HTTP::Response ();
use IO::Select ();
use IO::Socket::INET ();
use Time::HiRes qw(sleep time);

use Test::Nginx::Lite::Conf qw(%Conf bail_out expand_env);

our @EXPORT_OK = qw(requests_from_block send_request parse_response);

# ---------------------------------------------------------------------------
# Building requests
# ---------------------------------------------------------------------------

# "--- more_headers" text -> ("Name: value\r\n..." , is_chunked).
# Lines starting with '#' are comments.
sub format_more_headers {
    my ($text) = @_;
    my ($out, $chunked) = ('', 0);
    for my $line (split /\n+/, $text // '') {
        next if $line =~ /^\s*#/;
        my ($key, $val) = split /:\s*/, $line, 2;
        next unless defined $key;
        $val //= '';
        $chunked = 1 if lc($key) eq 'transfer-encoding' && $val eq 'chunked';
        $out .= "$key: $val\r\n";
    }
    return ($out, $chunked);
}

# Turn one "--- request" style text
#
#   METHOD [URI [PROTOCOL]]
#   body...
#
# split into one or more packets (array of strings; normally just one)
# into the packets to send.  Defaults: URI "/", protocol HTTP/1.1.  Host
# and Connection headers are added unless more_headers has them, then the
# more_headers, then a Content-Length for a non-empty body (whose
# surrounding whitespace is then trimmed) unless the body is chunked or
# more_headers already has one.  Returns an array ref of packet strings.
sub build_request {
    my ($name, $packets, $more_headers, $conn) = @_;

    my $text = join '', @$packets;
    # leading blank space and "# comment" lines are ignored
    my $skipped = 0;
    while ($text =~ s/\A(\s*#[^\n]*\n|\s+)//) { $skipped += length $1 }

    $text =~ /\A([^\n]*\n?)/;
    my $line = $1;
    my ($meth, $uri, $proto) =
        $line =~ /^\s*(\S+)(?:[ \t]+(\S+))?(?:[ \t]+(\S+))?\s*$/
        or bail_out("$name - bad request line (want "
                    . "'METHOD [URI [PROTOCOL]]'): \"$line\"");
    $uri   //= '/';
    $proto //= 'HTTP/1.1';

    my $body = substr($text, length $line);
    my ($hdrs, $chunked) = format_more_headers($more_headers);

    # which part of the body is kept: [$keep_from, $keep_to)
    my ($keep_from, $keep_to) = (0, length $body);
    my $cl = '';
    if (!$chunked && length $body && $hdrs !~ /(?:^|\n)Content-Length:/) {
        $body =~ /\A(\s*)/;
        $keep_from = length $1;
        if ($keep_from < length $body) {
            $body =~ /(\s*)\z/;
            $keep_to = length($body) - length $1;
        } else {
            $keep_to = $keep_from;
        }
        $cl = 'Content-Length: ' . ($keep_to - $keep_from) . "\r\n";
    }

    my $head = "$meth $uri $proto\r\n";
    $head .= "Host: $Conf{ServerName}\r\n"
        unless $hdrs =~ /(?:^|\n)Host:/i;
    $head .= "Connection: $conn\r\n"
        unless $hdrs =~ /(?:^|\n)Connection/i;
    $head .= "$hdrs$cl\r\n";

    return [$head . substr($body, $keep_from, $keep_to - $keep_from)]
        if @$packets == 1;

    # Several packets: the head goes with the first one, and each body
    # byte stays in the packet it was written in.  (A request line split
    # over packets is sent whole with the first packet.)
    my $body_start = $skipped + length $line;   # offset in the original
    my @out;
    my $pos = 0;
    for my $i (0 .. $#$packets) {
        my ($from, $to) = ($pos, $pos + length $packets->[$i]);
        $pos = $to;
        my $piece = $i == 0 ? $head : '';
        my $lo = _max($from, $body_start + $keep_from);
        my $hi = _min($to, $body_start + $keep_to);
        $piece .= substr($body, $lo - $body_start, $hi - $lo) if $hi > $lo;
        push @out, $piece;
    }
    return \@out;
}

sub _max { $_[0] > $_[1] ? $_[0] : $_[1] }
sub _min { $_[0] < $_[1] ? $_[0] : $_[1] }

# Pick element $i of a per-request value (array ref) or the value itself.
sub _nth {
    my ($v, $i) = @_;
    return ref $v eq 'ARRAY' ? $v->[$i] : $v;
}

# All the requests of a block.  Returns an array ref of requests, each
# { packets => [ {value => bytes, delay_before => secs}, ... ],
#   pipelined => number of responses expected on that connection (or 0) }.
sub requests_from_block {
    my ($block, $rand_ports) = @_;
    my $name = $block->name;

    if (defined $block->raw_request) {
        my $raw = $block->raw_request;
        my @packets = ref $raw eq 'ARRAY' ? @$raw : ($raw);
        return [{ packets => [map { ref $_ ? $_ : { value => $_ } }
                              @packets],
                  pipelined => 0 }];
    }

    my $more = $block->more_headers;

    if (defined(my $reqs = $block->pipelined_requests)) {
        bail_out("$name - --- pipelined_requests must be an array ref")
            unless ref $reqs eq 'ARRAY';
        my $data = '';
        for my $i (0 .. $#$reqs) {
            my $text = expand_env($reqs->[$i], $name, $rand_ports);
            my $conn = $i == $#$reqs ? 'close' : 'keep-alive';
            $data .= build_request($name, [$text], _nth($more, $i),
                                   $conn)->[0];
        }
        return [{ packets => [{ value => $data }],
                  pipelined => scalar @$reqs }];
    }

    my $req = $block->request;
    bail_out("$name - no --- request or --- raw_request section")
        unless defined $req;

    my @reqs = ref $req eq 'ARRAY' ? @$req : ($req);
    my @out;
    for my $i (0 .. $#reqs) {
        my $one = $reqs[$i];
        my @parts;                      # [text, delay_before]
        if (!ref $one) {
            @parts = ([$one, undef]);
        } elsif (ref $one eq 'ARRAY') {
            for my $p (@$one) {
                push @parts, ref $p eq 'HASH'
                             ? [$p->{value}, $p->{delay_before}]
                             : [$p, undef];
            }
        } else {
            bail_out("$name - a request must be a string or an array "
                     . "of packets");
        }

        my $hdr = _nth($more, $i);
        bail_out("$name - --- more_headers has no entry for request $i")
            if ref $more eq 'ARRAY' && !defined $hdr;

        my $bytes = build_request($name, [map { $_->[0] // '' } @parts],
                                  $hdr, 'close');
        push @out, {
            packets => [map { { value => $bytes->[$_],
                                delay_before => $parts[$_][1] } }
                        0 .. $#parts],
            pipelined => 0,
        };
    }
    return \@out;
}

# ---------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------

# Connect (retrying while nginx is starting up), send the packets and read
# until the server closes the connection or nothing happens for $timeout
# seconds.  Options: packets, middle_delay, timeout, shutdown (shut down
# our write side once everything is sent), connect_wait (seconds to keep
# retrying), alive (code ref: false when nginx is known to be gone).
# Returns a hash ref { resp, timed_out, error }.
sub send_request {
    my (%a) = @_;
    my $addr = $Conf{ServerAddr};
    my $port = $Conf{ClientPort};

    my $sock;
    my $until = time + ($a{connect_wait} // 5);
    my $wait  = 0.01;
    while (1) {
        $sock = IO::Socket::INET->new(PeerAddr => $addr, PeerPort => $port,
                                      Proto => 'tcp', Timeout => 2);
        last if $sock;
        my $err = "$!";
        if (time > $until || ($a{alive} && !$a{alive}->())) {
            return { resp => undef,
                     error => "Can't connect to $addr:$port: $err" };
        }
        sleep $wait;
        $wait = $wait * 2 > 0.5 ? 0.5 : $wait * 2;
    }
    $sock->blocking(0);

    local $SIG{PIPE} = 'IGNORE';

    my @packets  = @{ $a{packets} };
    my $first    = shift @packets;
    my $wbuf     = $first->{value} // '';
    my $woff     = 0;
    my $writing  = 1;
    my $resp     = '';
    my $timed_out = 0;
    my $timeout  = $a{timeout};

    my $sel = IO::Select->new($sock);
    while (1) {
        my ($r, $w) = IO::Select->select($sel, $writing ? $sel : undef,
                                         undef, $timeout);
        if (!$r && !$w) {
            next if $! == EINTR;
            $timed_out = 1;
            last;
        }

        if ($r && @$r) {
            my $eof = 0;
            while (1) {
                my $n = sysread($sock, my $buf, 65536);
                if (!defined $n) {
                    last if $! == EAGAIN || $! == EWOULDBLOCK;
                    next if $! == EINTR;
                    warn "$a{name} - read failed: $!\n"
                        unless $!{ECONNRESET};
                    $eof = 1;
                    last;
                }
                if ($n == 0) { $eof = 1; last }
                $resp .= $buf;
            }
            last if $eof;
        }

        if ($writing && $w && @$w) {
            while ($writing) {
                if ($woff < length $wbuf) {
                    my $n = syswrite($sock, $wbuf, length($wbuf) - $woff,
                                     $woff);
                    if (!defined $n) {
                        last if $! == EAGAIN || $! == EWOULDBLOCK;
                        next if $! == EINTR;
                        # the server may answer early and close (413...)
                        $writing = 0;
                        last;
                    }
                    $woff += $n;
                    next;
                }
                my $next = shift @packets;
                if (!$next) {
                    $writing = 0;
                    if (defined $a{shutdown}) {
                        my $how = $a{shutdown} =~ /^\s*(\d)/ ? $1 : 1;
                        shutdown($sock, $how);
                    }
                    last;
                }
                my $delay = $next->{delay_before} // $a{middle_delay};
                sleep $delay if $delay;
                ($wbuf, $woff) = ($next->{value} // '', 0);
            }
        }
    }
    close $sock;
    return { resp => $resp, timed_out => $timed_out };
}

# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

# Decode a chunked body starting at the beginning of $raw.
# Returns ($decoded, $rest_after_last_chunk, $error).
sub decode_chunked {
    my ($raw) = @_;
    my $out = '';
    pos($raw) = 0;
    while (1) {
        if ($raw !~ /\G[ \t]*([0-9A-Fa-f]+)[^\r\n]*\r\n/gc) {
            my $at = substr($raw, pos($raw) // 0);
            return (undef, undef, length $at
                    ? "invalid chunked body received: $at"
                    : "no last chunk found");
        }
        my $size = hex $1;
        if ($size == 0) {
            1 while $raw =~ /\G[^\r\n]+\r\n/gc;    # trailer fields
            return (undef, undef,
                    "invalid chunked data received (expected CRLF)")
                unless $raw =~ /\G\r\n/gc;
            return ($out, substr($raw, pos $raw), undef);
        }
        my $at = pos $raw;
        return (undef, undef, "invalid chunked data received "
                              . "(not enough octets for the data section)")
            if length($raw) - $at < $size;
        $out .= substr($raw, $at, $size);
        pos($raw) = $at + $size;
        return (undef, undef, "invalid chunked data received (expected CRLF)")
            unless $raw =~ /\G\r\n/gc;
    }
}

# Parse one response from the start of $raw.  Returns a hash ref:
#   res         HTTP::Response (body de-chunked / cut to Content-Length)
#   raw_headers the header block as received (status line included)
#   left        bytes after this response (pipelining), if any
#   error       message if the body framing is broken
#   truncated   [expected, got] if shorter than Content-Length
sub parse_response {
    my ($raw, $head_req) = @_;
    my %r;
    $r{raw_headers} = $raw =~ /\A(.*?\r\n)\r\n/s ? $1 : '';

    my $res = HTTP::Response->parse($raw);
    $res->code(undef) if defined $res->code && $res->code !~ /^\d+$/;
    $r{res} = $res;

    my $code = $res->code;
    return \%r if $code && ($code == 304 || $code == 101 || $head_req);

    my $te  = $res->header('Transfer-Encoding');
    my $len = $res->header('Content-Length');
    my $body = $res->content // '';

    if (defined $te && $te eq 'chunked') {
        my ($decoded, $left, $err) = decode_chunked($body);
        if ($err) {
            $r{error} = $err;
        } else {
            $res->content($decoded);
            $r{left} = $left if length $left;
        }

    } elsif (defined $len && $len =~ /^\d+$/) {
        if (length $body < $len) {
            $r{truncated} = [$len, length $body];
        } elsif (length $body > $len) {
            $r{left} = substr($body, $len);
            $res->content(substr($body, 0, $len));
        }
    }
    return \%r;
}

1;
