# ngx_http_autodiscover_module
#
#   make        build the dynamic module against the installed nginx
#   make run    build and start nginx in the foreground on 127.0.0.1:8080
#   make test   build and run the whole Test::Nginx suite
#
# Missing Debian packages are installed with apt-get.

NGINX      ?= /usr/sbin/nginx
NGINX_SRC  ?= /usr/share/nginx/src
BUILD      ?= $(CURDIR)/build
MODULE      = $(BUILD)/ngx_http_autodiscover_module.so
CFLAGS_EXTRA ?= -Werror

SOURCES = config ngx_http_autodiscover_module.c $(wildcard src/*.c src/*.h)

.PHONY: all build run test test-valgrind deps clean

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
	@echo "try:"
	@echo "  curl -s http://127.0.0.1:8080/autodiscover/autodiscover.xml \\"
	@echo "    -H 'Content-Type: text/xml; charset=utf-8' --data-binary \\"
	@echo "    '<?xml version=\"1.0\" encoding=\"utf-8\"?><Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request><EMailAddress>alice@example.com</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>'"
	@echo "or: curl -s 'http://127.0.0.1:8080/autodiscover/autodiscover.xml?email=alice@example.com'"
	@echo
	exec $(NGINX) -p $(BUILD)/run -c conf/nginx.conf -g 'daemon off;'

test: build
	@util/deps.sh test
	TEST_NGINX_BINARY=$(NGINX) \
	TEST_NGINX_LOAD_MODULES=$(MODULE) \
	TEST_NGINX_CONF_EXAMPLES=$(CURDIR)/conf-examples \
	    util/prove.sh

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
