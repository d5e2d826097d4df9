// Stub of Mozilla's AddonManager: no add-ons in the test.
export const AddonManager = {};
