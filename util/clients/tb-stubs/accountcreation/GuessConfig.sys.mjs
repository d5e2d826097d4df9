// Stub of Thunderbird's GuessConfig.sys.mjs: probing servers needs the
// network; Exchange AutoDiscover only calls it when an answer has no IMAP
// or POP3 server, and the test reports that it did.
export const GuessConfig = {
  async guessConfig(domain) {
    throw new Error(`guessConfig(${domain}) called: no probing in the test`);
  },
};
