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
use Test::More;

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $modules = $ENV{TEST_NGINX_LOAD_MODULES}
    or plan skip_all => 'TEST_NGINX_LOAD_MODULES is not set';
my $module = (split ' ', $modules)[0];
my $examples = $ENV{TEST_NGINX_CONF_EXAMPLES} || 'conf-examples';
my $build = $ENV{AUTODISCOVER_CLIENTS_DIR} || 'build/clients';

my @running;

END {
    # quietly: no "signal process started" notice per nginx
    for my $prefix (@running) {
        open my $save, '>&', \*STDERR;
        open STDERR, '>', '/dev/null';
        system($nginx, '-p', $prefix, '-c', 'conf/nginx.conf', '-s', 'quit');
        open STDERR, '>&', $save;
    }
}

# nginx with conf-examples/NAME.conf on a free port, after EDIT (a sub
# changing the text in $_); returns the port
sub start_example {
    my ($name, $edit) = @_;

    my $probe = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1',
                                      LocalPort => 0, ReuseAddr => 1)
        or die "cannot listen: $!\n";
    my $port = $probe->sockport;
    close $probe;

    open my $in, '<', "$examples/$name.conf" or die "$name.conf: $!";
    local $_ = do { local $/; <$in> };
    close $in;

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
        or BAIL_OUT("nginx did not start with $name.conf");
    push @running, $prefix;

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

done_testing();
