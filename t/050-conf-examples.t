# Every file in conf-examples/ passes "nginx -t" with the built module.
# Plain Test::More: valid under any runner.

use strict;
use warnings;

use File::Temp qw(tempdir);
use Test::More;

my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $modules = $ENV{TEST_NGINX_LOAD_MODULES}
    or plan skip_all => 'TEST_NGINX_LOAD_MODULES is not set';

my @files = sort glob 'conf-examples/*.conf';

plan tests => 2 * @files;

for my $file (@files) {
    my $prefix = tempdir(CLEANUP => 1);
    mkdir "$prefix/conf";
    mkdir "$prefix/logs";

    open my $in, '<', $file or die "$file: $!";
    my $conf = do { local $/; <$in> };
    close $in;

    if ($conf =~ /\@MODULE\@/) {
        $conf =~ s/\@MODULE\@/(split ' ', $modules)[0]/ge;

    } else {
        $conf = join('', map { "load_module $_;\n" } split ' ', $modules)
                . $conf;
    }

    open my $out, '>', "$prefix/conf/nginx.conf" or die $!;
    print $out $conf;
    close $out;

    my $output = `$nginx -t -p $prefix -c conf/nginx.conf 2>&1`;

    is($?, 0, "$file passes nginx -t") or diag($output);
    like($output, qr/test is successful/, "$file: nginx says so");
}
