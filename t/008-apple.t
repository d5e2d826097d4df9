# Apple configuration profiles: the plist byte for byte, stable UUIDs
# unique per address, CMS signing (RSA and EC) verified with openssl
# against a CA made here, with no signing time and nothing kept from one
# request to the next, and bad input.

use lib 't/inc';
use AD;
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Test::Nginx::Socket 'no_plan';

repeat_each(2);
no_long_string();
no_shuffle();

# a CA, a signing certificate it issued, and a key that matches neither

our $PKI = tempdir(CLEANUP => 1);

sub openssl {
    system("openssl @_ >/dev/null 2>&1") == 0
        or die "openssl @_ failed\n";
}

openssl("req -x509 -newkey rsa:2048 -nodes -keyout $PKI/ca.key"
        . " -out $PKI/ca.pem -days 2 -subj /CN=Test-CA");
openssl("req -newkey rsa:2048 -nodes -keyout $PKI/sign.key"
        . " -out $PKI/sign.csr -subj /CN=profiles.example.com");
openssl("x509 -req -in $PKI/sign.csr -CA $PKI/ca.pem -CAkey $PKI/ca.key"
        . " -CAcreateserial -out $PKI/sign.pem -days 2");
openssl("req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"
        . " -keyout $PKI/ec.key -out $PKI/ec.csr -subj /CN=profiles.example.com");
openssl("x509 -req -in $PKI/ec.csr -CA $PKI/ca.pem -CAkey $PKI/ca.key"
        . " -CAcreateserial -out $PKI/ec.pem -days 2");
openssl("genpkey -algorithm ed25519 -out $PKI/ed.key");
openssl("req -new -key $PKI/ed.key -out $PKI/ed.csr -subj /CN=profiles.example.com");
openssl("x509 -req -in $PKI/ed.csr -CA $PKI/ca.pem -CAkey $PKI/ca.key"
        . " -CAcreateserial -out $PKI/ed.pem -days 2");
openssl("genrsa -out $PKI/other.key 2048");
openssl("rsa -in $PKI/sign.key -aes128 -passout pass:secret"
        . " -out $PKI/encrypted.key");

# the signed attributes a signed answer must have: no signing time
our $ATTRS = 'contentType messageDigest S/MIME Capabilities';

# the profile a signed answer must carry, checked with openssl cms, and
# its signed attributes
sub verified {
    my ($der) = @_;

    open my $fh, '>', "$PKI/answer.der" or die $!;
    binmode $fh;
    print $fh $der;
    close $fh;

    unlink "$PKI/answer.plist";

    my $rc = system("openssl cms -verify -inform DER -in $PKI/answer.der"
                    . " -CAfile $PKI/ca.pem -out $PKI/answer.plist"
                    . " >/dev/null 2>&1");

    return "signature not verified\n" if $rc != 0;

    my $dump = `openssl cms -cmsout -print -inform DER -in $PKI/answer.der`;
    my ($signed) = $dump =~ /^ *signedAttrs:\n(.*?)^ *signatureAlgorithm:/ms;
    my $attrs = join ' ', ($signed // '') =~ /^ *object: (.+?) \(/mg;

    return "signed attributes: $attrs\n" if $attrs ne $ATTRS;

    open $fh, '<', "$PKI/answer.plist" or die $!;
    local $/;
    return <$fh>;
}

# the answer to the request before the block's own (see prime())
our $PRIMED;

# the bytes of an answer, compared with the answer to prime()'s request,
# then the profile inside
sub again {
    my ($der) = @_;

    return ($der eq $PRIMED ? "the first answer's bytes\n"
                            : "other bytes than the first answer's\n")
        . verified($der);
}

# one request before the block's own, for the same profile
sub prime {
    my ($uri) = @_;

    # under valgrind nginx may take seconds to listen after it started
    my $s;
    for (1 .. 300) {
        $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                   PeerPort => server_port())
            and last;
        select undef, undef, undef, 0.1;
    }

    die "cannot connect: $!\n" unless $s;

    print $s "GET $uri HTTP/1.0\r\nHost: localhost\r\n\r\n";
    local $/;
    my $answer = <$s>;

    die "no answer to $uri\n" unless $answer =~ m{^HTTP/1\.\d 200 };

    ($PRIMED = $answer) =~ s/\A.*?\r\n\r\n//s;
}

AD::defaults(http_config => <<'_EOC_', config => <<'_EOC_');
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=starttls;
_EOC_
location = /profile {
    autodiscover_mobileconfig;
}
_EOC_

# the whole profile, for an IMAP or POP account
sub profile {
    my (%p) = @_;

    my $acct = $p{type} eq 'IMAP' ? 'imap' : 'pop';

    return qq{<?xml version="1.0" encoding="UTF-8"?>\n}
        . qq{<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n}
        . qq{<plist version="1.0">\n<dict>\n}
        . qq{  <key>PayloadContent</key>\n  <array>\n    <dict>\n}
        . qq{      <key>EmailAccountDescription</key>\n      <string>$p{description}</string>\n}
        . ($p{name} ? qq{      <key>EmailAccountName</key>\n      <string>$p{name}</string>\n} : '')
        . qq{      <key>EmailAccountType</key>\n      <string>EmailType$p{type}</string>\n}
        . qq{      <key>EmailAddress</key>\n      <string>$p{email}</string>\n}
        . qq{      <key>IncomingMailServerAuthentication</key>\n      <string>$p{in_auth}</string>\n}
        . qq{      <key>IncomingMailServerHostName</key>\n      <string>$p{in_host}</string>\n}
        . qq{      <key>IncomingMailServerPortNumber</key>\n      <integer>$p{in_port}</integer>\n}
        . qq{      <key>IncomingMailServerUseSSL</key>\n      <$p{in_ssl}/>\n}
        . qq{      <key>IncomingMailServerUsername</key>\n      <string>$p{in_user}</string>\n}
        . qq{      <key>OutgoingMailServerAuthentication</key>\n      <string>$p{out_auth}</string>\n}
        . qq{      <key>OutgoingMailServerHostName</key>\n      <string>$p{out_host}</string>\n}
        . qq{      <key>OutgoingMailServerPortNumber</key>\n      <integer>$p{out_port}</integer>\n}
        . qq{      <key>OutgoingMailServerUseSSL</key>\n      <$p{out_ssl}/>\n}
        . qq{      <key>OutgoingMailServerUsername</key>\n      <string>$p{out_user}</string>\n}
        . qq{      <key>OutgoingPasswordSameAsIncomingPassword</key>\n      <true/>\n}
        . qq{      <key>PayloadDescription</key>\n      <string>$p{description}</string>\n}
        . qq{      <key>PayloadDisplayName</key>\n      <string>$p{display}</string>\n}
        . qq{      <key>PayloadIdentifier</key>\n      <string>$p{id}.$acct</string>\n}
        . qq{      <key>PayloadType</key>\n      <string>com.apple.mail.managed</string>\n}
        . qq{      <key>PayloadUUID</key>\n      <string>$p{uuid2}</string>\n}
        . qq{      <key>PayloadVersion</key>\n      <integer>1</integer>\n}
        . qq{    </dict>\n  </array>\n}
        . qq{  <key>PayloadDescription</key>\n  <string>$p{description}</string>\n}
        . qq{  <key>PayloadDisplayName</key>\n  <string>$p{display}</string>\n}
        . qq{  <key>PayloadIdentifier</key>\n  <string>$p{id}</string>\n}
        . ($p{org} ? qq{  <key>PayloadOrganization</key>\n  <string>$p{org}</string>\n} : '')
        . qq{  <key>PayloadRemovalDisallowed</key>\n  <false/>\n}
        . qq{  <key>PayloadType</key>\n  <string>Configuration</string>\n}
        . qq{  <key>PayloadUUID</key>\n  <string>$p{uuid1}</string>\n}
        . qq{  <key>PayloadVersion</key>\n  <integer>1</integer>\n}
        . qq{</dict>\n</plist>\n};
}

# alice@example.com with the default service; the UUIDs are RFC 4122
# version 5 of the identifiers in the DNS namespace, as python3 gives
# them: str(uuid.uuid5(uuid.NAMESPACE_DNS, 'com.example.mail.alice')).upper()
our %ALICE = (
    type => 'IMAP', email => 'alice@example.com',
    description => 'example.com', display => 'example.com',
    in_auth => 'EmailAuthPassword', in_host => 'imap.example.com',
    in_port => 993, in_ssl => 'true', in_user => 'alice@example.com',
    out_auth => 'EmailAuthPassword', out_host => 'smtp.example.com',
    out_port => 587, out_ssl => 'true', out_user => 'alice@example.com',
    id => 'com.example.mail.alice',
    uuid1 => 'C688AC5F-F308-5719-9F82-0DA41C1AE113',
    uuid2 => '898CC7DF-1A70-5170-BA95-A160ABA7D855',
);

run_tests();

__DATA__

=== TEST 1: an unsigned profile, byte for byte
--- request
GET /profile?emailaddress=alice%40example.com
--- response_headers
Content-Type: application/x-apple-aspen-config
Content-Disposition: attachment; filename="example.com.mobileconfig"
--- response_body eval
main::profile(%main::ALICE)



=== TEST 2: name, organization, descriptions; the UUIDs do not depend on them
--- http_config
autodiscover_domains example.com;
autodiscover_provider_name "Example Mail";
autodiscover_profile_name "Example Mail account";
autodiscover_profile_organization "Example & Co";
autodiscover_profile_description "Mail for <Example> users";
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=starttls;
--- request
GET /profile?emailaddress=alice@example.com&name=Alice%20%22Al%22%20O'Neil%20%3C%3E
--- response_body eval
main::profile(%main::ALICE, name => 'Alice &quot;Al&quot; O&apos;Neil &lt;&gt;',
              description => 'Mail for &lt;Example&gt; users',
              display => 'Example Mail account', org => 'Example &amp; Co')



=== TEST 3: POP3 first, plain-text SMTP with no authentication, user names
--- http_config
autodiscover_domains example.com;
autodiscover_protocol POP3 server=pop.example.com login=$autodiscover_user
                      auth=password-encrypted;
autodiscover_protocol IMAP server=imap.example.com;
autodiscover_protocol SMTP server=relay.example.com tls=none auth=none;
--- request
GET /profile?emailaddress=bob@example.com
--- response_body eval
main::profile(%main::ALICE, type => 'POP', email => 'bob@example.com',
              in_auth => 'EmailAuthCRAMMD5', in_host => 'pop.example.com',
              in_port => 995, in_user => 'bob',
              out_auth => 'EmailAuthNone', out_host => 'relay.example.com',
              out_port => 25, out_ssl => 'false', out_user => 'bob@example.com',
              id => 'com.example.mail.bob',
              uuid1 => 'BBBE1CAB-6F5B-5672-BC85-57F3168120FF',
              uuid2 => '3173AC10-7EDA-5312-928C-D47824E1467E')



=== TEST 4: a signed profile: CMS with the profile inside, verified against the CA
--- config eval
"location = /profile {
    autodiscover_mobileconfig;
    autodiscover_sign $main::PKI/sign.pem $main::PKI/sign.key $main::PKI/ca.pem;
}"
--- request
GET /profile?emailaddress=alice@example.com
--- response_headers
Content-Type: application/x-apple-aspen-config
Content-Disposition: attachment; filename="example.com.mobileconfig"
--- response_body_filters eval
\&main::verified
--- response_body eval
main::profile(%main::ALICE)



=== TEST 5: a profile asked for again is signed again, with nothing of the first request: the same bytes (RSA signatures are deterministic)
--- config eval
"location = /profile {
    autodiscover_mobileconfig;
    autodiscover_sign $main::PKI/sign.pem $main::PKI/sign.key cache=16;
}"
--- init
main::prime('/profile?emailaddress=alice@example.com');
--- request
GET /profile?emailaddress=alice@example.com
--- response_body_filters eval
\&main::again
--- response_body eval
"the first answer's bytes\n" . main::profile(%main::ALICE)
--- no_error_log
[alert]
[error]



=== TEST 6: no emailaddress: 400
--- request
GET /profile?name=Alice
--- error_code: 400
--- response_body_like: 400 Bad Request



=== TEST 7: hostile or overlong addresses and names: 400, nothing reflected
--- request eval
["GET /profile?emailaddress=%3Cb%3E\@example.com",
 "GET /profile?emailaddress=a\@b\@example.com",
 "GET /profile?emailaddress=alice\@example.com&name=a%0Db",
 "GET /profile?emailaddress=alice\@example.com&name=a%FFb",
 "GET /profile?emailaddress=alice\@example.com&name=" . ('n' x 257)]
--- error_code eval
[(400) x 5]
--- response_body_like eval
[(qr/400 Bad Request/) x 5]



=== TEST 8: a domain not served: 404
--- request
GET /profile?emailaddress=alice@example.org
--- error_code: 404
--- response_body_like: 404 Not Found



=== TEST 9: no SMTP: no profile, 404
--- http_config
autodiscover_domains example.com;
autodiscover_protocol IMAP server=imap.example.com;
--- request
GET /profile?emailaddress=alice@example.com
--- error_code: 404
--- response_body_like: 404 Not Found
--- error_log
autodiscover: no incoming and outgoing settings (or a redirect) for domain "example.com"



=== TEST 10: nginx -t: a key that does not match the certificate
--- config eval
"location = /profile {
    autodiscover_mobileconfig;
    autodiscover_sign $main::PKI/sign.pem $main::PKI/other.key;
}"
--- must_die
--- request
GET /
--- error_log eval
qr/the key "\S+other\.key" does not match the certificate "\S+sign\.pem"/



=== TEST 11: nginx -t: a certificate file that is not there
--- config eval
"location = /profile {
    autodiscover_mobileconfig;
    autodiscover_sign $main::PKI/missing.pem $main::PKI/sign.key;
}"
--- must_die
--- request
GET /
--- error_log eval
qr/cannot read PEM data from "\S+missing\.pem" for "autodiscover_sign"/



=== TEST 12: nginx -t: a key file that holds no key
--- config eval
"location = /profile {
    autodiscover_mobileconfig;
    autodiscover_sign $main::PKI/sign.pem $main::PKI/ca.pem;
}"
--- must_die
--- request
GET /
--- error_log eval
qr/cannot read an unencrypted private key from "\S+ca\.pem" for "autodiscover_sign"/



=== TEST 13: nginx -t: a bad cache size
--- config eval
"location = /profile {
    autodiscover_mobileconfig;
    autodiscover_sign $main::PKI/sign.pem $main::PKI/sign.key cache=lots;
}"
--- must_die
--- request
GET /
--- error_log
invalid cache size "cache=lots", it must be a number from 0 to 1000000



=== TEST 14: "+" in a form's name is a space; the address's case does not change the profile's identity
--- request
GET /profile?emailaddress=Alice%40example.com&name=Alice+Smith
--- response_body eval
main::profile(%main::ALICE, email => 'Alice@example.com',
              in_user => 'Alice@example.com', out_user => 'Alice@example.com',
              name => 'Alice Smith')



=== TEST 15: cache= may come first
--- config eval
"location = /profile {
    autodiscover_mobileconfig;
    autodiscover_sign cache=8 $main::PKI/sign.pem $main::PKI/sign.key;
}"
--- request
GET /profile?emailaddress=alice@example.com
--- response_body_filters eval
\&main::verified
--- response_body eval
main::profile(%main::ALICE)



=== TEST 16: nginx -t: an encrypted key is refused, without a prompt
--- config eval
"location = /profile {
    autodiscover_mobileconfig;
    autodiscover_sign $main::PKI/sign.pem $main::PKI/encrypted.key;
}"
--- must_die
--- request
GET /
--- error_log eval
qr/cannot read an unencrypted private key from "\S+encrypted\.key" for "autodiscover_sign"/



=== TEST 17: mail.bob@example.com and bob@mail.example.com: two profiles, two identities
--- http_config
autodiscover_domains example.com mail.example.com;
autodiscover_protocol IMAP server=imap.example.com login=$autodiscover_email;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=starttls;
--- request eval
["GET /profile?emailaddress=mail.bob\@example.com",
 "GET /profile?emailaddress=bob\@mail.example.com",
 "GET /profile?emailaddress=Mail.BOB\@Example.COM"]
--- response_headers eval
["Content-Disposition: attachment; filename=\"example.com.mobileconfig\"",
 "Content-Disposition: attachment; filename=\"mail.example.com.mobileconfig\"",
 "Content-Disposition: attachment; filename=\"example.com.mobileconfig\""]
--- response_body eval
[main::profile(%main::ALICE, email => 'mail.bob@example.com',
               in_user => 'mail.bob@example.com',
               out_user => 'mail.bob@example.com',
               id => 'com.example.mail.mail-2Ebob',
               uuid1 => 'E0BB47DD-F38B-54AD-B007-EFDB8A3E1E96',
               uuid2 => '0E6A47B2-C5BA-5A4B-A91E-079D96DD9D0C'),
 main::profile(%main::ALICE, email => 'bob@mail.example.com',
               in_user => 'bob@mail.example.com',
               out_user => 'bob@mail.example.com',
               description => 'mail.example.com',
               display => 'mail.example.com',
               id => 'com.example.mail.mail.bob',
               uuid1 => '6DE121D2-3753-529A-9AD6-CE8BB6A239F3',
               uuid2 => '7E7DAB96-B23E-51DC-A0AB-48EF07308615'),
 main::profile(%main::ALICE, email => 'Mail.BOB@example.com',
               in_user => 'Mail.BOB@example.com',
               out_user => 'Mail.BOB@example.com',
               id => 'com.example.mail.mail-2Ebob',
               uuid1 => 'E0BB47DD-F38B-54AD-B007-EFDB8A3E1E96',
               uuid2 => '0E6A47B2-C5BA-5A4B-A91E-079D96DD9D0C')]



=== TEST 18: every byte but a letter or digit of a local part is "-" and its hex code: the identifier stays reverse-DNS
--- http_config
autodiscover_domains example.com;
autodiscover_protocol POP3 server=pop.example.com;
autodiscover_protocol SMTP server=smtp.example.com port=587 tls=starttls;
--- request eval
["GET /profile?emailaddress=O%27Brien-x%2Btag\@Example.com",
 "GET /profile?emailaddress=o%27brien-x%2Btag\@example.com"]
--- response_body eval
[main::profile(%main::ALICE, type => 'POP', email => "O&apos;Brien-x+tag\@example.com",
               in_host => 'pop.example.com', in_port => 995,
               in_user => "O&apos;Brien-x+tag\@example.com",
               out_user => "O&apos;Brien-x+tag\@example.com",
               id => 'com.example.mail.o-27brien-2Dx-2Btag',
               uuid1 => 'F82D7969-BC21-59F0-9AE2-8ED0DC81EE28',
               uuid2 => 'E21C6A90-F97A-58DD-9877-3A46FD6F7635'),
 main::profile(%main::ALICE, type => 'POP', email => "o&apos;brien-x+tag\@example.com",
               in_host => 'pop.example.com', in_port => 995,
               in_user => "o&apos;brien-x+tag\@example.com",
               out_user => "o&apos;brien-x+tag\@example.com",
               id => 'com.example.mail.o-27brien-2Dx-2Btag',
               uuid1 => 'F82D7969-BC21-59F0-9AE2-8ED0DC81EE28',
               uuid2 => 'E21C6A90-F97A-58DD-9877-3A46FD6F7635')]



=== TEST 19: an EC P-256 key: verified, no signing time, a new signature each time
--- config eval
"location = /profile {
    autodiscover_mobileconfig;
    autodiscover_sign $main::PKI/ec.pem $main::PKI/ec.key $main::PKI/ca.pem;
}"
--- init
main::prime('/profile?emailaddress=alice@example.com');
--- request
GET /profile?emailaddress=alice@example.com
--- response_body_filters eval
\&main::again
--- response_body eval
"other bytes than the first answer's\n" . main::profile(%main::ALICE)
--- no_error_log
[alert]
[error]



=== TEST 20: nginx -t: an Ed25519 key and certificate are refused
--- config eval
"location = /profile {
    autodiscover_mobileconfig;
    autodiscover_sign $main::PKI/ed.pem $main::PKI/ed.key;
}"
--- must_die
--- request
GET /
--- error_log eval
qr/the key "\S+ed\.key" is neither an RSA nor an EC key, which "autodiscover_sign" needs/
