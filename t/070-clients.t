# The module's answers read by the real clients' own code: Thunderbird's
# account setup (its ES modules, taken at test time from Debian's
# thunderbird package, run by node with util/clients/tb-run.mjs) and
# exchangelib's Autodiscover reader (Debian's python3-exchangelib, run by
# util/clients/exchangelib-pox.py), each against an nginx started here
# with a conf-examples/ file. A client that is not here is skipped, with
# the reason, never passed.
# Plain Test::More: valid under any runner.

use strict;
use warnings;

use File::Temp qw(tempdir);
use IO::Socket::INET;
use JSON::PP;
use MIME::Base64 qw(encode_base64);
use Test::More;

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $modules = $ENV{TEST_NGINX_LOAD_MODULES}
    or plan skip_all => 'TEST_NGINX_LOAD_MODULES is not set';
my $module = (split ' ', $modules)[0];
my $examples = $ENV{TEST_NGINX_CONF_EXAMPLES} || 'conf-examples';
my $build = $ENV{AUTODISCOVER_CLIENTS_DIR} || 'build/clients';

my @running;
my %prefix;    # port -> the nginx's prefix directory

END {
    # quietly: no "signal process started" notice per nginx
    for my $prefix (@running) {
        open my $save, '>&', \*STDERR;
        open STDERR, '>', '/dev/null';
        system($nginx, '-p', $prefix, '-c', 'conf/nginx.conf', '-s', 'quit');
        open STDERR, '>&', $save;
    }
}

sub free_port {
    my $probe = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                      LocalPort => 0, ReuseAddr => 1)
        or die "cannot listen: $!\n";
    my $port = $probe->sockport;
    close $probe;
    return $port;
}

# nginx with conf-examples/NAME.conf on a free port, after EDIT (a sub
# changing the text in $_); returns the port
sub start_example {
    my ($name, $edit) = @_;

    open my $in, '<', "$examples/$name.conf" or die "$name.conf: $!";
    my $text = do { local $/; <$in> };
    close $in;
    return start_conf("$name.conf", $text, $edit);
}

# the same with the configuration TEXT (NAME for messages)
sub start_conf {
    my ($name, $text, $edit) = @_;

    my $port = free_port();
    local $_ = $text;

    if (/\@MODULE\@/) {
        s/\@MODULE\@/$module/g;
    } else {
        $_ = "load_module $module;\n$_";
    }
    s/^(\s*listen\s+)127\.0\.0\.1:\d+/${1}127.0.0.1:$port/mg;
    s/^(\s*worker_processes.*)$/$1\nuser root;/m if $> == 0;
    $edit->() if $edit;

    my $prefix = tempdir(CLEANUP => 1);
    mkdir "$prefix/conf";
    mkdir "$prefix/logs";
    open my $out, '>', "$prefix/conf/nginx.conf" or die $!;
    print $out $_;
    close $out;

    system($nginx, '-p', $prefix, '-c', 'conf/nginx.conf') == 0
        or BAIL_OUT("nginx did not start with $name");
    push @running, $prefix;
    $prefix{$port} = $prefix;

    for (1 .. 50) {
        last if IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port");
        select(undef, undef, undef, 0.05);
    }
    return $port;
}

sub json_of {
    my ($what, @cmd) = @_;
    my $text = `@cmd`;
    my $r = eval { decode_json($text) };
    return $r if $r;
    diag("$what: no JSON from @cmd: $@$text");
    return { error => "no JSON from $cmd[1]" };
}

# the lines of the access log of the nginx on PORT since the last call
sub access_log {
    my ($port) = @_;
    my $file = "$prefix{$port}/logs/access.log";
    open my $in, '<', $file or return [];
    my @lines = <$in>;
    close $in;
    chomp @lines;
    open my $out, '>', $file or die "$file: $!";
    close $out;
    return \@lines;
}

# a certificate for the hoster's https names (with itself as the CA the
# clients trust), when there is an openssl command
my $tls_dir = tempdir(CLEANUP => 1);
my $tls_names = join ',', map { "DNS:$_" } qw(autodiscover.hoster.example
    autodiscover.contoso.example contoso.example mail.fabrikam.example
    autodiscover.fabrikam.example);
my $have_tls = system("openssl req -x509 -newkey rsa:2048 -nodes -days 2 "
    . "-keyout $tls_dir/key.pem -out $tls_dir/cert.pem "
    . "-subj /CN=autodiscover.hoster.example "
    . "-addext subjectAltName=$tls_names >/dev/null 2>&1") == 0;
my %tls_port;  # port of an nginx -> its https port

# hosted-domain.conf: autodiscover.contoso.example and
# autodiscover.fabrikam.example redirect to the hoster's https endpoint;
# here fabrikam.example to one under its own name, mail.fabrikam.example
# (a server_name of the hoster's server), the same site; the hoster
# answers an EXPR entry with an EwsUrl too (for exchangelib); each server
# also on an https port with the certificate; the access log says
# "METHOD URL STATUS "AUTHORIZATION"". With MODE 302, the customers'
# names answer with autodiscover and autodiscover_redirect_mode 302
# instead of autodiscover_http_redirect.
sub start_hosted {
    my ($mode) = @_;
    my $tls = free_port();
    my $port = start_example('hosted-domain', sub {
        s!^(\s*listen\s+127\.0\.0\.1:\d+;)$!$1\n        listen 127.0.0.1:$tls ssl;!mg
            if $have_tls;
        s!^http \{$!http {
    ssl_certificate $tls_dir/cert.pem;
    ssl_certificate_key $tls_dir/key.pem;!m
            if $have_tls;
        s!^(\s*)access_log logs/access\.log;!$1log_format redir '\$request_method \$scheme://\$host\$request_uri \$status "\$http_authorization"';
$1access_log logs/access.log redir;!m
            or die 'hosted-domain.conf: no access_log';
        s!(autodiscover\.fabrikam\.example\s+)https://autodiscover\.hoster\.example/!$1https://mail.fabrikam.example/!
            or die 'hosted-domain.conf: no fabrikam.example entry';
        s!(server_name autodiscover\.hoster\.example)!$1 mail.fabrikam.example!
            or die 'hosted-domain.conf: no hoster server';
        s!^(\s*)(autodiscover_protocol SMTP server=mail\.hoster\.example)!$1autodiscover_protocol EXPR server=mail.hoster.example
$1    ews_url=https://mail.hoster.example/EWS/Exchange.asmx;\n$1$2!m
            or die 'hosted-domain.conf: no SMTP of the hoster';
        if ($mode) {
            s!autodiscover_http_redirect \$ad_hoster_endpoint;!autodiscover;
            autodiscover_domains contoso.example fabrikam.example;
            autodiscover_redirect_url \$ad_hoster_endpoint;
            autodiscover_redirect_mode 302;!
                or die 'hosted-domain.conf: no autodiscover_http_redirect';
        }
    });
    $tls_port{$port} = $tls;
    return $port;
}

# what the configurations below answer
my %port = (
    run      => start_example('run'),
    # the same, without the CalDAV and CardDAV protocols
    run_mail => start_example('run', sub {
        s/^\s*autodiscover_protocol Ca(?:l|rd)DAV [^;]*;\n//mg }),
    # the same, answering error 500 for a domain not served
    run_error => start_example('run', sub {
        s/^(\s*autodiscover_domains .*)$/$1\n        autodiscover_not_served error;/m }),
    tb_only  => start_example('thunderbird-only'),
    whole    => start_example('whole-account'),
    # the whole account on hosts Thunderbird knows an OAuth2 issuer for
    whole_gmail => start_example('whole-account', sub {
        s/(autodiscover_protocol IMAP server=)mail\.example\.com/${1}imap.gmail.com/;
        s/(autodiscover_protocol SMTP server=)mail\.example\.com/${1}smtp.gmail.com/ }),
    # OAuth2 as the only authentication
    whole_oauth_only => start_example('whole-account', sub {
        s/auth=OAuth2,password-cleartext/auth=OAuth2/g }),
    # SMTP submission with STARTTLS on a port that is not 587
    run_2525 => start_example('run', sub {
        s/(autodiscover_protocol SMTP server=mail\.example\.com port=)587/${1}2525/ }),
    redirects => start_example('redirects'),
    redirects_302 => start_example('redirects', sub {
        s/^(\s*autodiscover_domains .*)$/$1\n        autodiscover_redirect_mode 302;/m }),
    # a hoster's customers sent on with autodiscover_http_redirect (on any
    # scheme, though meant for http://autodiscover.<domain>/), and with
    # autodiscover_redirect_mode 302
    hosted => start_hosted(),
    hosted_302 => start_hosted(302),
    # for the test of the harness's XMLHttpRequest: redirects of each
    # status from a.example to b.example, one within a.example, and a
    # chain of as many as there are a's in /hop/aaa...
    xhr => start_conf('the redirects of the XMLHttpRequest test', <<'EOF'),
worker_processes 1;
error_log logs/error.log info;
pid logs/nginx.pid;
events {
    worker_connections 64;
}
http {
    log_format xhr '$request_method $host$request_uri $status '
                   '"$http_authorization" "$http_content_type" '
                   '"$http_content_length"';
    access_log logs/access.log xhr;
    server {
        listen 127.0.0.1:1;
        # a relative Location, for the client to resolve
        absolute_redirect off;
        location = /s/301 { return 301 http://b.example/end; }
        location = /s/302 { return 302 http://b.example/end; }
        location = /s/303 { return 303 http://b.example/end; }
        location = /s/307 { return 307 http://b.example/end; }
        location = /s/308 { return 308 https://b.example/end; }
        location = /same { return 302 /end; }
        location = /nowhere { return 302 http://c.example/end; }
        location = /ftp { return 302 ftp://b.example/end; }
        location ~ ^/hop/a(a*)$ { return 302 /hop/$1; }
        location = /hop/ { return 200 "hops\n"; }
        location = /end { return 200 "end\n"; }
    }
}
EOF
);

sub server {
    my ($type, $host, $port, $socket, $auth, $user, %more) = @_;
    return { type => $type, hostname => $host, port => $port,
             socketType => $socket, auth => $auth, username => $user, %more };
}

# ---- Thunderbird ------------------------------------------------------------

subtest 'Thunderbird reads the autoconfig and POX answers' => sub {
    plan skip_all => 'node is not installed (util/deps.sh test)'
        unless `node --version 2>/dev/null` =~ /^v\d/;
    plan skip_all => "\@xmldom/xmldom is not in $build/npm (util/deps.sh test)"
        unless -f "$build/npm/node_modules/\@xmldom/xmldom/package.json";

    my $err = `util/clients/thunderbird.sh $build/thunderbird 2>&1`;
    my $rc = $? >> 8;
    (my $why = $err) =~ s/\s*\n\s*/ /g;
    plan skip_all => "no Thunderbird: $why" if $rc == 77;
    is($rc, 0, 'util/clients/thunderbird.sh') or diag($err), return;

    open my $v, '<', "$build/thunderbird/VERSION" or die $!;
    my $version = <$v>;
    chomp $version;
    diag("Thunderbird's code from $version");

    my $omni = "$build/thunderbird/omni";
    my $npm = "$build/npm";

    # tb-run.mjs: what account Thunderbird sets up for ADDRESS
    my $tb = sub {
        my ($conf, $op, $address, $hosts) = @_;
        return json_of("Thunderbird $op $address",
                       'node', 'util/clients/tb-run.mjs', $omni, $npm,
                       $port{$conf}, $hosts, $op, $address);
    };
    my $check = sub {
        my ($r, $want, $name) = @_;
        my $got = $r->{account} // { error => $r->{error} };
        is_deeply($got, $want, $name)
            or diag(JSON::PP->new->pretty->canonical->encode($r));
    };

    my $isp_hosts = 'autoconfig.example.com,example.com,'
                  . 'autoconfig.example.net,example.net';
    my @isp_requests = map {
        ("GET https://autoconfig.$_/mail/config-v1.1.xml?emailaddress=alice%40$_",
         "GET https://$_/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40$_",
         "GET http://autoconfig.$_/mail/config-v1.1.xml?emailaddress=alice%40$_",
         "GET http://$_/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40$_")
    } 'example.com';

    # (1) autoconfig through FetchConfig.fromISP, FetchHTTP, JXON and
    # readFromXML

    # run.conf: version 1.2 (calendar and address book beside the mail)
    my $r = $tb->('run', 'isp', 'alice@example.com', $isp_hosts);
    is_deeply($r->{requests}, \@isp_requests,
              'run.conf: Thunderbird asks the four autoconfig URLs');
    $check->($r, {
        id => 'example.com', displayName => 'Example Mail',
        domains => ['example.com'], source => 'xml',
        subSource => 'xml-from-isp-https', complete => JSON::PP::true,
        incoming => server(qw(imap mail.example.com 993 SSL
                              passwordCleartext alice@example.com)),
        incomingAlternatives => [
            server(qw(pop3 mail.example.com 995 SSL passwordCleartext
                      alice@example.com),
                   leaveMessagesOnServer => JSON::PP::true,
                   daysToLeaveMessagesOnServer => 14) ],
        outgoing => server(qw(smtp mail.example.com 587 alwaysSTARTTLS
                              passwordCleartext alice@example.com)),
        outgoingAlternatives => [],
    }, 'run.conf autoconfig 1.2: IMAP, then POP3; SMTP submission '
       . '(calendar and address book not read)');

    # the same configuration without CalDAV and CardDAV answers version
    # 1.1: the calendar and address book of 1.2 change nothing
    my $r11 = $tb->('run_mail', 'isp', 'alice@example.com', $isp_hosts);
    like(`curl -s -H 'Host: autoconfig.example.com' 'http://127.0.0.1:$port{run_mail}/mail/config-v1.1.xml?emailaddress=alice%40example.com'`,
         qr/<clientConfig version="1\.1">/, 'without CalDAV and CardDAV: version 1.1');
    is_deeply($r11->{account}, $r->{account},
              'Thunderbird sets up the same account from 1.1 and from 1.2');

    # thunderbird-only.conf: version 1.1, mail only, POP3 first
    $r = $tb->('tb_only', 'isp', 'alice@example.net', $isp_hosts);
    $check->($r, {
        id => 'example.net', displayName => 'Example Mail',
        domains => ['example.net', 'example.com', 'example.org'],
        source => 'xml', subSource => 'xml-from-isp-https',
        complete => JSON::PP::true,
        incoming => server(qw(pop3 pop.example.com 995 SSL
                              passwordCleartext alice@example.net),
                           leaveMessagesOnServer => JSON::PP::true,
                           daysToLeaveMessagesOnServer => 14),
        incomingAlternatives => [
            server(qw(imap imap.example.com 993 SSL passwordCleartext
                      alice@example.net)) ],
        outgoing => server(qw(smtp smtp.example.com 587 alwaysSTARTTLS
                              passwordCleartext alice@example.net)),
        outgoingAlternatives => [],
    }, 'thunderbird-only.conf autoconfig 1.1: POP3 kept on the server 14 days, IMAP; SMTP');

    # whole-account.conf: 1.2 with OAuth2 first, the password second,
    # and an oAuth2 section; Thunderbird takes OAuth2 only for hosts of
    # its own provider list, so here the password
    my %whole = (
        source => 'xml', subSource => 'xml-from-isp-https',
        complete => JSON::PP::true, outgoingAlternatives => [],
        incomingAlternatives => [],
    );
    for my $domain (qw(example.com example.net)) {
        $r = $tb->('whole', 'isp', "alice\@$domain", $isp_hosts);
        $check->($r, {
            %whole,
            id => $domain, displayName => 'Example Mail',
            domains => [$domain],
            incoming => server(qw(imap mail.example.com 993 SSL
                                  passwordCleartext), "alice\@$domain"),
            outgoing => server(qw(smtp mail.example.com 465 SSL
                                  passwordCleartext), "alice\@$domain"),
        }, "whole-account.conf autoconfig 1.2, $domain: OAuth2 skipped "
           . '(no Thunderbird provider for mail.example.com), the password; '
           . 'the oAuth2 section not read');
    }

    $r = $tb->('whole_gmail', 'isp', 'alice@example.com', $isp_hosts);
    $check->($r, {
        %whole,
        id => 'example.com', displayName => 'Example Mail',
        domains => ['example.com'],
        incoming => server(qw(imap imap.gmail.com 993 SSL OAuth2
                              alice@example.com)),
        outgoing => server(qw(smtp smtp.gmail.com 465 SSL OAuth2
                              alice@example.com)),
    }, 'whole-account.conf on imap.gmail.com/smtp.gmail.com: the first '
       . 'authentication, OAuth2, taken');

    # OAuth2 alone, on a host Thunderbird has no OAuth2 issuer for: the
    # whole document is refused
    $r = $tb->('whole_oauth_only', 'isp', 'alice@example.com', $isp_hosts);
    $check->($r, { error => 'Lacking OAuth2 config for mail.example.com' },
             'whole-account.conf with auth=OAuth2 alone: Thunderbird refuses '
             . 'the configuration');

    # STARTTLS on port 2525: autoconfig says so
    $r = $tb->('run_2525', 'isp', 'alice@example.com', $isp_hosts);
    is_deeply($r->{account}{outgoing},
              server(qw(smtp mail.example.com 2525 alwaysSTARTTLS
                        passwordCleartext alice@example.com)),
              'autoconfig: SMTP 2525 with STARTTLS')
        or diag(JSON::PP->new->pretty->canonical->encode($r));

    # (2) Outlook POX through fetchConfigFromExchange: Thunderbird's own
    # request, FetchHTTP, JXON, readAutoDiscoverXML

    my $ad_hosts = join ',', map { ("autodiscover.$_", $_) }
        qw(example.com example.net old.example contoso.example
           nowhere.example);
    my @ad_requests = map {
        ("POST https://autodiscover.$_/autodiscover/autodiscover.xml",
         "POST https://$_/autodiscover/autodiscover.xml",
         "POST http://autodiscover.$_/autodiscover/autodiscover.xml")
    } 'example.com';

    my $want;
    my $mail = sub {
        my ($user) = @_;
        return {
            id => undef, displayName => undef, domains => [],
            source => 'exchange', subSource => 'exchange-from-url1',
            complete => JSON::PP::true,
            incoming => server(qw(imap mail.example.com 993 SSL
                                  passwordCleartext), $user),
            incomingAlternatives => [
                server(qw(pop3 mail.example.com 995 SSL passwordCleartext),
                       $user,
                       leaveMessagesOnServer => JSON::PP::true,
                       daysToLeaveMessagesOnServer => 14) ],
            outgoing => server(qw(smtp mail.example.com 587 alwaysSTARTTLS
                                  passwordCleartext), $user),
            outgoingAlternatives => [],
        };
    };

    $r = $tb->('run', 'exchange', 'alice@example.com', $ad_hosts);
    is_deeply($r->{requests}, \@ad_requests,
              'run.conf: Thunderbird POSTs to the three Autodiscover URLs');
    $check->($r, $mail->('alice@example.com'),
             'run.conf POX with CalDAV and CardDAV entries: IMAP, POP3, SMTP');

    my $plain = $tb->('run_mail', 'exchange', 'alice@example.com', $ad_hosts);
    $check->($plain, $mail->('alice@example.com'),
             'the same POX without CalDAV and CardDAV: the same account');

    # Thunderbird guesses STARTTLS from the port alone (143, 110, 25, 587)
    # and reads neither SSL on nor Encryption TLS otherwise
    $r = $tb->('run_2525', 'exchange', 'alice@example.com', $ad_hosts);
    is_deeply($r->{account}{outgoing},
              server(qw(smtp mail.example.com 2525 SSL passwordCleartext
                        alice@example.com)),
              'POX SMTP 2525 with Encryption TLS: Thunderbird takes SSL (its port guess)')
        or diag(JSON::PP->new->pretty->canonical->encode($r));

    # (3) the account hub's FindConfig.parallelAutoDiscovery: autoconfig,
    # Thunderbird's ISP database and MX in their order, Exchange
    # AutoDiscover beside them

    my $find_hosts = 'autoconfig.example.com,example.com,autodiscover.example.com';
    $r = $tb->('run_2525', 'find', 'alice@example.com', $find_hosts);
    is_deeply([sort @{ $r->{requests} }], [sort
        @isp_requests,
        'GET https://live.thunderbird.net/autoconfig/v1.1/example.com',
        @ad_requests,
    ], 'account hub: autoconfig, the ISP database and Autodiscover asked');
    is_deeply([ @{ $r->{account} }{qw(source subSource)},
                $r->{account}{outgoing} ],
              [ 'xml', 'xml-from-isp-https',
                server(qw(smtp mail.example.com 2525 alwaysSTARTTLS
                          passwordCleartext alice@example.com)) ],
              'account hub: the autoconfig answer wins, STARTTLS on 2525')
        or diag(JSON::PP->new->pretty->canonical->encode($r));

    # redirects.conf answers no autoconfig: the POX answer is used
    $r = $tb->('redirects', 'find', 'alice@example.com', $find_hosts);
    $want = $mail->('alice@example.com');
    $want->{incomingAlternatives} = [];
    $check->($r, $want,
             'account hub without autoconfig: the Autodiscover answer');

    # redirects.conf: Action redirectAddr, followed with the new address
    $r = $tb->('redirects', 'exchange', 'old.name@example.com', $ad_hosts);
    is_deeply($r->{requests}, [@ad_requests, @ad_requests],
              'redirectAddr: asked again for the new address');
    $want = $mail->('new.name@example.com');
    $want->{incomingAlternatives} = [];
    $check->($r, $want,
             'redirectAddr old.name@example.com: the settings of new.name@example.com');

    $r = $tb->('redirects', 'exchange', 'bob@old.example', $ad_hosts);
    $want = $mail->('bob@example.com');
    $want->{incomingAlternatives} = [];
    $check->($r, $want,
             'redirectAddr bob@old.example: the settings of bob@example.com');

    # Action redirectUrl: Thunderbird has no support for it
    $r = $tb->('redirects', 'exchange', 'x@contoso.example', $ad_hosts);
    $check->($r, { error => 'No valid configs found in AutoDiscover XML' },
             'redirectUrl: Thunderbird finds no configuration (it reads only RedirectAddr)');

    # an error document
    $r = $tb->('run_error', 'exchange', 'x@nowhere.example', $ad_hosts);
    $check->($r, { error => 'No valid configs found in AutoDiscover XML' },
             'error 500: no configuration');

    # (4) the harness's XMLHttpRequest follows redirects as Firefox's
    # does (the Fetch standard): what arrived at nginx, the final status
    # and responseURL
    my $xhr = sub {
        my ($request, $want, $name) = @_;
        access_log($port{xhr});
        my $r = json_of("XMLHttpRequest $request", 'node',
                        'util/clients/tb-run.mjs', $omni, $npm, $port{xhr},
                        'a.example,b.example', 'xhr', "'$request'");
        my %got = (%{ $r->{xhr} // { error => $r->{error} } },
                   nginx => access_log($port{xhr}));
        is_deeply(\%got, $want, "XMLHttpRequest: $name")
            or diag(JSON::PP->new->pretty->canonical->encode($r),
                    JSON::PP->new->pretty->canonical->encode(\%got));
    };
    my $x_auth = '"Basic dGVzdDp0ZXN0"';
    my $x_body = "$x_auth \"text/xml; charset=utf-8\" \"10\"";
    for my $code (301, 302, 303) {
        $xhr->("POST http://a.example/s/$code", {
            status => 200, responseURL => 'http://b.example/end',
            nginx => [ "POST a.example/s/$code $code $x_body",
                       'GET b.example/end 200 "-" "-" "-"' ],
        }, "a POST answered with $code: a GET to the other origin, without "
           . 'body, Content-Type or Authorization');
    }
    $xhr->('POST http://a.example/s/307', {
        status => 200, responseURL => 'http://b.example/end',
        nginx => [ "POST a.example/s/307 307 $x_body",
                   'POST b.example/end 200 "-" "text/xml; charset=utf-8" "10"' ],
    }, '307: the POST again, with its body, without Authorization');
    $xhr->('POST http://a.example/s/308', {
        status => 200, responseURL => 'https://b.example/end',
        nginx => [ "POST a.example/s/308 308 $x_body",
                   'POST b.example/end 200 "-" "text/xml; charset=utf-8" "10"' ],
    }, '308 to https: the same');
    $xhr->('GET http://a.example/s/303', {
        status => 200, responseURL => 'http://b.example/end',
        nginx => [ "GET a.example/s/303 303 $x_auth \"-\" \"-\"",
                   'GET b.example/end 200 "-" "-" "-"' ],
    }, 'a GET answered with 303 stays a GET');
    $xhr->('POST http://a.example/same', {
        status => 200, responseURL => 'http://a.example/end',
        nginx => [ "POST a.example/same 302 $x_body",
                   "GET a.example/end 200 $x_auth \"-\" \"-\"" ],
    }, 'a 302 within the origin: a GET, Authorization kept');
    $xhr->('GET http://a.example/nowhere', {
        status => 0, responseURL => '', error => 'unknown host c.example',
        nginx => [ "GET a.example/nowhere 302 $x_auth \"-\" \"-\"" ],
    }, 'a redirect to a host the test does not map: a network error');
    $xhr->('GET http://a.example/ftp', {
        status => 0, responseURL => '', error => 'not an http(s) URL',
        nginx => [ "GET a.example/ftp 302 $x_auth \"-\" \"-\"" ],
    }, 'a redirect to ftp://: a network error');
    my @hops = map { 'a' x (20 - $_) } 0 .. 20;
    $xhr->('GET http://a.example/hop/' . ('a' x 20), {
        status => 200, responseURL => 'http://a.example/hop/',
        nginx => [ (map { "GET a.example/hop/$_ 302 $x_auth \"-\" \"-\"" }
                        @hops[0 .. 19]),
                   "GET a.example/hop/ 200 $x_auth \"-\" \"-\"" ],
    }, '20 redirects followed');
    $xhr->('GET http://a.example/hop/' . ('a' x 21), {
        status => 0, responseURL => '', error => 'more than 20 redirects',
        nginx => [ map { "GET a.example/hop/$_ 302 $x_auth \"-\" \"-\"" }
                       'a' x 21, @hops[0 .. 19] ],
    }, 'the 21st redirect: a network error');

    # (5) a hoster's redirect, followed by Thunderbird's XMLHttpRequest

    # (tb-env.mjs: as Firefox's, a POST answered with a 302 becomes a GET
    # without body, and its Authorization is dropped for another origin);
    # the module answers that GET without an address with 405, so
    # FetchHTTP sees a failure at another URL and POSTs again there, with
    # the password: at once for the same site (retryRedirectWithAuth),
    # after asking the user for another site (fetchFromPotentiallyUnsafe-
    # Address, with its 2-second wait). "exchange-accept": the user says
    # yes.
    my $hoster = 'https://autodiscover.hoster.example/autodiscover/autodiscover.xml';
    my $own = 'https://mail.fabrikam.example/autodiscover/autodiscover.xml';
    my $ad_path = '/autodiscover/autodiscover.xml';
    my $basic = sub { 'Basic ' . encode_base64("$_[0]:secret", '') };
    my $hosted_account = sub {
        my ($user, $url) = @_;
        return {
            id => undef, displayName => undef, domains => [],
            source => 'exchange', subSource => "exchange-from-$url",
            complete => JSON::PP::true,
            incoming => server(qw(imap mail.hoster.example 993 SSL
                                  passwordCleartext), $user),
            incomingAlternatives => [],
            outgoing => server(qw(smtp mail.hoster.example 587 alwaysSTARTTLS
                                  passwordCleartext), $user),
            outgoingAlternatives => [],
        };
    };
    my $hosted = sub {
        my ($conf, $op, $address, $hosts, $want, $name) = @_;
        access_log($port{$conf});
        my $r = $tb->($conf, $op, $address, $hosts);
        my %got = (exchanges => $r->{exchanges},
                   confirmations => $r->{confirmations},
                   account => $r->{account}
                              // { error => $r->{error},
                                   errors => $r->{errors} },
                   nginx => access_log($port{$conf}));
        is_deeply(\%got, $want, $name)
            or diag(JSON::PP->new->pretty->canonical->encode($r),
                    JSON::PP->new->pretty->canonical->encode(\%got));
    };

    # what the redirect's GET gets: 405, Allow: POST
    my $head = `curl -s -o /dev/null -D - -H 'Host: autodiscover.hoster.example' 'http://127.0.0.1:$port{hosted_302}$ad_path'`;
    like($head, qr{\AHTTP/1\.1 405 Not Allowed\r\n(?:.*\r\n)*Allow: POST\r\n}i,
         'the hoster\'s endpoint answers a GET without an address with 405, '
         . 'Allow: POST');

    # autodiscover_redirect_mode 302 at https://autodiscover.contoso.example
    # (contoso.example and the http:// URL not reachable here)
    my $auth = $basic->('alice@contoso.example');
    $hosted->('hosted_302', 'exchange-accept', 'alice@contoso.example',
              'https://autodiscover.contoso.example,autodiscover.hoster.example', {
        exchanges => [
            "POST https://contoso.example$ad_path [auth] [body]: error unknown host contoso.example",
            "POST http://autodiscover.contoso.example$ad_path [body]: error unknown host autodiscover.contoso.example",
            "POST https://autodiscover.contoso.example$ad_path [auth] [body]: 302",
            "GET $hoster: 405",
            "POST $hoster [auth] [body]: 200",
        ],
        confirmations => ['hoster.example https'],
        account => $hosted_account->('alice@contoso.example', 'url1'),
        nginx => [
            "POST http://autodiscover.contoso.example$ad_path 302 \"$auth\"",
            "GET http://autodiscover.hoster.example$ad_path 405 \"-\"",
            "POST http://autodiscover.hoster.example$ad_path 200 \"$auth\"",
        ],
    }, 'autodiscover_redirect_mode 302 to a hoster: Thunderbird follows the '
       . '302 with a GET (no body, no password), gets 405, asks the user about '
       . 'hoster.example, POSTs there with the password and takes the settings');

    # the user says no: no password goes to the hoster
    $hosted->('hosted_302', 'exchange', 'alice@contoso.example',
              'https://autodiscover.contoso.example,autodiscover.hoster.example', {
        exchanges => [
            "POST https://contoso.example$ad_path [auth] [body]: error unknown host contoso.example",
            "POST http://autodiscover.contoso.example$ad_path [body]: error unknown host autodiscover.contoso.example",
            "POST https://autodiscover.contoso.example$ad_path [auth] [body]: 302",
            "GET $hoster: 405",
        ],
        confirmations => ['hoster.example https'],
        # the four attempts' reasons: url1, url2, url3, the SRV record
        account => { error => 'All promises were rejected', errors => [
            'asked to confirm hoster.example', 'cannot-contact-server-error',
            'cannot-contact-server-error',
            'no DNS in the test: _autodiscover._tcp.contoso.example' ] },
        nginx => [
            "POST http://autodiscover.contoso.example$ad_path 302 \"$auth\"",
            "GET http://autodiscover.hoster.example$ad_path 405 \"-\"",
        ],
    }, 'the same, the user refusing hoster.example: no configuration, '
       . 'nothing more sent to the hoster');

    # the same site: fabrikam.example to mail.fabrikam.example
    my $fauth = $basic->('alice@fabrikam.example');
    $hosted->('hosted_302', 'exchange', 'alice@fabrikam.example',
              'https://autodiscover.fabrikam.example,mail.fabrikam.example', {
        exchanges => [
            "POST https://fabrikam.example$ad_path [auth] [body]: error unknown host fabrikam.example",
            "POST http://autodiscover.fabrikam.example$ad_path [body]: error unknown host autodiscover.fabrikam.example",
            "POST https://autodiscover.fabrikam.example$ad_path [auth] [body]: 302",
            "GET $own: 405",
            "POST $own [auth] [body]: 200",
        ],
        confirmations => [],
        account => $hosted_account->('alice@fabrikam.example', 'url1'),
        nginx => [
            "POST http://autodiscover.fabrikam.example$ad_path 302 \"$fauth\"",
            "GET http://mail.fabrikam.example$ad_path 405 \"-\"",
            "POST http://mail.fabrikam.example$ad_path 200 \"$fauth\"",
        ],
    }, 'autodiscover_redirect_mode 302 within the site: the GET gets 405, '
       . 'Thunderbird POSTs again with the password without asking');

    # autodiscover_http_redirect at http://autodiscover.contoso.example
    # (Thunderbird's url3, POSTed without the password)
    $hosted->('hosted', 'exchange-accept', 'alice@contoso.example',
              'http://autodiscover.contoso.example,autodiscover.hoster.example', {
        exchanges => [
            "POST https://autodiscover.contoso.example$ad_path [auth] [body]: error unknown host autodiscover.contoso.example",
            "POST https://contoso.example$ad_path [auth] [body]: error unknown host contoso.example",
            "POST http://autodiscover.contoso.example$ad_path [body]: 302",
            "GET $hoster: 405",
            "POST $hoster [auth] [body]: 200",
        ],
        confirmations => ['hoster.example https'],
        account => $hosted_account->('alice@contoso.example', 'url3'),
        nginx => [
            "POST http://autodiscover.contoso.example$ad_path 302 \"-\"",
            "GET http://autodiscover.hoster.example$ad_path 405 \"-\"",
            "POST http://autodiscover.hoster.example$ad_path 200 \"$auth\"",
        ],
    }, 'autodiscover_http_redirect to a hoster: the 302 followed with a GET, '
       . '405; Thunderbird asks about hoster.example, POSTs there with the '
       . 'password and takes the settings');

    $hosted->('hosted', 'exchange', 'alice@fabrikam.example',
              'http://autodiscover.fabrikam.example,mail.fabrikam.example', {
        exchanges => [
            "POST https://autodiscover.fabrikam.example$ad_path [auth] [body]: error unknown host autodiscover.fabrikam.example",
            "POST https://fabrikam.example$ad_path [auth] [body]: error unknown host fabrikam.example",
            "POST http://autodiscover.fabrikam.example$ad_path [body]: 302",
            "GET $own: 405",
            "POST $own [auth] [body]: 200",
        ],
        confirmations => [],
        account => $hosted_account->('alice@fabrikam.example', 'url3'),
        nginx => [
            "POST http://autodiscover.fabrikam.example$ad_path 302 \"-\"",
            "GET http://mail.fabrikam.example$ad_path 405 \"-\"",
            "POST http://mail.fabrikam.example$ad_path 200 \"$fauth\"",
        ],
    }, 'autodiscover_http_redirect within the site: the same without asking');
};

# ---- exchangelib ------------------------------------------------------------

subtest 'exchangelib reads the POX answers' => sub {
    my $v = `/usr/bin/python3 -c 'import exchangelib; print(exchangelib.__version__)' 2>&1`;
    plan skip_all => "no exchangelib for /usr/bin/python3 (util/deps.sh test): $v"
        if $?;
    chomp $v;
    diag("exchangelib $v");

    my $xl = sub {
        my ($conf, $address, $host) = @_;
        return json_of("exchangelib $address",
                       '/usr/bin/python3', 'util/clients/exchangelib-pox.py',
                       "http://127.0.0.1:$port{$conf}/autodiscover/autodiscover.xml",
                       $address, $host // 'autodiscover.example.com');
    };
    my $proto = sub {
        my ($type, $server, $port, $user, %more) = @_;
        return { type => $type, server => $server, port => $port,
                 ssl => JSON::PP::true, spa => JSON::PP::false,
                 auth_required => JSON::PP::true, auth_type => undef,
                 login_name => $user, domain_required => JSON::PP::false,
                 use_pop_path => undef, smtp_last => JSON::PP::false,
                 ews_url => undef, %more };
    };
    my @mail = (
        $proto->(qw(IMAP mail.example.com 993 alice@example.com)),
        $proto->(qw(POP3 mail.example.com 995 alice@example.com)),
        $proto->(qw(SMTP mail.example.com 587 alice@example.com),
                 use_pop_path => JSON::PP::true),
    );
    my @dav = (
        $proto->('CalDAV', 'https://dav.example.com/dav/cal/', undef,
                 'alice@example.com'),
        $proto->('CardDAV', 'https://dav.example.com/dav/card/', undef,
                 'alice@example.com'),
    );
    my $no_ews = sub {
        my ($r, @types) = @_;
        my $b = $r->{build_response} // '';
        my @got = $b =~ /Protocol\(type='(\w+)'/g;
        like($b, qr/^ValueError: No EWS URL found in any of the available protocols: \[/,
             'no EWS URL: discovery ends with ValueError');
        is("@got", "@types", "  listing the protocols @types");
    };
    my $settings = sub {
        my ($r, $protocols, $name) = @_;
        my %got = %$r;
        delete @got{qw(exchangelib build_response)};
        is_deeply(\%got, {
            status => 200, raise_errors => undef, action => 'settings',
            redirect_address => undef, redirect_url => undef,
            protocols => $protocols,
        }, $name) or diag(JSON::PP->new->pretty->canonical->encode($r));
    };

    my $r = $xl->('run', 'alice@example.com');
    $settings->($r, [@mail, @dav],
                'run.conf: IMAP, POP3, SMTP, CalDAV and CardDAV, each as sent');
    $no_ews->($r, qw(IMAP POP3 SMTP CalDAV CardDAV));

    $r = $xl->('run_mail', 'alice@example.com');
    $settings->($r, [@mail], 'without CalDAV and CardDAV: IMAP, POP3, SMTP');
    $no_ews->($r, qw(IMAP POP3 SMTP));

    $r = $xl->('redirects', 'old.name@example.com');
    is_deeply($r, {
        exchangelib => $v, status => 200, raise_errors => undef,
        action => 'redirectAddr', redirect_address => 'new.name@example.com',
        redirect_url => undef, protocols => [],
    }, 'redirectAddr: the redirect address new.name@example.com')
        or diag(JSON::PP->new->pretty->canonical->encode($r));

    $r = $xl->('redirects', 'x@contoso.example');
    is_deeply($r, {
        exchangelib => $v, status => 200, raise_errors => undef,
        action => 'redirectUrl', redirect_address => undef,
        redirect_url => undef, protocols => [],
        build_response => "AttributeError: 'NoneType' object has no "
                        . "attribute 'autodiscover_smtp_address'",
    }, 'redirectUrl: exchangelib misses the URL (it reads RedirectURL, not '
       . 'the schema\'s RedirectUrl) and fails')
        or diag(JSON::PP->new->pretty->canonical->encode($r));

    $r = $xl->('redirects_302', 'x@contoso.example');
    is_deeply($r, {
        exchangelib => $v, status => 302,
        http_redirect => 'https://autodiscover.hoster.example/autodiscover/autodiscover.xml',
    }, 'autodiscover_redirect_mode 302: exchangelib takes the Location')
        or diag(JSON::PP->new->pretty->canonical->encode($r));

    $r = $xl->('run_error', 'x@nowhere.example');
    is_deeply($r, {
        exchangelib => $v, status => 200,
        raise_errors => 'ErrorNonExistentMailbox: The SMTP address has no '
                      . 'mailbox associated with it',
        error => { code => '500',
                   message => 'The e-mail address cannot be found.' },
    }, 'error 500: exchangelib\'s missing mailbox')
        or diag(JSON::PP->new->pretty->canonical->encode($r));

    $r = $xl->('run', 'no address');
    is_deeply($r, {
        exchangelib => $v, status => 200,
        raise_errors => 'AutoDiscoverFailed: Unknown error 600: Invalid Request',
        error => { code => '600', message => 'Invalid Request' },
    }, 'error 600: exchangelib\'s unknown error, code and message')
        or diag(JSON::PP->new->pretty->canonical->encode($r));
};

subtest 'exchangelib follows a hoster\'s redirect with its own discovery' => sub {
    my $v = `/usr/bin/python3 -c 'import exchangelib; print(exchangelib.__version__)' 2>&1`;
    plan skip_all => "no exchangelib for /usr/bin/python3 (util/deps.sh test): $v"
        if $?;
    plan skip_all => 'no openssl command for the test certificate'
        unless $have_tls;
    chomp $v;

    # exchangelib-discover.py: PoxAutodiscovery.discover() with the names
    # mapped to the test nginx, TLS verified against the test certificate
    my $xl = sub {
        my ($conf, $address, %map) = @_;
        my @map = map { "$_=$map{$_}" } sort keys %map;
        access_log($port{$conf});
        my $r = json_of("exchangelib discovery $address", '/usr/bin/python3',
                        'util/clients/exchangelib-discover.py',
                        "$tls_dir/cert.pem", $address, @map);
        $r->{nginx} = access_log($port{$conf});
        return $r;
    };
    my $path = '/autodiscover/autodiscover.xml';
    my $xl_path = '/Autodiscover/Autodiscover.xml';
    my $hoster = "https://autodiscover.hoster.example$path";
    my %found = (
        exchangelib => $v,
        service_endpoint => 'https://mail.hoster.example/EWS/Exchange.asmx',
        auth_type => undef, smtp_address => 'alice@contoso.example',
        protocols => [
            { type => 'IMAP', server => 'mail.hoster.example', port => 993,
              ews_url => undef },
            { type => 'EXPR', server => 'mail.hoster.example', port => undef,
              ews_url => 'https://mail.hoster.example/EWS/Exchange.asmx' },
            { type => 'SMTP', server => 'mail.hoster.example', port => 587,
              ews_url => undef },
        ],
    );

    # autodiscover_redirect_mode 302 at https://autodiscover.contoso.example
    # (exchangelib's step 2; contoso.example has no address)
    my $tls = $tls_port{$port{hosted_302}};
    my $r = $xl->('hosted_302', 'alice@contoso.example',
                  'autodiscover.contoso.example:443' => $tls,
                  'autodiscover.hoster.example:443' => $tls);
    is_deeply($r, {
        %found,
        lookups => [
            'A contoso.example: NXDOMAIN',
            'A autodiscover.contoso.example: 127.0.0.1',
            'A autodiscover.hoster.example: 127.0.0.1',
            'A autodiscover.hoster.example: 127.0.0.1',
        ],
        requests => [
            "POST https://autodiscover.contoso.example$xl_path: 302",
            "HEAD $hoster: 405",
            "POST $hoster: 200",
        ],
        nginx => [
            "POST https://autodiscover.contoso.example$xl_path 302 \"-\"",
            "HEAD https://autodiscover.hoster.example$path 405 \"-\"",
            "POST https://autodiscover.hoster.example$path 200 \"-\"",
        ],
    }, 'autodiscover_redirect_mode 302: exchangelib sends a HEAD to the '
       . 'hoster (405 is fine by it), POSTs there and ends with the EWS URL')
        or diag(JSON::PP->new->pretty->canonical->encode($r));

    # autodiscover_http_redirect at http://autodiscover.contoso.example
    # (step 3, a GET; no https there)
    $tls = $tls_port{$port{hosted}};
    $r = $xl->('hosted', 'alice@contoso.example',
               'autodiscover.contoso.example:80' => $port{hosted},
               'autodiscover.hoster.example:443' => $tls);
    is_deeply($r, {
        %found,
        lookups => [
            'A contoso.example: NXDOMAIN',
            'A autodiscover.contoso.example: 127.0.0.1',
            'A autodiscover.contoso.example: 127.0.0.1',
            'A autodiscover.hoster.example: 127.0.0.1',
            'A autodiscover.hoster.example: 127.0.0.1',
        ],
        requests => [
            "POST https://autodiscover.contoso.example$xl_path: ConnectionError",
            "GET http://autodiscover.contoso.example$xl_path: 302",
            "HEAD $hoster: 405",
            "POST $hoster: 200",
        ],
        nginx => [
            "GET http://autodiscover.contoso.example$xl_path 302 \"-\"",
            "HEAD https://autodiscover.hoster.example$path 405 \"-\"",
            "POST https://autodiscover.hoster.example$path 200 \"-\"",
        ],
    }, 'autodiscover_http_redirect: exchangelib\'s GET gets the 302, its '
       . 'HEAD to the hoster a 405, its POST there the EWS URL')
        or diag(JSON::PP->new->pretty->canonical->encode($r));
};

done_testing();
