# Real DAV clients through RFC 6764's well-known URLs: a Radicale server
# (Debian's python3-radicale, the server of its radicale package) behind
# the test nginx (TLS, proxy_pass), and Debian's python3-caldav and curl
# starting from /.well-known/caldav and /.well-known/carddav, which the
# module answers with a 301 to a URL of the same nginx; the client
# follows it, finds the user's principal and home, makes a calendar (an
# address book), and lists it.
# Plain Test::More: valid under any runner.

use strict;
use warnings;

use File::Temp qw(tempdir);
use IO::Socket::INET;
use POSIX ();
use Test::More;

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $modules = $ENV{TEST_NGINX_LOAD_MODULES}
    or plan skip_all => 'TEST_NGINX_LOAD_MODULES is not set';
my $module = (split ' ', $modules)[0];

# Debian's python, whatever python3 comes first in PATH: the Debian
# packages' modules are installed for it
my $python = '/usr/bin/python3';

sub have {
    my ($cmd) = @_;
    return system("$cmd >/dev/null 2>&1") == 0;
}

# what is missing is said, and nothing is passed without it
my @missing;
push @missing, 'python3' unless -x $python;
push @missing, 'python3-caldav'
    unless -x $python && have("$python -c 'import caldav'");
push @missing, 'python3-radicale'
    unless -x $python && have("$python -m radicale --version");
push @missing, 'openssl' unless have('openssl version');
push @missing, 'curl' unless have('curl --version');

plan skip_all => "missing Debian packages: @missing"
    . ' (util/deps.sh test installs them)' if @missing;

# free ports for nginx and radicale
sub free_port {
    my $probe = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                      LocalPort => 0, ReuseAddr => 1)
        or die "cannot listen: $!\n";
    my $port = $probe->sockport;
    close $probe;
    return $port;
}

my $port = free_port();
my $dav_port = free_port();
$dav_port = free_port() while $dav_port == $port;

my $dir = tempdir(CLEANUP => 1);
mkdir "$dir/conf";
mkdir "$dir/logs";
mkdir "$dir/dav";

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

# a self-signed certificate for the nginx's address, which the clients
# check
system("openssl req -x509 -newkey rsa:2048 -nodes -days 2"
       . " -keyout $dir/conf/dav.key -out $dir/conf/dav.pem"
       . " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1"
       . " >/dev/null 2>&1") == 0
    or BAIL_OUT('openssl could not make a certificate');

# Radicale: one user, its password in plain text, everything in $dir
write_file("$dir/dav/users", "alice:s3cret\nalice\@example.com:s3cret\n");
write_file("$dir/dav/config", <<"_EOC_");
[server]
hosts = 127.0.0.1:$dav_port

[auth]
type = htpasswd
htpasswd_filename = $dir/dav/users
htpasswd_encryption = plain

[rights]
type = owner_only

[storage]
filesystem_folder = $dir/dav/collections

[web]
type = none

[logging]
level = warning
_EOC_

my $radicale = fork();
die "fork: $!\n" unless defined $radicale;

if ($radicale == 0) {
    open STDOUT, '>', "$dir/dav/radicale.log" or die $!;
    open STDERR, '>&', \*STDOUT or die $!;
    { exec $python, '-m', 'radicale', '--config', "$dir/dav/config"; }
    print STDERR "exec radicale: $!\n";
    POSIX::_exit(127);
}

# the calendar URL and the address book URL are two locations in front of
# the one Radicale, so that the path a client ends on tells which
# redirect it followed
my $user = $> == 0 ? 'user root;' : '';
my $base = "https://127.0.0.1:$port";

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
    log_format dav '\$request_method \$request_uri \$status';
    access_log logs/access.log dav;

    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate dav.pem;
        ssl_certificate_key dav.key;

        autodiscover_domains 127.0.0.1;
        autodiscover_protocol CalDAV url=$base/cal/;
        autodiscover_protocol CardDAV url=$base/card/;

        location = /.well-known/caldav {
            autodiscover_well_known caldav;
        }

        location = /.well-known/carddav {
            autodiscover_well_known carddav;
        }

        location /cal/ {
            proxy_pass http://127.0.0.1:$dav_port/;
            proxy_set_header X-Script-Name /cal;
        }

        location /card/ {
            proxy_pass http://127.0.0.1:$dav_port/;
            proxy_set_header X-Script-Name /card;
        }
    }
}
_EOC_

my @nginx = ($nginx, '-p', $dir, '-c', 'conf/nginx.conf');

if (system(@nginx) != 0) {
    kill 'TERM', $radicale;
    BAIL_OUT('nginx did not start');
}

my @example = ($nginx, '-p', "$dir/example", '-c', 'conf/nginx.conf');

END {
    if (defined $dir) {
        system("@nginx -s quit 2>/dev/null") if -e "$dir/logs/nginx.pid";
        system("@example -s quit 2>/dev/null")
            if -e "$dir/example/logs/nginx.pid";
        if ($radicale) {
            kill 'TERM', $radicale;
            waitpid $radicale, 0;
        }
    }
}

# both listening: a few seconds at most
sub listening {
    my ($p) = @_;
    for (1 .. 100) {
        my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                      PeerPort => $p);
        return 1 if $s;
        select undef, undef, undef, 0.1;
    }
    return 0;
}

ok(listening($dav_port), 'radicale listens')
    or diag(read_file("$dir/dav/radicale.log"));
ok(listening($port), 'nginx listens');

# the lines of the access log written since the last call, once there
# are as many as expected (nginx writes a line after it sent the answer,
# so the client may be done before its last line is there)
my $seen = 0;

sub new_log {
    my ($want) = @_;
    my $new;

    for (1 .. 50) {
        $new = substr read_file("$dir/logs/access.log"), $seen;
        last if (() = $new =~ /\n/g) >= $want;
        select undef, undef, undef, 0.1;
    }

    $seen += length $new;
    return $new;
}

sub run_python {
    my ($script, @args) = @_;
    write_file("$dir/client.py", $script);
    my $out = `$python $dir/client.py @args 2>$dir/client.err`;
    diag(read_file("$dir/client.err")) if $?;
    return $out;
}

# CalDAV with python3-caldav: principal, a new calendar, the list
my $caldav = <<'_EOP_';
import sys
import warnings

warnings.simplefilter("ignore")

import caldav

url, user, password, ca = sys.argv[1:5]

client = caldav.DAVClient(url=url, username=user, password=password,
                          ssl_verify_cert=ca)
principal = client.principal()
print("principal", principal.url)
print("home", principal.calendar_home_set.url)

made = principal.make_calendar(name="Work", cal_id="work")
print("made", made.url)

made.save_event("""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//autodiscover test//EN
BEGIN:VEVENT
UID:meeting-1@example.com
DTSTAMP:20260101T090000Z
DTSTART:20260105T090000Z
DTEND:20260105T100000Z
SUMMARY:Planning
END:VEVENT
END:VCALENDAR
""")

for calendar in principal.calendars():
    print("calendar", calendar.name, calendar.url)
    for event in calendar.events():
        print("event", event.vobject_instance.vevent.summary.value)
_EOP_

is(run_python($caldav, "$base/.well-known/caldav", 'alice', 's3cret',
              "$dir/conf/dav.pem"),
   "principal $base/cal/alice/\n"
   . "home $base/cal/alice/\n"
   . "made $base/cal/alice/work/\n"
   . "calendar Work $base/cal/alice/work/\n"
   . "event Planning\n",
   'python3-caldav: from /.well-known/caldav to the principal, a calendar made and listed');

# every request the client sent, in order: the well-known URL answered
# with the 301 (asked again with the credentials after the 401 of the
# calendar URL), then only the calendar URL and what Radicale named
is(new_log(10),
   "PROPFIND /.well-known/caldav 301\n"
   . "PROPFIND /cal/ 401\n"
   . "PROPFIND /.well-known/caldav 301\n"
   . "PROPFIND /cal/ 207\n"
   . "PROPFIND /cal/alice/ 207\n"
   . "MKCALENDAR /cal/alice/work/ 201\n"
   . "PROPPATCH /cal/alice/work/ 207\n"
   . "PUT /cal/alice/work/meeting-1%40example.com.ics 201\n"
   . "PROPFIND /cal/alice/ 207\n"
   . "REPORT /cal/alice/work/ 207\n",
   'python3-caldav: the 301 followed to the calendar URL, with its credentials');

# CardDAV: python3-caldav 0.11 has no address book objects; its DAV
# client sends the CardDAV requests
my $carddav = <<'_EOP_';
import sys
import warnings

warnings.simplefilter("ignore")

import caldav
from lxml import etree

url, user, password, ca = sys.argv[1:5]

D = "{DAV:}"
CR = "{urn:ietf:params:xml:ns:carddav}"

client = caldav.DAVClient(url=url, username=user, password=password,
                          ssl_verify_cert=ca)
principal = client.principal()
print("principal", principal.url)

home = client.propfind(principal.url, """<?xml version="1.0"?>
<propfind xmlns="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
<prop><CR:addressbook-home-set/></prop></propfind>""", 0)
href = home.tree.find(".//" + CR + "addressbook-home-set/" + D + "href").text
home_url = principal.url.join(href)
print("home", home_url)

book = home_url.join("contacts/")
made = client.request(book, "MKCOL", """<?xml version="1.0"?>
<mkcol xmlns="DAV:" xmlns:CR="urn:ietf:params:xml:ns:carddav">
<set><prop><resourcetype><collection/><CR:addressbook/></resourcetype>
<displayname>Contacts</displayname></prop></set></mkcol>""",
                      {"Content-Type": "application/xml"})
print("made", book, made.status)

card = client.request(book.join("bob.vcf"), "PUT", """BEGIN:VCARD
VERSION:3.0
UID:bob-1@example.com
FN:Bob Example
N:Example;Bob;;;
EMAIL:bob@example.com
END:VCARD
""", {"Content-Type": "text/vcard"})
print("card", card.status)

listing = client.propfind(home_url, """<?xml version="1.0"?>
<propfind xmlns="DAV:"><prop><resourcetype/><displayname/></prop></propfind>""",
                          1)
for response in listing.tree.findall(D + "response"):
    if response.find(".//" + D + "resourcetype/" + CR + "addressbook") is None:
        continue
    print("addressbook",
          response.find(".//" + D + "displayname").text,
          response.find(D + "href").text)
_EOP_

is(run_python($carddav, "$base/.well-known/carddav", 'alice', 's3cret',
              "$dir/conf/dav.pem"),
   "principal $base/card/alice/\n"
   . "home $base/card/alice/\n"
   . "made $base/card/alice/contacts/ 201\n"
   . "card 201\n"
   . "addressbook Contacts /card/alice/contacts/\n",
   'python3-caldav\'s DAV client: from /.well-known/carddav to the principal, an address book made and listed');

is(new_log(8),
   "PROPFIND /.well-known/carddav 301\n"
   . "PROPFIND /card/ 401\n"
   . "PROPFIND /.well-known/carddav 301\n"
   . "PROPFIND /card/ 207\n"
   . "PROPFIND /card/alice/ 207\n"
   . "MKCOL /card/alice/contacts/ 201\n"
   . "PUT /card/alice/contacts/bob.vcf 201\n"
   . "PROPFIND /card/alice/ 207\n",
   'python3-caldav\'s DAV client: the 301 followed to the address book URL, with its credentials');

# curl, another client, following the redirect with PROPFIND and
# its body kept (--post301): Radicale's multistatus
my $body = '<?xml version="1.0"?><propfind xmlns="DAV:"><prop>'
    . '<current-user-principal/></prop></propfind>';
my $multistatus = `curl -s --cacert $dir/conf/dav.pem -L --post301 -u alice:s3cret -X PROPFIND -H 'Depth: 0' -H 'Content-Type: application/xml' --data '$body' -w '\n%{http_code} %{url_effective} %{num_redirects}' $base/.well-known/carddav 2>&1`;

is($multistatus,
   qq{<?xml version='1.0' encoding='utf-8'?>\n}
   . '<multistatus xmlns="DAV:"><response><href>/card/</href><propstat>'
   . '<prop><current-user-principal><href>/card/alice/</href>'
   . '</current-user-principal></prop><status>HTTP/1.1 200 OK</status>'
   . '</propstat></response></multistatus>'
   . "\n207 $base/card/ 1",
   'curl -L: PROPFIND through /.well-known/carddav, Radicale\'s multistatus');

is(new_log(2), "PROPFIND /.well-known/carddav 301\nPROPFIND /card/ 207\n",
   'curl: one 301, then the address book URL');

# conf-examples/dav-provider.conf, its ports changed, in front of the
# same Radicale: the well-known URLs of example.com send DAV clients to
# https://dav.example.com/dav/, where Radicale answers (plain HTTP here,
# so the host is given as a Host header)
my $examples = $ENV{TEST_NGINX_CONF_EXAMPLES} || 'conf-examples';
my $example_port = free_port();
$example_port = free_port()
    while $example_port == $port || $example_port == $dav_port;

mkdir "$dir/example";
mkdir "$dir/example/conf";
mkdir "$dir/example/logs";

my $conf = read_file("$examples/dav-provider.conf");
ok($conf =~ s/127\.0\.0\.1:8100;/127.0.0.1:$example_port;/
   && $conf =~ s{proxy_pass http://127\.0\.0\.1:5232/;}
                  {proxy_pass http://127.0.0.1:$dav_port/;},
   'dav-provider.conf: its ports');
write_file("$dir/example/conf/nginx.conf",
           "load_module $module;\n$user\n$conf");

ok(system(@example) == 0 && listening($example_port),
   'dav-provider.conf: nginx starts with it');

my $example = "http://127.0.0.1:$example_port";
my $headers = `curl -s -o /dev/null -D - -X PROPFIND -H 'Host: example.com' -H 'Depth: 0' $example/.well-known/caldav`;
like($headers, qr{\AHTTP/1\.1 301 .*^Location: https://dav\.example\.com/dav/\r$}ms,
     'dav-provider.conf: /.well-known/caldav, a 301 to https://dav.example.com/dav/');
$headers = `curl -s -o /dev/null -D - -X PROPFIND -H 'Host: example.com' -H 'Depth: 0' $example/.well-known/carddav`;
like($headers, qr{\AHTTP/1\.1 301 .*^Location: https://dav\.example\.com/dav/\r$}ms,
     'dav-provider.conf: /.well-known/carddav, a 301 to https://dav.example.com/dav/');

is(`curl -s -u alice\@example.com:s3cret -X PROPFIND -H 'Host: dav.example.com' -H 'Depth: 0' -H 'Content-Type: application/xml' --data '$body' $example/dav/`,
   qq{<?xml version='1.0' encoding='utf-8'?>\n}
   . '<multistatus xmlns="DAV:"><response><href>/dav/</href><propstat>'
   . '<prop><current-user-principal><href>/dav/alice%40example.com/</href>'
   . '</current-user-principal></prop><status>HTTP/1.1 200 OK</status>'
   . '</propstat></response></multistatus>',
   'dav-provider.conf: Radicale answers at /dav/, the address as the user');

done_testing();
