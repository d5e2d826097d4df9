# Fixtures shared by the suites: request documents as real clients send
# them, and the error document, whose Time and Id vary, as a pattern.

package AD;

use strict;
use warnings;

use Exporter 'import';

our @EXPORT = qw(pox pox_raw error_like imap_doc chunked defaults
                 $NS $REQ_NS $OUTLOOK $MOBILESYNC);

our $NS = 'http://schemas.microsoft.com/exchange/autodiscover/';
our $REQ_NS = "${NS}outlook/requestschema/2006";
our $OUTLOOK = "${NS}outlook/responseschema/2006a";
our $MOBILESYNC = "${NS}mobilesync/responseschema/2006";

# pox(email [, schema [, request namespace]]): Outlook's own layout
sub pox {
    my ($email, $schema, $ns) = @_;

    $schema = $OUTLOOK unless defined $schema;
    $ns = $REQ_NS unless defined $ns;

    return qq{<?xml version="1.0" encoding="utf-8"?>\r\n}
        . qq{<Autodiscover xmlns="$ns">\r\n}
        . qq{  <Request>\r\n}
        . qq{    <EMailAddress>$email</EMailAddress>\r\n}
        . qq{    <AcceptableResponseSchema>$schema</AcceptableResponseSchema>\r\n}
        . qq{  </Request>\r\n}
        . qq{</Autodiscover>\r\n};
}

# pox_raw(inner): any Request content, in the request namespace
sub pox_raw {
    my ($inner) = @_;

    return qq{<?xml version='1.0' encoding='utf-8'?>}
        . qq{<Autodiscover xmlns="$REQ_NS"><Request>$inner</Request>}
        . qq{</Autodiscover>};
}

my %messages = (
    500 => 'The e-mail address cannot be found.',
    501 => 'Bad Address',
    600 => 'Invalid Request',
    601 => 'Provider is not available',
    602 => 'Bad Address',
    603 => 'The Autodiscover server threw an internal error.',
);

# the whole error document, exact but for the time of day and server id
sub error_like {
    my ($code) = @_;

    my $doc = qq{<?xml version="1.0" encoding="utf-8"?>\n}
        . qq{<Autodiscover xmlns="${NS}responseschema/2006">\n}
        . qq{  <Response>\n}
        . qq{    <Error Time="TIME" Id="ID">\n}
        . qq{      <ErrorCode>$code</ErrorCode>\n}
        . qq{      <Message>$messages{$code}</Message>\n}
        . qq{      <DebugData />\n}
        . qq{    </Error>\n}
        . qq{  </Response>\n}
        . qq{</Autodiscover>\n};

    my $re = quotemeta $doc;
    $re =~ s/TIME/(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d\\.\\d{3}/;
    $re =~ s/ID/\\d{1,10}/;

    return qr/\A$re\z/;
}

# the whole settings document of the suites' usual service: one IMAP
# protocol on imap.example.com, with a LoginName when one is given
sub imap_doc {
    my ($login) = @_;

    return qq{<?xml version="1.0" encoding="utf-8"?>\n}
        . qq{<Autodiscover xmlns="${NS}responseschema/2006">\n}
        . qq{  <Response xmlns="${NS}outlook/responseschema/2006a">\n}
        . qq{    <Account>\n}
        . qq{      <AccountType>email</AccountType>\n}
        . qq{      <Action>settings</Action>\n}
        . qq{      <Protocol>\n}
        . qq{        <Type>IMAP</Type>\n}
        . qq{        <Server>imap.example.com</Server>\n}
        . qq{        <Port>993</Port>\n}
        . qq{        <DomainRequired>off</DomainRequired>\n}
        . (defined $login ? qq{        <LoginName>$login</LoginName>\n} : '')
        . qq{        <SPA>off</SPA>\n}
        . qq{        <SSL>on</SSL>\n}
        . qq{        <AuthRequired>on</AuthRequired>\n}
        . qq{      </Protocol>\n}
        . qq{    </Account>\n}
        . qq{  </Response>\n}
        . qq{</Autodiscover>\n};
}

# a whole chunked POST request of body, in chunks of at most $size bytes
sub chunked {
    my ($uri, $body, $size) = @_;

    my $req = "POST $uri HTTP/1.1\r\n"
        . "Host: localhost\r\n"
        . "Content-Type: text/xml; charset=utf-8\r\n"
        . "Transfer-Encoding: chunked\r\n"
        . "Connection: close\r\n\r\n";

    while (length $body) {
        my $chunk = substr $body, 0, $size, '';
        $req .= sprintf("%x\r\n%s\r\n", length $chunk, $chunk);
    }

    return $req . "0\r\n\r\n";
}

our $LOCATION = <<'_EOC_';
location = /autodiscover/autodiscover.xml {
    autodiscover;
}
_EOC_

our $SERVICE = <<'_EOC_';
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
_EOC_

# defaults(section => value, ...): what a block gets for each section it
# does not have itself; "config" defaults to the exact-match location
sub defaults {
    my (%value) = (config => $LOCATION, @_);

    main::add_block_preprocessor(sub {
        my $block = shift;

        for my $section (sort keys %value) {
            next if defined $block->$section;
            next if $section eq 'request' && !defined $block->must_die;
            $block->set_value($section, $value{$section});
        }
    });
}

# dnsmasq(port, dir, option, ...): a dnsmasq on 127.0.0.1:port serving
# only what the options say (Debian's dnsmasq-base), its pid file in dir;
# it is stopped when the test file ends
my @dnsmasq_pids;

sub dnsmasq {
    my ($port, $dir, @options) = @_;

    my $bin = -x '/usr/sbin/dnsmasq' ? '/usr/sbin/dnsmasq' : 'dnsmasq';

    system($bin, "--port=$port", '--listen-address=127.0.0.1',
           '--bind-interfaces', '--no-resolv', '--no-hosts',
           '--conf-file=/dev/null', "--pid-file=$dir/dnsmasq.pid",
           @options) == 0
        or die "dnsmasq did not start (Debian package dnsmasq-base)\n";

    # its pid now: the directory may be gone by the time END runs
    for (1 .. 100) {
        if (open my $fh, '<', "$dir/dnsmasq.pid") {
            my $pid = <$fh>;

            if ($pid && $pid =~ /^(\d+)$/) {
                push @dnsmasq_pids, $1;
                return;
            }
        }

        select(undef, undef, undef, 0.01);
    }

    die "dnsmasq wrote no pid file in $dir\n";
}

END {
    kill 'TERM', @dnsmasq_pids if @dnsmasq_pids;
}

1;
