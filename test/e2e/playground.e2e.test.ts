import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { type Browser, chromium, type Page } from 'playwright-core';
import { DEFAULT_TABS } from '../../src/server/playground/client';
import { startTestApp, type TestApp } from '../support/app';
import { resetTwins } from '../support/db';

/** Debian's Chromium (`apt-get install -y chromium`); Playwright's own browser download is not used. */
const CHROMIUM = '/usr/bin/chromium';
const REPORTS = join(__dirname, '..', '..', 'reports');

const FACTORY = { id: 'PG-E2E-1', name: 'Playground Works Ulm', country: 'DE' };

const QUERY_EDITOR = '.graphiql-query-editor .CodeMirror';
/** The visible one of the variables/headers editors below the query editor. */
const TOOL_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror';
const RESPONSE = '.graphiql-response';
const TAB = '.graphiql-tabs .graphiql-tab';

interface Frame {
  socket: string;
  direction: 'sent' | 'received';
  message: { type?: string; payload?: unknown };
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Replaces an editor's text the way a person pastes it: click, select all, insert. */
async function replaceText(page: Page, editor: string, text: string): Promise<void> {
  await page.locator(editor).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(text);
}

describe('the offline GraphiQL playground in headless Chromium', () => {
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let pageHtml = '';
  let pageHeaders: Record<string, string> = {};
  /** Every URL the browser asked for, WebSockets included. */
  const requested: string[] = [];
  /** Authorization header of each POST /graphql ('' when absent). */
  const graphqlAuthorization: string[] = [];
  const frames: Frame[] = [];
  /** Console errors, uncaught page errors and failed requests. */
  const problems: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: the playground e2e test drives Debian's Chromium. The test ` +
          "setup installs it when run as root or with passwordless sudo (see the setup's message " +
          'above); otherwise run `sudo apt-get update && sudo apt-get install -y ' +
          '--no-install-recommends chromium`.',
      );
    }
    // open for the page's first load (the untouched <key> hint is not sent), and a valid key for
    // the test that pastes one (a credential that is given is always checked)
    app = await startTestApp({ AUTH_REQUIRED: 'false', TWIN_ADMIN_KEY: 'e2e-playground-key' });
    await resetTwins(app.graph, app.runtime.telemetry.rules);
    await app.graph.write(
      'MERGE (f:Factory {id: $id}) SET f.name = $name, f.country = $country',
      FACTORY,
    );

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    context.on('request', (request) => {
      requested.push(request.url());
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') {
        graphqlAuthorization.push(request.headers()['authorization'] ?? '');
      }
    });
    context.on('requestfailed', (request) =>
      problems.push(`request failed: ${request.url()} (${request.failure()?.errorText ?? '?'})`),
    );
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) {
        problems.push(
          `HTTP ${response.status()} for ${response.request().method()} ${response.url()}`,
        );
      }
    });
    page.on('websocket', (socket) => {
      requested.push(socket.url());
      const record = (direction: Frame['direction']) => (frame: { payload: string | Buffer }) => {
        frames.push({
          socket: socket.url(),
          direction,
          message: JSON.parse(String(frame.payload)),
        });
      };
      socket.on('framesent', record('sent'));
      socket.on('framereceived', record('received'));
    });

    const response = await page.goto(`${app.url}/`);
    if (!response) throw new Error('no response for the playground page');
    pageHtml = await response.text();
    pageHeaders = response.headers();
    await page.locator(QUERY_EDITOR).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('when the page loads, then GraphiQL shows the default query and the headers hint, under a same-origin CSP', async () => {
    expect(await page.title()).toBe('twin-graph playground');
    expect(await page.locator(`${TAB}.graphiql-tab-active`).innerText()).toBe('Factories');
    expect(await page.locator(QUERY_EDITOR).innerText()).toContain('factories(first: 5)');
    expect(await page.locator(TOOL_EDITOR).innerText()).toContain(
      '"Authorization": "Bearer <key>"',
    );
    await expect(page.locator('.graphiql-execute-button').isVisible()).resolves.toBe(true);

    const references = [...pageHtml.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((m) => m[1] ?? '');
    expect(references.length).toBeGreaterThanOrEqual(7);
    for (const ref of references) expect(ref).toMatch(/^playground\//);

    const csp = pageHeaders['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).not.toContain('unsafe');
  });

  it('when the default query is run, then the result pane shows the factory from the database', async () => {
    await page.locator('.graphiql-execute-button').click();
    await page.locator(RESPONSE, { hasText: FACTORY.name }).waitFor({ timeout: 15000 });
    const result = await page.locator(RESPONSE).innerText();
    expect(result).toContain(`"id": "${FACTORY.id}"`);
    expect(result).toContain(`"name": "${FACTORY.name}"`);
    expect(result).toContain('"totalCount": 1');
    // The untouched "Bearer <key>" hint is not sent.
    expect(graphqlAuthorization.length).toBeGreaterThan(0);
    expect(graphqlAuthorization.every((auth) => auth === '')).toBe(true);

    mkdirSync(REPORTS, { recursive: true });
    await page.screenshot({ path: join(REPORTS, 'playground.png') });
  });

  it('when an Authorization header is set and a subscription is run, then graphql-ws connects to /graphql with it in connection_init', async () => {
    await replaceText(page, TOOL_EDITOR, '{"Authorization": "Bearer e2e-playground-key"}');
    await replaceText(page, QUERY_EDITOR, 'subscription PlaygroundE2E { __typename }');
    await page.keyboard.press('Control+Enter');

    const wsUrl = `${app?.url.replace(/^http/, 'ws')}/graphql`;
    const sent = (type: string) =>
      frames.find((f) => f.socket === wsUrl && f.direction === 'sent' && f.message.type === type);
    await waitUntil(
      'the subscription is sent over the WebSocket',
      () => sent('subscribe') !== undefined,
    );
    expect(sent('connection_init')?.message.payload).toEqual({
      authorization: 'Bearer e2e-playground-key',
    });
    expect(
      frames.some((f) => f.direction === 'received' && f.message.type === 'connection_ack'),
    ).toBe(true);
    expect(sent('subscribe')?.message.payload).toMatchObject({
      query: 'subscription PlaygroundE2E { __typename }',
    });
    // Whatever the schema makes of it (it has no such subscription), the answer reaches the pane.
    await page.locator(RESPONSE, { hasText: '"errors"' }).waitFor({ timeout: 15000 });

    // The same header goes with HTTP requests too.
    await replaceText(page, QUERY_EDITOR, '{ factories(first: 1) { totalCount } }');
    const post = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/graphql'));
    await page.keyboard.press('Control+Enter');
    expect((await post).headers()['authorization']).toBe('Bearer e2e-playground-key');
    // Pasted and run at once: GraphiQL still names the previous operation, the fetcher drops that.
    await page.locator(RESPONSE, { hasText: '"totalCount": 1' }).waitFor({ timeout: 15000 });
    await page.screenshot({ path: join(REPORTS, 'playground-headers.png') });
  });

  it('when the impact tabs are opened, then they hold the worked queries on the demo seed, which the schema accepts', async () => {
    // Tab titles are the operation names. The first tab (query Factories) is the one the tests
    // above typed an anonymous query into, so its title is GraphiQL's "<untitled>" by now.
    const titles = await page.locator(TAB).allInnerTexts();
    expect(titles).toHaveLength(6);
    expect(titles.slice(1)).toEqual([
      'ImpactSupplierOutage',
      'ImpactAssetDowntime',
      'Simulate',
      'RiskExposure',
      'Alerts',
    ]);
    const schema = buildSchema(
      readFileSync(join(__dirname, '..', '..', 'graph-schema', 'schema.graphql'), 'utf8'),
    );
    for (const tab of DEFAULT_TABS) {
      expect(validate(schema, parse(tab.query)).map((e) => e.message)).toEqual([]);
    }

    await page.locator(TAB, { hasText: 'ImpactSupplierOutage' }).click();
    const query = await page.locator(QUERY_EDITOR).innerText();
    expect(query).toContain('supplierId: "S-POLYBOND"');
    expect(query).toContain('asOf: "2026-11-25T00:00:00Z"');
    // Each tab has its own headers editor, with the same hint.
    expect(await page.locator(TOOL_EDITOR).innerText()).toContain(
      '"Authorization": "Bearer <key>"',
    );
    await page.screenshot({ path: join(REPORTS, 'playground-impact.png') });
    await page.locator(TAB, { hasText: 'ImpactAssetDowntime' }).click();
    expect(await page.locator(QUERY_EDITOR).innerText()).toContain('assetId: "A-LEI-TRAY-OVEN"');
  });

  it('when all that is done, then every request of the page stayed on the app host and nothing failed', () => {
    const origin = new URL(app?.url ?? 'http://invalid').host;
    expect(requested.length).toBeGreaterThan(8);
    const elsewhere = requested.filter((url) => {
      const { protocol, host } = new URL(url);
      return protocol !== 'data:' && host !== origin;
    });
    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
  });
});
