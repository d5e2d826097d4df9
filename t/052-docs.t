# README and docs/ true to the code: every directive of the module is in
# README in Syntax/Default/Context form and in its index, and every link
# between README and docs/*.md names a file and a heading that exist.
# Plain Test::More: valid under any runner.

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Spec;
use Test::More;

sub slurp {
    my ($path) = @_;
    open my $fh, '<:encoding(UTF-8)', $path or die "$path: $!";
    local $/;
    return <$fh>;
}

# headings as GitHub makes anchors of them, outside fenced code
sub anchors {
    my ($text) = @_;
    my (%a, $fence);

    for my $line (split /\n/, $text) {
        if ($line =~ /^```/) {
            $fence = !$fence;
            next;
        }
        next if $fence || $line !~ /^#{1,6} (.*)/;
        my $h = lc $1;
        $h =~ s/^\s+|\s+$//g;
        $h =~ s/[^\w\- ]//g;
        $h =~ s/ /-/g;
        $a{$h} = 1;
    }

    return \%a;
}

my $module = slurp('ngx_http_autodiscover_module.c');
my %directives = map { $_ => 1 }
    $module =~ /(?:\{ ngx_string|value_command)\("(autodiscover\w*)"/g;

my $readme = slurp('README');

ok(scalar keys %directives > 30, 'the directives are found in the code');

for my $d (sort keys %directives) {
    like($readme,
         qr/^### \Q$d\E\n\n\*\*Syntax:\*\* `[^\n]+\n(?:[^\n]+\n)?\n\*\*Default:\*\* [^\n]+\n\n\*\*Context:\*\* [^\n]+\n/m,
         "README: $d in Syntax/Default/Context form");
    like($readme, qr/^\| \[\Q$d\E\]\(#\Q$d\E\) \|/m,
         "README: $d in the index of directives");
}

for my $d ($readme =~ /^### (autodiscover\w*)$/mg) {
    ok($directives{$d}, "README: $d is a directive of the code");
}

my @files = ('README', sort glob 'docs/*.md');
my %anchors = map { $_ => anchors(slurp($_)) } @files;

for my $f (@files) {
    my $text = slurp($f);

    while ($text =~ /\]\(([^)\s]+)\)/g) {
        my $target = $1;
        next if $target =~ /^[a-z]+:/;

        my ($path, $anchor) = split /#/, $target, 2;
        my $dest = $path eq ''
                 ? $f
                 : File::Spec->canonpath(File::Spec->catfile(dirname($f),
                                                             $path));
        $dest =~ s{^(?:[^/]+/\.\./)+}{};

        ok(-e $dest, "$f: the file of $target exists");
        ok(!defined $anchor || $anchors{$dest}{$anchor},
           "$f: the heading of $target exists")
            if -e $dest;
    }
}

done_testing();
