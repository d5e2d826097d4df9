# libFuzzer harnesses of ngx_http_autodiscover_module (make fuzz)
#
#   make fuzz                   builds, replays fuzz/corpus and fuzz/regress,
#                               then fuzzes each harness FUZZ_SECONDS (60)
#   make fuzz FUZZ_TARGETS=render FUZZ_SECONDS=600
#   make fuzz-build             builds only
#   make fuzz-regress           replays the seeds and the regression inputs
#
# nginx is built from Debian's source package (util/nginx-source.sh) with
# clang, -fsanitize=address,undefined,fuzzer-no-link and the module compiled
# in, into build/fuzz/nginx-1.22.1; a harness links all of its objects but
# src/core/nginx.o, whose main() is compiled again renamed (nginx_main.o).
#
# New inputs that libFuzzer finds go to build/fuzz/corpus/TARGET (seeded
# from fuzz/corpus/TARGET), crashes to build/fuzz/crashes/.  A crash's
# input, once fixed, belongs in fuzz/regress/TARGET/.

TOP           := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
BUILD         ?= $(TOP)/build
NGINX_VERSION  = 1.22.1

FUZZ_DIR      = $(BUILD)/fuzz
FUZZ_SRC      = $(FUZZ_DIR)/nginx-$(NGINX_VERSION)
FUZZ_NGINX    = $(FUZZ_SRC)/objs/nginx
FUZZ_CC       = clang
# UBSan is recoverable so that util/ubsan.supp can apply (an unrecoverable
# check dies even when suppressed); UBSAN_OPTIONS makes every report that is
# not suppressed abort(), which libFuzzer takes as a crash
FUZZ_SAN      = -fsanitize=address,undefined
# nginx's own UBSan findings only, the same file as make test-asan's: none
# in the module is suppressed
UBSAN_SUPP    = $(TOP)/util/ubsan.supp
export UBSAN_OPTIONS = halt_on_error=1:abort_on_error=1:print_stacktrace=1:suppressions=$(UBSAN_SUPP)
FUZZ_CFLAGS   = -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) \
                -DNGX_DEBUG_PALLOC=1
FUZZ_TARGETS ?= xml_request get_args render
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   ?=

MODULE_SOURCES = $(TOP)/config $(TOP)/ngx_http_autodiscover_module.c \
                 $(wildcard $(TOP)/src/*.c $(TOP)/src/*.h)
HARNESS_COMMON = $(TOP)/fuzz/fuzz_common.c $(TOP)/fuzz/fuzz_conf.c
HARNESS_DEPS   = $(HARNESS_COMMON) $(wildcard $(TOP)/fuzz/*.h)

FUZZ_INCS = -I $(FUZZ_SRC)/src/core -I $(FUZZ_SRC)/src/event \
            -I $(FUZZ_SRC)/src/event/modules -I $(FUZZ_SRC)/src/os/unix \
            -I $(FUZZ_SRC)/objs -I $(FUZZ_SRC)/src/http \
            -I $(FUZZ_SRC)/src/http/modules -I $(TOP)/src -I $(TOP)/fuzz \
            $(shell pkg-config --cflags libxml-2.0 2>/dev/null \
                    || echo -I/usr/include/libxml2)

FUZZ_BINS = $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-build fuzz-regress

fuzz: fuzz-regress
	@mkdir -p $(FUZZ_DIR)/crashes
	@status=0; \
	for t in $(FUZZ_TARGETS); do \
	    rm -rf $(FUZZ_DIR)/corpus/$$t.seed; \
	    mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	    cp -n $(TOP)/fuzz/corpus/$$t/* $(FUZZ_DIR)/corpus/$$t/ 2>/dev/null; \
	    dict=; [ -f $(TOP)/fuzz/dict/$$t.dict ] \
	        && dict=-dict=$(TOP)/fuzz/dict/$$t.dict; \
	    echo "==== fuzz_$$t: $(FUZZ_SECONDS) s"; \
	    $(FUZZ_DIR)/fuzz_$$t $$dict -max_total_time=$(FUZZ_SECONDS) \
	        -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_DIR)/crashes/$$t- \
	        -timeout=10 -rss_limit_mb=2048 $(FUZZ_FLAGS) \
	        $(FUZZ_DIR)/corpus/$$t > $(FUZZ_DIR)/fuzz_$$t.log 2>&1; \
	    rc=$$?; \
	    grep -E '^#[0-9]+.*(INITED|DONE)|^stat::|ERROR|SUMMARY|==[0-9]+==|Test unit written|fuzz check failed|runtime error' \
	        $(FUZZ_DIR)/fuzz_$$t.log | head -40; \
	    echo "fuzz_$$t: exit status $$rc, corpus $$(ls $(FUZZ_DIR)/corpus/$$t | wc -l) inputs, log $(FUZZ_DIR)/fuzz_$$t.log"; \
	    [ $$rc = 0 ] || status=1; \
	done; \
	ls $(FUZZ_DIR)/crashes/ 2>/dev/null | sed -e 's/^/crash: /'; \
	exit $$status

fuzz-build: $(FUZZ_BINS)

# every seed and every regression input once, without fuzzing
fuzz-regress: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
	    set -- $$(ls -d $(TOP)/fuzz/corpus/$$t/* $(TOP)/fuzz/regress/$$t/* \
	                  2>/dev/null); \
	    [ $$# = 0 ] && continue; \
	    $(FUZZ_DIR)/fuzz_$$t -runs=1 "$$@" > $(FUZZ_DIR)/regress_$$t.log 2>&1 \
	        || { cat $(FUZZ_DIR)/regress_$$t.log; \
	             echo "fuzz_$$t: a seed or regression input fails"; exit 1; }; \
	    echo "fuzz_$$t: $$# seed and regression inputs pass"; \
	done

$(FUZZ_SRC)/objs/Makefile: $(TOP)/config
	@$(TOP)/util/deps.sh build
	@$(TOP)/util/sanitizer-deps.sh fuzz
	@src=$$($(TOP)/util/nginx-source.sh $(BUILD)/src) && rm -rf $(FUZZ_SRC) \
	    && mkdir -p $(FUZZ_DIR) && cp -r $$src $(FUZZ_SRC)
	cd $(FUZZ_SRC) && ./configure --with-cc=$(FUZZ_CC) \
		--with-debug --with-http_ssl_module \
		--with-cc-opt="$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link" \
		--with-ld-opt="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
		--add-module=$(TOP) > $(FUZZ_DIR)/configure.log \
		|| { cat $(FUZZ_DIR)/configure.log; exit 1; }

$(FUZZ_NGINX): $(FUZZ_SRC)/objs/Makefile $(MODULE_SOURCES)
	$(MAKE) -C $(FUZZ_SRC) -f objs/Makefile -j2

# nginx.c again, its main() renamed: the harness has libFuzzer's
$(FUZZ_DIR)/nginx_main.o: $(FUZZ_NGINX)
	$(FUZZ_CC) -c $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
		-Dmain=ngx_fuzz_nginx_main $(FUZZ_INCS) \
		-o $@ $(FUZZ_SRC)/src/core/nginx.c

$(FUZZ_DIR)/fuzz_%: $(TOP)/fuzz/fuzz_%.c $(HARNESS_DEPS) $(FUZZ_NGINX) \
		$(FUZZ_DIR)/nginx_main.o
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_INCS) -o $@ \
		$< $(HARNESS_COMMON) \
		$$(find $(FUZZ_SRC)/objs -name '*.o' \
		    ! -path '*/objs/src/core/nginx.o' | sort) \
		$(FUZZ_DIR)/nginx_main.o \
		$$(grep -o -- ' -l[a-zA-Z0-9_.+-]*' $(FUZZ_SRC)/objs/Makefile \
		    | awk '!seen[$$0]++')
