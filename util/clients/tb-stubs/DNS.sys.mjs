// Stub of Thunderbird's DNS.sys.mjs: the test has no DNS, every lookup
// fails as a name without records would.
async function fail(name) {
  throw new Error(`no DNS in the test: ${name}`);
}
export const DNS = { srv: fail, mx: fail, txt: fail };
