// The few Mozilla globals Thunderbird's account-setup modules use, for
// node: ChromeUtils (lazy module getters), Services (preferences read from
// Thunderbird's own default preference files, URIs, base domains), Ci
// constants, Localization (message ids instead of translations),
// DOMParser (@xmldom/xmldom), and an XMLHttpRequest that sends the
// request to the test nginx for the host names the test names.
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
  const requests = [];
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
      const u = this._url;
      requests.push(`${this._method} ${u.href}`);
      if (!hosts.includes(u.hostname)) {
        setImmediate(() => this.onerror?.(new Error(`unknown host ${u.hostname}`)));
        return;
      }
      const headers = { ...this._headers, Host: u.host };
      this._req = http.request(
        {
          host: "127.0.0.1",
          port,
          method: this._method,
          path: u.pathname + u.search,
          headers,
        },
        res => {
          const chunks = [];
          res.on("data", c => chunks.push(c));
          res.on("end", () => {
            this.status = res.statusCode;
            this.statusText = res.statusMessage;
            this.responseURL = u.href;
            this._responseHeaders = res.headers;
            this.responseText = Buffer.concat(chunks).toString("utf8");
            if (res.statusCode >= 300 && res.statusCode < 400) {
              // a real XMLHttpRequest would follow it; the test sends none
              this.status = 0;
              this.onerror?.(new Error(`redirect ${res.statusCode} not followed`));
              return;
            }
            this.onload?.();
          });
        }
      );
      this._req.on("error", e => {
        if (!this._aborted) {
          this.onerror?.(e);
        }
      });
      if (body !== undefined) {
        this._req.write(body);
      }
      this._req.end();
    }
  };

  return {
    requests,
    async settle() {
      while (pending.size) {
        await Promise.all(pending.values());
      }
    },
  };
}
