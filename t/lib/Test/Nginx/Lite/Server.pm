package Test::Nginx::Lite::Server;

# Starting and stopping the nginx under test (optionally under valgrind).
#
# This is this project's own code (see t/lib/README).

use strict;
use warnings;

use Exporter 'import';
use POSIX qw(WNOHANG SIGQUIT SIGTERM SIGKILL);
use Time::HiRes qw(sleep time);

use Test::Nginx::Lite::Conf qw(%Conf bail_out nginx_binary nginx_V);

our @EXPORT_OK = qw(
    nginx_version run_nginx_once start_nginx stop_nginx nginx_pid
    is_running valgrind_output child_alive
);

# pid of the nginx we forked and that did not daemonize (valgrind mode)
our $ChildPid;

# true from a successful start until stop_nginx()
our $Started;

# nginx version as a number like 1.022001 (for 1.22.1), or undef.
sub nginx_version {
    my $out = nginx_V() // return undef;
    return sprintf('%d.%03d%03d', $1, $2, $3)
        if $out =~ m{nginx version: \S+?/(\d+)\.(\d+)\.(\d+)};
    return undef;
}

# Is the process alive?  A zombie counts as dead: the daemonized nginx is
# not our child, and whoever inherits it may be slow to reap it.
sub is_running {
    my $pid = shift;
    return 0 unless $pid && $pid =~ /^\d+$/;
    waitpid($pid, WNOHANG) if $ChildPid && $pid == $ChildPid;
    return 0 unless kill 0, $pid;
    if (open my $fh, '<', "/proc/$pid/stat") {
        my $stat = <$fh> // '';
        return 0 if $stat =~ /^\d+ \(.*\) Z/s;
    }
    return 1;
}

sub nginx_pid {
    my $file = $Conf{PidFile};
    open my $fh, '<', $file or return undef;
    my $pid = <$fh>;
    return undef unless defined $pid && $pid =~ /^\s*(\d+)/;
    return $1;
}

# The nginx command line (list form) for the current server root.
sub nginx_cmd {
    my $root = $Conf{ServRoot};
    my @cmd  = (nginx_binary());
    # -e (nginx >= 1.19.5) sends even the earliest messages, such as
    # configuration errors, to our error.log too.
    my $ver = nginx_version();
    push @cmd, '-e', $Conf{ErrLog}
        if defined $ver && $ver >= 1.019005;
    push @cmd, '-p', "$root/", '-c', $Conf{ConfFile};
    return @cmd;
}

sub valgrind_cmd {
    my $v = $Conf{UseValgrind};
    my @cmd = ('valgrind', '-q');
    if ($v =~ /^\d+$/) {
        push @cmd, qw(--num-callers=100 --tool=memcheck --leak-check=full
                      --keep-debuginfo=yes --show-possibly-lost=no
                      --gen-suppressions=all);
        push @cmd, '--suppressions=valgrind.suppress'
            if -f 'valgrind.suppress';
        push @cmd, '--exit-on-first-error=yes', '--error-exitcode=1'
            if $ENV{TEST_NGINX_VALGRIND_EXIT_ON_FIRST_ERR};
    } else {
        # any other value is taken as the valgrind options themselves
        push @cmd, split ' ', $v;
    }
    return @cmd;
}

# Run the nginx command (daemon mode) and wait for it.  Returns the raw
# wait status ($?), or -1 if it could not be executed.
sub run_nginx_once {
    my (%opt) = @_;
    my @cmd = nginx_cmd();
    warn "running: @cmd\n" if $Conf{Verbose};
    my $pid = fork;
    bail_out("fork failed: $!") unless defined $pid;
    if ($pid == 0) {
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', '/dev/null' if $opt{quiet};
        exec { $cmd[0] } @cmd or POSIX::_exit(127);
    }
    waitpid($pid, 0);
    my $status = $?;
    $Started = 1 if $status == 0;
    return ($status >> 8) == 127 ? -1 : $status;
}

# Start nginx for a block.  In the normal (daemon) mode the command
# returns once nginx listens, and the status is returned.  Under valgrind
# nginx stays in the foreground as our child, its stderr (valgrind's
# reports) going to logs/valgrind.log; we return 0 and the caller waits
# for the port.
sub start_nginx {
    my (%opt) = @_;

    return run_nginx_once(%opt) unless $Conf{UseValgrind};

    my @cmd = (valgrind_cmd(), nginx_cmd());
    warn "running: @cmd\n" if $Conf{Verbose};
    my $log = "$Conf{LogDir}/valgrind.log";
    my $pid = fork;
    bail_out("fork failed: $!") unless defined $pid;
    if ($pid == 0) {
        setpgrp(0, 0);
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', $log or POSIX::_exit(126);
        exec { $cmd[0] } @cmd or POSIX::_exit(127);
    }
    $ChildPid = $pid;
    $Started = 1;
    return 0;
}

# Is our foreground (valgrind) child still there?
sub child_alive {
    return 1 unless $ChildPid;
    return waitpid($ChildPid, WNOHANG) == 0;
}

# Stop the running nginx, if any: QUIT (or TERM with
# TEST_NGINX_FAST_SHUTDOWN), wait up to the timeout (longer under valgrind,
# which checks for leaks on exit), then KILL.
sub stop_nginx {
    my ($name) = @_;
    $name //= '';

    # A daemonized nginx writes its pid file just after detaching, so it
    # may not be there yet if the block was very quick.
    if ($Started && !$ChildPid) {
        for (1 .. 100) {
            last if -f $Conf{PidFile};
            sleep 0.02;
        }
    }
    undef $Started;

    my $pid = nginx_pid() // $ChildPid;

    # Never signal an unrelated process that got the pid of a stale pid
    # file (e.g. left by an interrupted run).
    if ($pid && open my $fh, '<', "/proc/$pid/cmdline") {
        my $cmd = do { local $/; <$fh> } // '';
        undef $pid unless $cmd =~ /nginx|\Q$Conf{ServRoot}\E/;
    }

    my $grace = $Conf{Timeout};
    $grace = 60 if $ChildPid && $grace < 60;

    if ($pid && is_running($pid)) {
        kill($ENV{TEST_NGINX_FAST_SHUTDOWN} ? SIGTERM : SIGQUIT, $pid);
        my $until = time + $grace;
        sleep 0.02 while is_running($pid) && time < $until;
        if (is_running($pid)) {
            warn "$name - nginx (pid $pid) did not exit in $grace s; "
                 . "killing it\n";
            kill SIGKILL, ($ChildPid && $pid == $ChildPid) ? -$pid : $pid;
            my $until = time + 5;
            sleep 0.02 while is_running($pid) && time < $until;
        }
    }

    # Under valgrind also wait for the child itself (valgrind may still
    # be writing its report after nginx removed its pid file).
    if ($ChildPid) {
        my $until = time + $grace;
        while (waitpid($ChildPid, WNOHANG) == 0) {
            if (time > $until) {
                kill SIGKILL, -$ChildPid;
                waitpid($ChildPid, 0);
                last;
            }
            sleep 0.02;
        }
        undef $ChildPid;
    }

    unlink $Conf{PidFile};
}

# Contents of the valgrind log of the last run (after stop_nginx).
sub valgrind_output {
    my $log = "$Conf{LogDir}/valgrind.log";
    open my $fh, '<', $log or return '';
    local $/;
    return <$fh> // '';
}

1;
