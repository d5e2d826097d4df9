# Apple profiles as a reader of property lists sees them: Python's
# plistlib parses each one (mail only, the whole account with CalDAV and
# CardDAV, the same with ActiveSync, and a signed one after
# `openssl cms -verify`), and a check written from Apple's documented
# payload keys (apple/device-management, mdm/profiles/*.yaml) finds every
# key it requires present with its type (an <integer> port, not a
# <real>; a <true/> or <false/>, not an integer), no key it does not
# know, the values of its enumerations, and identifiers and UUIDs that
# are unique, each UUID the version 5 UUID of its identifier.
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

my $python = -x '/usr/bin/python3' ? '/usr/bin/python3' : 'python3';

sub have {
    my ($cmd) = @_;
    return system("$cmd >/dev/null 2>&1") == 0;
}

my @missing;
push @missing, 'python3' unless have("$python -c 'import plistlib'");
push @missing, 'openssl' unless have('openssl version');
push @missing, 'curl' unless have('curl --version');

plan skip_all => "missing Debian packages: @missing"
    . ' (util/deps.sh test installs them)' if @missing;

my $probe = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                  LocalPort => 0, ReuseAddr => 1)
    or die "cannot listen: $!\n";
my $port = $probe->sockport;
close $probe;

my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/conf";
mkdir "$dir/logs";

sub write_file {
    my ($name, $text) = @_;
    open my $fh, '>', $name or die "$name: $!\n";
    print $fh $text;
    close $fh;
}

sub read_file {
    my ($name) = @_;
    open my $fh, '<', $name or return '';
    local $/;
    return <$fh>;
}

sub openssl {
    system("openssl @_ >/dev/null 2>&1") == 0
        or BAIL_OUT("openssl @_ failed");
}

# a CA, the signing certificate it issued, and another CA
openssl("req -x509 -newkey rsa:2048 -nodes -keyout $dir/ca.key"
        . " -out $dir/ca.pem -days 2 -subj /CN=Test-CA");
openssl("req -newkey rsa:2048 -nodes -keyout $dir/conf/sign.key"
        . " -out $dir/sign.csr -subj /CN=profiles.example.com");
openssl("x509 -req -in $dir/sign.csr -CA $dir/ca.pem -CAkey $dir/ca.key"
        . " -CAcreateserial -out $dir/conf/sign.pem -days 2");
openssl("req -x509 -newkey rsa:2048 -nodes -keyout $dir/other.key"
        . " -out $dir/other.pem -days 2 -subj /CN=Other-CA");

my $user = $> == 0 ? 'user root;' : '';

write_file("$dir/conf/nginx.conf", <<"_EOC_");
load_module $module;
$user
worker_processes 1;
error_log logs/error.log info;
pid logs/nginx.pid;

events {
    worker_connections 64;
}

http {
    access_log off;

    server {
        listen 127.0.0.1:$port;

        autodiscover_domains example.com;
        autodiscover_protocol IMAP server=mail.example.com
                              login=\$autodiscover_email;
        autodiscover_protocol SMTP server=mail.example.com port=587
                              tls=starttls login=\$autodiscover_email;
        autodiscover_protocol CalDAV url=https://dav.example.com/dav/cal/
                              login=\$autodiscover_email;
        autodiscover_protocol CardDAV
                              url=https://dav.example.com:8443/dav/card/
                              login=\$autodiscover_email;
        autodiscover_activesync_url
            https://eas.example.com/Microsoft-Server-ActiveSync;

        location = /mail {
            autodiscover_profile_payloads mail;
            autodiscover_mobileconfig;
        }

        location = /whole {
            autodiscover_mobileconfig;
        }

        location = /activesync {
            autodiscover_profile_payloads mail activesync caldav carddav;
            autodiscover_mobileconfig;
        }

        location = /signed {
            autodiscover_sign sign.pem sign.key;
            autodiscover_mobileconfig;
        }
    }
}
_EOC_

my @nginx = ($nginx, '-p', $dir, '-c', 'conf/nginx.conf');

system(@nginx) == 0 or BAIL_OUT('nginx did not start');

END {
    system("@nginx -s quit 2>/dev/null")
        if defined $dir && -e "$dir/logs/nginx.pid";
}

for (1 .. 100) {
    last if IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                  PeerPort => $port);
    select undef, undef, undef, 0.1;
}

# the checker: every dictionary of the profile as "Key type value" lines
# in the order of Python's sorted(),
# then what the rules found wrong, if anything
write_file("$dir/check.py", <<'_EOP_');
import plistlib
import sys
import uuid

# per payload type: key -> (type, required); the keys and types are
# Apple's, "required" is Apple's or, marked, what this module must write
COMMON = {
    "PayloadType": (str, True),
    "PayloadVersion": (int, True),
    "PayloadIdentifier": (str, True),
    "PayloadUUID": (str, True),
    "PayloadDisplayName": (str, True),      # the module's
    "PayloadDescription": (str, False),
    "PayloadOrganization": (str, False),
}

DAV = {
    "AccountDescription": (str, False),
    "HostName": (str, True),
    "Username": (str, False),
    "PrincipalURL": (str, False),
    "UseSSL": (bool, True),                 # the module's
    "Port": (int, True),                    # the module's
}

KEYS = {
    "Configuration": {
        "PayloadContent": (list, True),
        "PayloadRemovalDisallowed": (bool, False),
    },
    "com.apple.mail.managed": {
        "EmailAccountDescription": (str, False),
        "EmailAccountName": (str, False),
        "EmailAccountType": (str, True),
        "EmailAddress": (str, False),
        "IncomingMailServerAuthentication": (str, True),
        "IncomingMailServerHostName": (str, True),
        "IncomingMailServerPortNumber": (int, False),
        "IncomingMailServerUseSSL": (bool, False),
        "IncomingMailServerUsername": (str, False),
        "IncomingMailServerIMAPPathPrefix": (str, False),
        "OutgoingMailServerAuthentication": (str, True),
        "OutgoingMailServerHostName": (str, True),
        "OutgoingMailServerPortNumber": (int, False),
        "OutgoingMailServerUseSSL": (bool, False),
        "OutgoingMailServerUsername": (str, False),
        "OutgoingPasswordSameAsIncomingPassword": (bool, False),
    },
    "com.apple.caldav.account":
        {"CalDAV" + k: v for k, v in DAV.items()},
    "com.apple.carddav.account":
        {"CardDAV" + k: v for k, v in DAV.items()},
    "com.apple.eas.account": {
        "EmailAddress": (str, False),
        "Host": (str, True),                # the module's
        "SSL": (bool, True),                # the module's
        "OAuth": (bool, False),
        "UserName": (str, False),
        "MailNumberOfPastDaysToSync": (int, False),
    },
}

AUTH = {"EmailAuthNone", "EmailAuthPassword", "EmailAuthCRAMMD5",
        "EmailAuthNTLM", "EmailAuthHTTPMD5"}

VALUES = {
    "EmailAccountType": {"EmailTypeIMAP", "EmailTypePOP"},
    "IncomingMailServerAuthentication": AUTH,
    "OutgoingMailServerAuthentication": AUTH,
    "MailNumberOfPastDaysToSync": {0, 1, 3, 7, 14, 31},
}

NAMES = {str: "string", int: "integer", bool: "bool", float: "real",
         list: "array", dict: "dict", bytes: "data"}

errors = []
seen = set()


def check(d, where, top):
    kind = d.get("PayloadType")
    if kind not in KEYS:
        errors.append("%s: unknown PayloadType %r" % (where, kind))
        return
    if (kind == "Configuration") != top:
        errors.append("%s: %s payload in the wrong place" % (where, kind))
    rules = dict(COMMON, **KEYS[kind])
    for key, (want, required) in sorted(rules.items()):
        if key not in d:
            if required:
                errors.append("%s: %s missing" % (where, key))
            continue
        if type(d[key]) is not want:
            errors.append("%s: %s is %s, not %s" % (
                where, key, NAMES[type(d[key])], NAMES[want]))
        if key in VALUES and d[key] not in VALUES[key]:
            errors.append("%s: %s %r" % (where, key, d[key]))
    for key in sorted(set(d) - set(rules)):
        errors.append("%s: unknown key %s" % (where, key))
    ident = d.get("PayloadIdentifier", "")
    if ident in seen or d.get("PayloadUUID") in seen:
        errors.append("%s: identifier or UUID not unique" % where)
    seen.update((ident, d.get("PayloadUUID")))
    if d.get("PayloadUUID") != str(uuid.uuid5(uuid.NAMESPACE_DNS,
                                              ident)).upper():
        errors.append("%s: UUID is not uuid5 of %s" % (where, ident))
    if d.get("PayloadVersion") != 1:
        errors.append("%s: PayloadVersion is not 1" % where)


def dump(d, indent):
    for key in sorted(d):
        if key == "PayloadContent":
            continue
        value = d[key]
        shown = str(value).lower() if type(value) is bool else value
        print("%s%s %s %s" % (indent, key, NAMES[type(value)], shown))


with open(sys.argv[1], "rb") as f:
    profile = plistlib.load(f)

check(profile, "profile", True)
dump(profile, "")
top = profile["PayloadIdentifier"]
for i, payload in enumerate(profile.get("PayloadContent", [])):
    where = "payload %d" % i
    if type(payload) is not dict:
        errors.append("%s is not a dict" % where)
        continue
    check(payload, where, False)
    if not payload.get("PayloadIdentifier", "").startswith(top + "."):
        errors.append("%s: identifier not under %s" % (where, top))
    print("%s:" % where)
    dump(payload, "  ")

for e in errors:
    print("error:", e)
_EOP_

# the answer's status and type, its body in $dir/answer
sub fetch {
    my ($path) = @_;
    unlink "$dir/answer";
    return `curl -s -o $dir/answer -w '%{http_code} %{content_type}' 'http://127.0.0.1:$port$path'`;
}

sub plist {
    my ($file) = @_;
    return `$python $dir/check.py $file 2>&1`;
}

# the expected lines of each dictionary, from what the configuration says

my $top = "PayloadDescription string example.com\n"
    . "PayloadDisplayName string example.com\n"
    . "PayloadIdentifier string com.example.mail.alice\n"
    . "PayloadRemovalDisallowed bool false\n"
    . "PayloadType string Configuration\n"
    . "PayloadUUID string C688AC5F-F308-5719-9F82-0DA41C1AE113\n"
    . "PayloadVersion integer 1\n";

sub payload_keys {
    my ($id, $type, $uuid) = @_;
    return "  PayloadDescription string example.com\n"
        . "  PayloadDisplayName string example.com\n"
        . "  PayloadIdentifier string $id\n"
        . "  PayloadType string $type\n"
        . "  PayloadUUID string $uuid\n"
        . "  PayloadVersion integer 1\n";
}

sub mail {
    my ($n, $name) = @_;
    return "payload $n:\n"
        . "  EmailAccountDescription string example.com\n"
        . ($name ? "  EmailAccountName string $name\n" : '')
        . "  EmailAccountType string EmailTypeIMAP\n"
        . "  EmailAddress string alice\@example.com\n"
        . "  IncomingMailServerAuthentication string EmailAuthPassword\n"
        . "  IncomingMailServerHostName string mail.example.com\n"
        . "  IncomingMailServerPortNumber integer 993\n"
        . "  IncomingMailServerUseSSL bool true\n"
        . "  IncomingMailServerUsername string alice\@example.com\n"
        . "  OutgoingMailServerAuthentication string EmailAuthPassword\n"
        . "  OutgoingMailServerHostName string mail.example.com\n"
        . "  OutgoingMailServerPortNumber integer 587\n"
        . "  OutgoingMailServerUseSSL bool true\n"
        . "  OutgoingMailServerUsername string alice\@example.com\n"
        . "  OutgoingPasswordSameAsIncomingPassword bool true\n"
        . payload_keys('com.example.mail.alice.imap', 'com.apple.mail.managed',
                       '898CC7DF-1A70-5170-BA95-A160ABA7D855');
}

sub dav {
    my ($n, $prefix, $port, $url, $id, $type, $uuid) = @_;
    return "payload $n:\n"
        . "  ${prefix}AccountDescription string example.com\n"
        . "  ${prefix}HostName string dav.example.com\n"
        . "  ${prefix}Port integer $port\n"
        . "  ${prefix}PrincipalURL string $url\n"
        . "  ${prefix}UseSSL bool true\n"
        . "  ${prefix}Username string alice\@example.com\n"
        . payload_keys($id, $type, $uuid);
}

sub caldav {
    dav($_[0], 'CalDAV', 443, 'https://dav.example.com/dav/cal/',
        'com.example.mail.alice.caldav', 'com.apple.caldav.account',
        '6ED5AFC8-673F-58F0-BCC4-6D70422C9C3D');
}

sub carddav {
    dav($_[0], 'CardDAV', 8443, 'https://dav.example.com:8443/dav/card/',
        'com.example.mail.alice.carddav', 'com.apple.carddav.account',
        'D7D77731-D813-5085-9CF8-9ADE72D6834A');
}

my $eas = "payload 1:\n"
    . "  EmailAddress string alice\@example.com\n"
    . "  Host string eas.example.com\n"
    . payload_keys('com.example.mail.alice.eas', 'com.apple.eas.account',
                   '96006DB6-068D-549D-BE91-9271DC907794')
    . "  SSL bool true\n"
    . "  UserName string alice\@example.com\n";

my $type = '200 application/x-apple-aspen-config';
my $query = '?emailaddress=alice@example.com&name=Alice%20Smith';

is(fetch("/mail$query"), $type, 'mail only: 200, a profile');
is(plist("$dir/answer"), $top . mail(0, 'Alice Smith'),
   'mail only: plistlib reads the mail payload, every required key with its type');

is(fetch("/whole$query"), $type, 'whole account: 200, a profile');
is(plist("$dir/answer"),
   $top . mail(0, 'Alice Smith') . caldav(1) . carddav(2),
   'whole account: mail, CalDAV and CardDAV payloads, every required key with its type');

is(fetch("/activesync$query"), $type, 'with ActiveSync: 200, a profile');
is(plist("$dir/answer"),
   $top . mail(0, 'Alice Smith') . $eas . caldav(2) . carddav(3),
   'with ActiveSync: mail, EAS, CalDAV and CardDAV payloads, every required key with its type');

# the checker is no rubber stamp: the same profile with the mistakes
# peers make (a <real> port, as mailcow writes CalDAVPort), a key left
# out, a boolean written as an integer and a misspelt key is refused
fetch("/whole$query");
my $bad = read_file("$dir/answer");
$bad =~ s{(<key>CalDAVPort</key>\s*)<integer>443</integer>}{$1<real>443</real>};
$bad =~ s{<key>CardDAVHostName</key>\s*<string>[^<]*</string>\s*}{};
$bad =~ s{(<key>CardDAVUseSSL</key>\s*)<true/>}{$1<integer>1</integer>};
$bad =~ s{<key>EmailAccountName</key>}{<key>EmailAccountname</key>};
write_file("$dir/bad.plist", $bad);

is(join('', grep { /^error:/ } split /^/, plist("$dir/bad.plist")),
   "error: payload 0: unknown key EmailAccountname\n"
   . "error: payload 1: CalDAVPort is real, not integer\n"
   . "error: payload 2: CardDAVHostName missing\n"
   . "error: payload 2: CardDAVUseSSL is integer, not bool\n",
   'the checker refuses a real port, a missing host, an integer boolean, an unknown key');

# signed: verified against the CA that issued the certificate, not
# against another one, and the profile inside read the same way
is(fetch('/signed?emailaddress=alice@example.com'), $type,
   'signed: 200, a profile');
unlike(read_file("$dir/answer"), qr/\A<\?xml/, 'signed: not the plain XML');

is(system("openssl cms -verify -inform DER -in $dir/answer"
          . " -CAfile $dir/other.pem -out $dir/other.plist >/dev/null 2>&1")
   == 0 ? 'verified' : 'refused', 'refused',
   'signed: refused by openssl cms -verify against another CA');

is(system("openssl cms -verify -inform DER -in $dir/answer"
          . " -CAfile $dir/ca.pem -out $dir/signed.plist >/dev/null 2>&1")
   == 0 ? 'verified' : 'refused', 'verified',
   'signed: verified by openssl cms -verify against the test CA');

is(plist("$dir/signed.plist"),
   $top . mail(0) . caldav(1) . carddav(2),
   'signed: plistlib reads the verified content, every required key with its type');

done_testing();
