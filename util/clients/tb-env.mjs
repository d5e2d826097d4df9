// The few Mozilla globals Thunderbird's account-setup modules use, for
// node: ChromeUtils (lazy module getters), Services (preferences read from
// Thunderbird's own default preference files, URIs, base domains), Ci
// constants, Localization (message ids instead of translations),
// DOMParser (@xmldom/xmldom), and an XMLHttpRequest that sends the
// request to the test nginx for the host names the test names and follows
// redirects as Firefox's does.
//
// Written for this project; no code of Thunderbird's is in this file.

import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import http from "node:http";

export function installGlobals({ omni, npmDir, hosts, port, log, appDir }) {
  const require = createRequire(`${npmDir}/node_modules/`);
  const { DOMParser } = require("@xmldom/xmldom");

  // ---- modules: lazy getters over modules imported ahead of use --------
  const loaded = new Map(); // url -> namespace
  const pending = new Map(); // url -> promise
  function want(url) {
    if (!loaded.has(url) && !pending.has(url)) {
      pending.set(
        url,
        import(url).then(ns => {
          loaded.set(url, ns);
          pending.delete(url);
        })
      );
    }
  }
  function get(url) {
    if (!loaded.has(url)) {
      throw new Error(`module ${url} used before it was loaded`);
    }
    return loaded.get(url);
  }
  globalThis.ChromeUtils = {
    defineESModuleGetters(obj, map) {
      for (const [name, url] of Object.entries(map)) {
        want(url);
        Object.defineProperty(obj, name, {
          configurable: true,
          enumerable: true,
          get: () => get(url)[name],
        });
      }
    },
    defineLazyGetter(obj, name, fn) {
      let value;
      let done = false;
      Object.defineProperty(obj, name, {
        configurable: true,
        enumerable: true,
        get() {
          if (!done) {
            value = fn.call(obj);
            done = true;
          }
          return value;
        },
      });
    },
    importESModule(url) {
      return get(url);
    },
  };

  // ---- preferences: Thunderbird's defaults/pref/*.js --------------------
  const prefs = new Map();
  const dir = `${omni}/defaults/pref`;
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith(".js")) {
      continue;
    }
    const text = readFileSync(`${dir}/${file}`, "utf8");
    const re = /^\s*(?:pref|sticky_pref)\(\s*("(?:[^"\\]|\\.)*")\s*,\s*(true|false|-?\d+|"(?:[^"\\]|\\.)*")\s*(?:,[^)]*)?\)\s*;/gm;
    for (const m of text.matchAll(re)) {
      prefs.set(JSON.parse(m[1]), JSON.parse(m[2]));
    }
  }
  // compiled into libxul (StaticPrefList), not in the default files; the
  // release value
  const staticPrefs = { "mail.graph.enabled": false };
  function pref(name, def) {
    if (prefs.has(name)) {
      return prefs.get(name);
    }
    if (name in staticPrefs) {
      return staticPrefs[name];
    }
    if (def !== undefined) {
      return def;
    }
    throw new Error(`no preference ${name}`);
  }

  function baseDomain(host) {
    return host.split(".").slice(-2).join(".");
  }
  function newURI(spec) {
    const u = new URL(spec);
    return {
      spec: u.href,
      scheme: u.protocol.replace(/:$/, ""),
      host: u.hostname,
      QueryInterface() {
        return this;
      },
    };
  }

  globalThis.Services = {
    prefs: {
      getBoolPref: pref,
      getCharPref: pref,
      getIntPref: pref,
      getStringPref: pref,
    },
    io: { newURI },
    // the application's directory, for <dir>/isp/<domain>.xml
    dirsvc: {
      get() {
        return {
          path: appDir,
          append(name) {
            this.path += `/${name}`;
          },
          isReadable() {
            return existsSync(this.path);
          },
        };
      },
    },
    // the test's domains are all under two-label public suffixes
    eTLD: {
      getBaseDomain: uri => baseDomain(uri.host),
      getBaseDomainFromHost: baseDomain,
      getSchemelessSite: uri => baseDomain(uri.host),
    },
  };

  // MailNewsTypes2.idl's values; AccountConfig's validateSocketType() checks
  // for 0..3
  globalThis.Ci = {
    nsMsgSocketType: { plain: 0, trySTARTTLS: 1, alwaysSTARTTLS: 2, SSL: 3 },
    nsMsgAuthMethod: {
      none: 1,
      old: 2,
      passwordCleartext: 3,
      passwordEncrypted: 4,
      GSSAPI: 5,
      NTLM: 6,
      External: 7,
      secure: 8,
      anything: 9,
      OAuth2: 10,
    },
    nsIURL: {},
    nsIFile: {},
  };
  globalThis.Cu = { isInAutomation: false };
  globalThis.IOUtils = {
    exists: async path => existsSync(path),
    readUTF8: async path => readFileSync(path, "utf8"),
  };

  globalThis.Localization = class {
    formatValueSync(id) {
      return id;
    }
    async formatValue(id) {
      return id;
    }
  };

  globalThis.dump = s => log(String(s));
  const logger = {};
  for (const level of ["log", "debug", "info", "warn", "error", "trace"]) {
    logger[level] = (...args) => log(`mail.setup ${level}: ${args.join(" ")}`);
  }
  console.createInstance = () => logger;
  console.error = (...args) => log(`console.error: ${args.join(" ")}`);

  if (!Promise.withResolvers) {
    Promise.withResolvers = () => {
      let resolve, reject;
      const promise = new Promise((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    };
  }

  globalThis.DOMParser = DOMParser;

  // ---- XMLHttpRequest: to the test nginx, for the named hosts ----------
  //
  // A HOSTS entry "name" maps both schemes of that host to the nginx;
  // "http://name" or "https://name" only that scheme, so that the other
  // one fails as a host without that service would. The nginx gets every
  // request over plain HTTP, with the URL's Host.
  //
  // Redirects are followed as the Fetch standard says and Firefox's
  // XMLHttpRequest does: 301, 302, 303, 307 and 308 with a Location; a
  // POST answered with 301 or 302, and anything but GET or HEAD answered
  // with 303, becomes a GET without a body and without the body's headers
  // (Content-Type, Content-Encoding, Content-Language, Content-Location);
  // 307 and 308 keep the method and the body; an Authorization header set
  // with setRequestHeader() is dropped when the redirect leaves the origin;
  // the 21st redirect, a Location that is no URL or not http(s), is a
  // network error (status 0, onerror). responseURL and status are the
  // final ones. open()'s user and password are not sent: Firefox would
  // use them only to answer a 401, which none of the test's answers is.
  //
  // requests lists every request sent, "METHOD URL"; exchanges the same
  // with what went with it and what came back:
  //   "METHOD URL [auth] [body]: STATUS" or "...: error MESSAGE"
  const requests = [];
  const exchanges = [];
  const bodyHeaders = [
    "content-type",
    "content-encoding",
    "content-language",
    "content-location",
  ];
  function mapped(u) {
    return (
      hosts.includes(u.hostname) ||
      hosts.includes(`${u.protocol}//${u.hostname}`)
    );
  }
  globalThis.XMLHttpRequest = class {
    constructor() {
      this.channel = {};
      this.status = 0;
      this.statusText = "";
      this.responseURL = "";
      this.responseText = "";
      this._headers = {};
      this._responseHeaders = {};
    }
    open(method, url) {
      this._method = method;
      this._url = new URL(url);
    }
    setRequestHeader(name, value) {
      this._headers[name] = value;
    }
    getResponseHeader(name) {
      return this._responseHeaders[name.toLowerCase()] ?? null;
    }
    get responseXML() {
      return new DOMParser().parseFromString(this.responseText, "text/xml");
    }
    abort() {
      this._aborted = true;
      this._req?.destroy();
    }
    send(body) {
      this._fetch(this._method, this._url, { ...this._headers }, body, 0);
    }
    _fail(line, why) {
      exchanges.push(`${line}: error ${why}`);
      this.status = 0;
      this.statusText = "";
      this.responseURL = "";
      this.responseText = "";
      this._responseHeaders = {};
      setImmediate(() => this.onerror?.(new Error(why)));
    }
    _fetch(method, u, headers, body, hops) {
      requests.push(`${method} ${u.href}`);
      const has = n => Object.keys(headers).some(k => k.toLowerCase() == n);
      const line =
        `${method} ${u.href}` +
        (has("authorization") ? " [auth]" : "") +
        (body !== undefined && body !== null ? " [body]" : "");
      if (!mapped(u)) {
        this._fail(line, `unknown host ${u.hostname}`);
        return;
      }
      const sent = { ...headers, Host: u.host };
      if (body !== undefined && body !== null) {
        // as Firefox does for a string body, rather than node's chunks
        sent["Content-Length"] = Buffer.byteLength(body);
      }
      this._req = http.request(
        {
          host: "127.0.0.1",
          port,
          method,
          path: u.pathname + u.search,
          headers: sent,
        },
        res => {
          const chunks = [];
          res.on("data", c => chunks.push(c));
          res.on("end", () => {
            if (this._aborted) {
              return;
            }
            const status = res.statusCode;
            const location = res.headers.location;
            if ([301, 302, 303, 307, 308].includes(status) && location) {
              exchanges.push(`${line}: ${status}`);
              this._redirect(method, u, headers, body, hops, status, location);
              return;
            }
            exchanges.push(`${line}: ${status}`);
            this.status = status;
            this.statusText = res.statusMessage;
            this.responseURL = u.href.replace(/#.*/, "");
            this._responseHeaders = res.headers;
            this.responseText = Buffer.concat(chunks).toString("utf8");
            this.onload?.();
          });
        }
      );
      this._req.on("error", e => {
        if (!this._aborted) {
          this._fail(line, e.message);
        }
      });
      if (body !== undefined && body !== null) {
        this._req.write(body);
      }
      this._req.end();
    }
    _redirect(method, u, headers, body, hops, status, location) {
      let next;
      try {
        next = new URL(location, u);
      } catch (e) {
        this._fail(`redirect to ${location}`, "Location is no URL");
        return;
      }
      if (next.protocol != "http:" && next.protocol != "https:") {
        this._fail(`redirect to ${next.href}`, "not an http(s) URL");
        return;
      }
      if (hops >= 20) {
        this._fail(`redirect to ${next.href}`, "more than 20 redirects");
        return;
      }
      if (!next.hash && u.hash) {
        next.hash = u.hash;
      }
      const h = { ...headers };
      if (
        ((status == 301 || status == 302) && method == "POST") ||
        (status == 303 && method != "GET" && method != "HEAD")
      ) {
        method = "GET";
        body = undefined;
        for (const k of Object.keys(h)) {
          if (bodyHeaders.includes(k.toLowerCase())) {
            delete h[k];
          }
        }
      }
      if (next.origin != u.origin) {
        for (const k of Object.keys(h)) {
          if (k.toLowerCase() == "authorization") {
            delete h[k];
          }
        }
      }
      this._fetch(method, next, h, body, hops + 1);
    }
  };

  return {
    requests,
    exchanges,
    async settle() {
      while (pending.size) {
        await Promise.all(pending.values());
      }
    },
  };
}
