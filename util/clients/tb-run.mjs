// Runs Thunderbird's own account-setup code against the test nginx and
// prints, as JSON, the account Thunderbird would set up.
//
//   node tb-run.mjs OMNI NPM PORT HOSTS OPERATION ADDRESS
//
// OMNI   the directory thunderbird.sh filled (modules/, defaults/pref/)
// NPM    the npm prefix holding @xmldom/xmldom
// PORT   the test nginx's port on 127.0.0.1
// HOSTS  comma-separated host names whose requests go to that nginx
//        ("name" for both schemes, "http://name" or "https://name" for
//        one); requests to any other host fail as an unknown host would
//
// OPERATION, one of:
// isp       FetchConfig.fromISP(): the autoconfig URLs of the address's
//           domain (autoconfig.<domain>, <domain>/.well-known/...), the
//           answer through FetchHTTP, JXON and readFromXML
// exchange  fetchConfigFromExchange() of ExchangeAutoDiscover: Outlook's
//           POX request POSTed with Basic authentication, the answer
//           through FetchHTTP, JXON and readAutoDiscoverXML, then the
//           check for IMAP/POP3 (detectStandardProtocols); when
//           Thunderbird asks the user to confirm sending the password to
//           another domain, the answer is no
// exchange-accept  the same, the user saying yes
// find      FindConfig.parallelAutoDiscovery, what the account hub runs:
//           the application's isp/ directory (none here), autoconfig
//           (isp), Thunderbird's ISP database and the MX lookup (neither
//           reachable here) in their order of priority, and Exchange
//           AutoDiscover beside them; a request to confirm a redirect to
//           another domain is refused
// xhr       no Thunderbird code, ADDRESS is "METHOD URL": the harness's
//           own XMLHttpRequest sends METHOD to URL with an Authorization
//           header (and for POST a Content-Type and a body), for the
//           test of its redirects; prints the final status and
//           responseURL, or the error
//
// Our own code; Thunderbird's modules are loaded from OMNI, unchanged.

import { register } from "node:module";
import { pathToFileURL } from "node:url";
import { dirname, resolve } from "node:path";
import { installGlobals } from "./tb-env.mjs";

const [omniArg, npmArg, port, hostList, op, address] = process.argv.slice(2);
if (!address) {
  console.error(
    "usage: node tb-run.mjs OMNI NPM PORT HOSTS " +
      "isp|exchange|exchange-accept|find ADDRESS | xhr 'METHOD URL'"
  );
  process.exit(2);
}
const omni = resolve(omniArg);
const npmDir = resolve(npmArg);

const here = dirname(new URL(import.meta.url).pathname);
register("./tb-hooks.mjs", import.meta.url, {
  data: { omniModules: `${omni}/modules`, stubs: `${here}/tb-stubs` },
});

const logs = [];
// Mozilla logs a rejection nobody handled yet; node would exit on it
// (promiseFirstSuccessful awaits its promises one after the other)
process.on("unhandledRejection", e => logs.push(`unhandled rejection: ${e}`));
const env = installGlobals({
  omni,
  npmDir,
  hosts: hostList.split(","),
  port: Number(port),
  log: s => logs.push(s),
  appDir: `${omni}/app`,
});

const sockets = Object.fromEntries(
  Object.entries(Ci.nsMsgSocketType).map(([k, v]) => [v, k])
);
const auths = Object.fromEntries(
  Object.entries(Ci.nsMsgAuthMethod).map(([k, v]) => [v, k])
);

function server(s) {
  const out = {
    type: s.type,
    hostname: s.hostname,
    port: s.port,
    socketType: sockets[s.socketType] ?? s.socketType,
    auth: auths[s.auth] ?? s.auth,
    username: s.username,
  };
  if (s.authAlternatives) {
    out.authAlternatives = s.authAlternatives.map(a => auths[a] ?? a);
  }
  if (s.type == "pop3") {
    out.leaveMessagesOnServer = s.leaveMessagesOnServer;
    out.daysToLeaveMessagesOnServer = s.daysToLeaveMessagesOnServer;
  }
  for (const k of ["url", "owaURL", "exchangeURL", "easURL"]) {
    if (s[k]) {
      out[k] = s[k];
    }
  }
  if (s.useGlobalPreferredServer) {
    out.useGlobalPreferredServer = true;
  }
  return out;
}

function account(c) {
  return {
    id: c.id,
    displayName: c.displayName,
    domains: c.domains,
    source: c.source,
    subSource: c.subSource,
    complete: c.isComplete(),
    incoming: server(c.incoming),
    incomingAlternatives: c.incomingAlternatives.map(server),
    outgoing: server(c.outgoing),
    outgoingAlternatives: c.outgoingAlternatives.map(server),
  };
}

const domain = address.split("@").pop();
const out = {};
// what the user was asked: "DOMAIN SCHEME" for each confirmCallback
const confirmations = [];
try {
  let run;
  if (op == "isp") {
    const { FetchConfig } = await import(
      "resource:///modules/accountcreation/FetchConfig.sys.mjs"
    );
    await env.settle();
    run = () => FetchConfig.fromISP(domain, address, new AbortController().signal);
  } else if (op == "exchange" || op == "exchange-accept") {
    const { fetchConfigFromExchange } = await import(
      "resource:///modules/accountcreation/ExchangeAutoDiscover.sys.mjs"
    );
    await env.settle();
    run = () =>
      fetchConfigFromExchange(
        domain,
        address,
        new AbortController().signal,
        null,
        "secret",
        async (host, scheme) => {
          confirmations.push(`${host} ${scheme}`);
          if (op != "exchange-accept") {
            throw new Error(`asked to confirm ${host}`);
          }
        }
      );
  } else if (op == "find") {
    const { FindConfig } = await import(
      "resource:///modules/accountcreation/FindConfig.sys.mjs"
    );
    await env.settle();
    run = async () => {
      const steps = FindConfig.parallelAutoDiscovery(
        domain,
        address,
        new AbortController().signal,
        "secret"
      );
      let step = await steps.next();
      while (!step.done) {
        step = await steps.next({ acceptRedirect: false });
      }
      if (!step.value) {
        throw new Error("no configuration (parallelAutoDiscovery returned null)");
      }
      return step.value;
    };
  } else if (op == "xhr") {
    const [method, url] = address.split(" ");
    run = () =>
      new Promise(done => {
        const x = new XMLHttpRequest();
        x.open(method, url);
        x.setRequestHeader("Authorization", "Basic dGVzdDp0ZXN0");
        if (method == "POST") {
          x.setRequestHeader("Content-Type", "text/xml; charset=utf-8");
        }
        x.onload = () => done({ status: x.status, responseURL: x.responseURL });
        x.onerror = e =>
          done({
            status: x.status,
            responseURL: x.responseURL,
            error: e.message,
          });
        x.send(method == "POST" ? "<request/>" : undefined);
      });
  } else {
    throw new Error(`unknown operation ${op}`);
  }
  // modules the first ones asked for lazily
  await env.settle();
  if (op == "xhr") {
    out.xhr = await run();
  } else {
    out.account = account(await run());
  }
} catch (e) {
  out.error = String(e?.message ?? e);
  if (e?.errors) {
    out.errors = e.errors.map(x => String(x?.message ?? x));
  }
}
out.requests = env.requests;
out.exchanges = env.exchanges;
out.confirmations = confirmations;
out.log = logs;
process.stdout.write(JSON.stringify(out, null, 1) + "\n");
process.exit(0);
