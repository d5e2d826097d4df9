// Stub of Thunderbird's OAuth2Module.sys.mjs: no OAuth2 provider for any
// host (the test domains are unknown to Thunderbird's provider list too),
// so Exchange AutoDiscover goes on with Basic authentication.
export class OAuth2Module {
  initFromHostname() {
    return false;
  }
}
