# ngx_http_autodiscover_module
#
#   make        build the dynamic module against the installed nginx
#   make run    build and start nginx in the foreground on 127.0.0.1:8080
#   make test   build, run the benchmark's smoke mode and the whole
#               Test::Nginx suite (in CI, CI=true, also test-install,
#               test-deb and test-source-build)
#   make deb    the Debian package, in build/deb/
#   make install / make uninstall   (DESTDIR, MODULES_DIR, ...)
#   make test-clients   only t/070-clients.t, the real clients' code
#
# Missing Debian packages are installed with apt-get.

NGINX      ?= /usr/sbin/nginx
NGINX_SRC  ?= /usr/share/nginx/src
BUILD      ?= $(CURDIR)/build
MODULE      = $(BUILD)/ngx_http_autodiscover_module.so
CFLAGS_EXTRA ?= -Werror

SOURCES = config ngx_http_autodiscover_module.c $(wildcard src/*.c src/*.h)

.PHONY: all build run test test-clients test-valgrind deps clean

all: build

build: $(MODULE)

$(BUILD)/nginx/objs/Makefile: config
	@util/deps.sh build
	rm -rf $(BUILD)/nginx
	mkdir -p $(BUILD)
	cp -r $(NGINX_SRC) $(BUILD)/nginx
	cd $(BUILD)/nginx && ./configure --with-compat --with-debug \
		--with-threads --with-http_ssl_module \
		--with-cc-opt="-g -O2 -fPIC $(CFLAGS_EXTRA)" \
		--with-ld-opt="-fPIC" \
		--add-dynamic-module=$(CURDIR) > $(BUILD)/configure.log \
		|| { cat $(BUILD)/configure.log; exit 1; }

$(MODULE): $(BUILD)/nginx/objs/Makefile $(SOURCES)
	$(MAKE) -C $(BUILD)/nginx -f objs/Makefile modules
	@# a new file renamed over the old one: running nginx maps the old one
	cp $(BUILD)/nginx/objs/ngx_http_autodiscover_module.so $(MODULE).new
	mv -f $(MODULE).new $(MODULE)

run: build
	@util/deps.sh run
	@rm -rf $(BUILD)/run && mkdir -p $(BUILD)/run/conf $(BUILD)/run/logs
	@sed -e 's|@MODULE@|$(MODULE)|' conf-examples/run.conf \
		> $(BUILD)/run/conf/nginx.conf
	@$(NGINX) -t -q -p $(BUILD)/run -c conf/nginx.conf
	@echo
	@echo "nginx with ngx_http_autodiscover_module on http://127.0.0.1:8080"
	@echo "(configuration: $(BUILD)/run/conf/nginx.conf; Ctrl-C stops it)"
	@util/run-examples.sh http://127.0.0.1:8080
	@echo
	exec $(NGINX) -p $(BUILD)/run -c conf/nginx.conf -g 'daemon off;'

# the benchmark's 2-second smoke run first (it fails only on a wrong
# answer, never on a number), then the suite, whose summary ends the output.
# In CI (CI=true) then the ways of installing it: make install into a
# DESTDIR, the Debian package installed into this system, the suite run
# against it and the package purged (make test-deb), and the builds from an
# nginx source tree (make test-source-build); never on a developer's
# machine, where installing packages is the developer's choice.
test: build
	@util/deps.sh test
	@util/deps.sh bench
	perl bench/bench.pl --smoke --nginx $(NGINX) --module $(MODULE) \
		--out $(BENCH_OUT)-smoke > $(BUILD)/bench-smoke.log 2>&1 \
		|| { cat $(BUILD)/bench-smoke.log; exit 1; }
	@grep -A9 '^== summary' $(BUILD)/bench-smoke.log
	TEST_NGINX_BINARY=$(NGINX) \
	TEST_NGINX_LOAD_MODULES=$(MODULE) \
	TEST_NGINX_CONF_EXAMPLES=$(CURDIR)/conf-examples \
	    util/prove.sh
ifeq ($(CI),true)
	$(MAKE) test-install
	$(MAKE) test-deb
	$(MAKE) test-source-build
endif

# only t/070-clients.t: the answers read by Thunderbird's and exchangelib's
# own code (docs/testing.md, "The clients' own code"); make test runs it too
test-clients: build
	@util/deps.sh test
	TEST_NGINX_BINARY=$(NGINX) \
	TEST_NGINX_LOAD_MODULES=$(MODULE) \
	TEST_NGINX_CONF_EXAMPLES=$(CURDIR)/conf-examples \
	    prove -v t/070-clients.t

# the whole suite with nginx under valgrind; valgrind.suppress holds only
# nginx's and PCRE2's own leaks, each explained
test-valgrind: build
	@util/deps.sh test
	@command -v valgrind >/dev/null || apt-get install -y -qq valgrind
	TEST_NGINX_USE_VALGRIND=1 \
	TEST_NGINX_BINARY=$(NGINX) \
	TEST_NGINX_LOAD_MODULES=$(MODULE) \
	TEST_NGINX_CONF_EXAMPLES=$(CURDIR)/conf-examples \
	    util/prove.sh

clean:
	rm -rf $(BUILD) t/servroot

# ---- make install / make uninstall (docs/installation.md) -------------------
#
# make install     builds the module and installs it the way the package
#                  lays it out: the .so in MODULES_DIR, a load_module
#                  snippet in MODULES_AVAILABLE_DIR linked from
#                  MODULES_ENABLED_DIR (ENABLE=no: no link), README,
#                  docs/ and conf-examples/ in DOC_DIR; all under DESTDIR
# make uninstall   removes what make install installed (same variables)
#
# Refused when the Debian package is installed and DESTDIR is empty: its
# files belong to dpkg.  The snippet loads the module by its absolute path.

DESTDIR               ?=
MODULES_DIR           ?= /usr/lib/nginx/modules
MODULES_AVAILABLE_DIR ?= /usr/share/nginx/modules-available
MODULES_ENABLED_DIR   ?= /etc/nginx/modules-enabled
DOC_DIR               ?= /usr/local/share/doc/ngx_http_autodiscover_module
ENABLE                ?= yes

MODULE_SO     = ngx_http_autodiscover_module.so
MODULE_CONF   = mod-http-autodiscover.conf
MODULE_LINK   = 50-$(MODULE_CONF)

.PHONY: install install-check uninstall test-install

install-check:
	@if [ -z "$(DESTDIR)" ] && dpkg-query -W -f='$${Status}' \
	        $(DEB_SOURCE) 2>/dev/null | grep -q 'ok installed'; then \
	    echo "the Debian package $(DEB_SOURCE) is installed: its files" \
	         "belong to dpkg (apt-get purge $(DEB_SOURCE) first, or" \
	         "install under DESTDIR)" >&2; \
	    exit 1; \
	fi

# install(1) writes a new file, never over the running one in place
install: build install-check
	install -d $(DESTDIR)$(MODULES_DIR) $(DESTDIR)$(MODULES_AVAILABLE_DIR) \
	    $(DESTDIR)$(DOC_DIR)/docs $(DESTDIR)$(DOC_DIR)/examples
	install -m 644 $(MODULE) $(DESTDIR)$(MODULES_DIR)/$(MODULE_SO)
	echo 'load_module $(MODULES_DIR)/$(MODULE_SO);' \
	    > $(DESTDIR)$(MODULES_AVAILABLE_DIR)/$(MODULE_CONF)
	chmod 644 $(DESTDIR)$(MODULES_AVAILABLE_DIR)/$(MODULE_CONF)
	install -m 644 README $(DESTDIR)$(DOC_DIR)/
	install -m 644 docs/*.md $(DESTDIR)$(DOC_DIR)/docs/
	install -m 644 conf-examples/* $(DESTDIR)$(DOC_DIR)/examples/
	@if [ "$(ENABLE)" = yes ]; then \
	    echo install -d $(DESTDIR)$(MODULES_ENABLED_DIR); \
	    install -d $(DESTDIR)$(MODULES_ENABLED_DIR); \
	    echo ln -sf $(MODULES_AVAILABLE_DIR)/$(MODULE_CONF) \
	        $(DESTDIR)$(MODULES_ENABLED_DIR)/$(MODULE_LINK); \
	    ln -sf $(MODULES_AVAILABLE_DIR)/$(MODULE_CONF) \
	        $(DESTDIR)$(MODULES_ENABLED_DIR)/$(MODULE_LINK); \
	fi
	@[ -n "$(DESTDIR)" ] || echo "installed; now: nginx -t &&" \
	    "systemctl reload nginx"

uninstall: install-check
	rm -f $(DESTDIR)$(MODULES_ENABLED_DIR)/$(MODULE_LINK)
	rm -f $(DESTDIR)$(MODULES_AVAILABLE_DIR)/$(MODULE_CONF)
	rm -f $(DESTDIR)$(MODULES_DIR)/$(MODULE_SO)
	rm -rf $(DESTDIR)$(DOC_DIR)
	@# the directories install made, when empty and no package's
	@for d in $(MODULES_ENABLED_DIR) $(MODULES_AVAILABLE_DIR) \
	         $(MODULES_DIR); do \
	    [ -d $(DESTDIR)$$d ] || continue; \
	    [ -z "$$(ls -A $(DESTDIR)$$d)" ] || continue; \
	    [ -n "$(DESTDIR)" ] || ! dpkg -S $$d >/dev/null 2>&1 || continue; \
	    echo rmdir $(DESTDIR)$$d; rmdir $(DESTDIR)$$d; \
	done

# make install and make uninstall into a DESTDIR under build/, checked:
# every file where it belongs, and nothing left after uninstall
test-install: build
	rm -rf $(BUILD)/destdir
	$(MAKE) -s install DESTDIR=$(BUILD)/destdir
	util/install-check.sh $(BUILD)/destdir installed
	$(MAKE) -s uninstall DESTDIR=$(BUILD)/destdir
	util/install-check.sh $(BUILD)/destdir uninstalled

# the benchmark (bench/README): each row's nginx answers with the module on
# one port and "return 200" of the same bytes on another, driven by wrk in
# alternating rounds; results in build/bench/. Options go in BENCH_ARGS,
# e.g. make bench BENCH_ARGS='--rows pox --rounds 9 --duration 20'
BENCH_ARGS ?=
BENCH_OUT  ?= $(BUILD)/bench

.PHONY: bench bench-smoke

bench: build
	@util/deps.sh bench
	perl bench/bench.pl --nginx $(NGINX) --module $(MODULE) \
		--out $(BENCH_OUT) $(BENCH_ARGS)

# one 2-second round per row, a smaller map, no memory run: keeps the
# script working; exits non-zero when an answer is wrong
bench-smoke: build
	@util/deps.sh bench
	perl bench/bench.pl --smoke --nginx $(NGINX) --module $(MODULE) \
		--out $(BENCH_OUT)-smoke $(BENCH_ARGS)

# ---- sanitizers: nginx built from Debian's source with ASan and UBSan ------
#
# make test-asan   the whole suite against an nginx built from Debian's
#                  nginx source package (util/nginx-source.sh) with
#                  -fsanitize=address,undefined and the module compiled in;
#                  fails on any sanitizer report (util/asan-check.sh)

.PHONY: test-asan

NGINX_VERSION = 1.22.1
ASAN_DIR    = $(BUILD)/asan
ASAN_SRC    = $(ASAN_DIR)/nginx-$(NGINX_VERSION)
ASAN_NGINX  = $(ASAN_SRC)/objs/nginx
ASAN_CFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
              -DNGX_DEBUG_PALLOC=1
# clang: gcc's libubsan ignores UBSAN_OPTIONS=log_path, and the reports of
# a daemonized nginx must go to files to be seen
ASAN_CC     = clang

$(ASAN_SRC)/objs/Makefile: config
	@util/deps.sh build
	@util/sanitizer-deps.sh asan
	@src=$$(util/nginx-source.sh $(BUILD)/src) && rm -rf $(ASAN_SRC) \
	    && mkdir -p $(ASAN_DIR) && cp -r $$src $(ASAN_SRC)
	cd $(ASAN_SRC) && ./configure --with-cc=$(ASAN_CC) \
		--with-debug --with-http_ssl_module \
		--with-cc-opt="$(ASAN_CFLAGS)" \
		--with-ld-opt="-fsanitize=address,undefined" \
		--add-module=$(CURDIR) > $(ASAN_DIR)/configure.log \
		|| { cat $(ASAN_DIR)/configure.log; exit 1; }

$(ASAN_NGINX): $(ASAN_SRC)/objs/Makefile $(SOURCES)
	$(MAKE) -C $(ASAN_SRC) -f objs/Makefile -j2

test-asan: $(ASAN_NGINX)
	@util/deps.sh test
	util/asan-check.sh $(ASAN_NGINX)

# ---- fuzzing: libFuzzer harnesses, fuzz/fuzz.mk ----------------------------
#
# make fuzz   builds the harnesses (clang) against nginx built from Debian's
#             source, replays fuzz/corpus and fuzz/regress, and fuzzes each
#             harness FUZZ_SECONDS (default 60); prints execs and coverage

.PHONY: fuzz

fuzz:
	$(MAKE) -f fuzz/fuzz.mk fuzz BUILD=$(BUILD)

# ---- reload under load ------------------------------------------------------
#
# make stress        nginx (two workers) with the module's .so and
#                    conf-examples/run.conf on 127.0.0.1:2280, loaded
#                    by wrk (the POX endpoint, POST, keep-alive; ActiveSync,
#                    JSON and autoconfig too) and a curl loop on every
#                    endpoint while "nginx -s reload" runs every 1 s for
#                    30 s (RELOAD_PORT, RELOAD_INTERVAL, RELOAD_SECONDS); fails on
#                    any answer that is not the 200 it was before the
#                    reloads, on [alert], [crit], [emerg] or a crash in the
#                    error log (util/reload-test.sh).  Not part of make test.
# make test-reload   the same

.PHONY: stress test-reload

RELOAD_PORT     ?= 2280
RELOAD_SECONDS  ?= 30
RELOAD_INTERVAL ?= 1

stress: build
	@util/deps.sh run
	@util/sanitizer-deps.sh reload
	NGINX=$(NGINX) RELOAD_PORT=$(RELOAD_PORT) \
	RELOAD_SECONDS=$(RELOAD_SECONDS) RELOAD_INTERVAL=$(RELOAD_INTERVAL) \
	    util/reload-test.sh $(MODULE)

test-reload: stress

# ---- the Debian package (debian/, docs/installation.md) ---------------------
#
# make deb   builds libnginx-mod-http-autodiscover_<version>_<arch>.deb in
#            build/deb/ with dpkg-buildpackage against the installed nginx-dev, from a
#            copy of this tree in build/deb/ (dpkg-buildpackage writes its
#            output next to the tree it builds), then runs lintian on it,
#            which must report no error

DEB_DIR    = $(BUILD)/deb
DEB_SOURCE = libnginx-mod-http-autodiscover

.PHONY: deb test-deb

deb:
	@util/deps.sh deb
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version) \
	&& a=$$(dpkg-architecture -q DEB_HOST_ARCH) \
	&& tree=$(DEB_DIR)/$(DEB_SOURCE)-$$v \
	&& rm -rf $(DEB_DIR) && mkdir -p $$tree \
	&& tar -c --exclude=./build --exclude=./t/servroot --exclude=./.git \
	       --exclude=./fuzz/build . | tar -x -C $$tree \
	&& echo "dpkg-buildpackage in $$tree (log: $(DEB_DIR)/build.log)" \
	&& (cd $$tree && dpkg-buildpackage -us -uc -b -J2) \
	       > $(DEB_DIR)/build.log 2>&1 \
	       || { tail -40 $(DEB_DIR)/build.log; exit 1; } \
	&& rm -rf $$tree \
	&& deb=$(DEB_DIR)/$(DEB_SOURCE)_$${v}_$$a.deb \
	&& ls -l $$deb && dpkg-deb -I $$deb | sed -n '/Package:/,$$p' \
	&& dpkg-deb -c $$deb \
	&& echo "lintian $$deb" \
	&& lintian --fail-on error $$deb

# make test-deb   make deb, then util/deb-test.sh: installs the package with
#                 apt-get, nginx -t of the system configuration and of every
#                 conf-example with the packaged snippet, the suite against
#                 /usr/lib/nginx/modules/ngx_http_autodiscover_module.so,
#                 then purges it and checks nothing is left.  It changes the
#                 system: make test runs it only in CI (CI=true).

test-deb: deb
	@util/deps.sh test
	util/deb-test.sh $(DEB_DIR)/$(DEB_SOURCE)_$$(dpkg-parsechangelog \
	    -l debian/changelog -S Version)_$$(dpkg-architecture \
	    -q DEB_HOST_ARCH).deb

# ---- builds from an nginx source tree (docs/installation.md) ---------------
#
# make test-source-build   Debian's nginx source (util/nginx-source.sh),
#                          built with the module static (--add-module) and
#                          dynamic (--with-compat --add-dynamic-module), in
#                          build/source/; each nginx gets requests by GET
#                          and POST (util/source-build-test.sh)

.PHONY: test-source-build

test-source-build:
	@util/deps.sh source
	src=$$(util/nginx-source.sh $(BUILD)/src) \
	    && util/source-build-test.sh $$src $(BUILD)/source
