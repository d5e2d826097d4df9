// Module resolution hooks for tb-run.mjs (registered with module.register):
// Thunderbird's modules import each other by resource:// URLs; these map
// them to the files thunderbird.sh took out of the package's omni.ja, or
// to this directory's stubs for what needs a browser, a network or a UI.

import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";

let omniModules;
let stubs;

export async function initialize(data) {
  omniModules = data.omniModules;
  stubs = data.stubs;
}

export async function resolve(specifier, context, nextResolve) {
  const m = /^resource:\/\/(?:gre)?\/modules\/(.+)$/.exec(specifier);
  if (!m) {
    return nextResolve(specifier, context);
  }
  const stub = `${stubs}/${m[1]}`;
  const real = `${omniModules}/${m[1]}`;
  const path = existsSync(stub) ? stub : real;
  if (!existsSync(path)) {
    throw new Error(`tb-hooks: no file for ${specifier} (looked for ${real})`);
  }
  return { url: pathToFileURL(path).href, shortCircuit: true, format: "module" };
}
