/**
 * The bootstrap admin credential every test server gets (TWIN_ADMIN_KEY), and the header that
 * carries it: `gql` and `subscribe` send it unless a test passes its own. Tests of credentials
 * and roles make keys of their own (docs/security.md).
 */
export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';
export const ADMIN_AUTHORIZATION = `Bearer ${TEST_ADMIN_KEY}`;
