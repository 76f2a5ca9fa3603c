import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startNats, type NatsServerHandle } from '@easyremote/nats-launcher';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnGateway, spawnNode, type AppProcess, type GatewayProcess } from '../support/processes.js';
import { findTool, runsWith } from '../support/optional-tools.js';
import { bearer, createKey } from '../support/security-helpers.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? findTool('chromium') ?? '/usr/bin/chromium';
const RESULTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const DASHBOARD_SCREENSHOT = `${RESULTS}dashboard.png`;

// The dashboard in a real browser (Debian's chromium, headless, driven by playwright-core), with
// authentication on: its data needs the same key as the API; a node that joins and a call that
// happens appear without a reload.
describe.runIf(runsWith('chromium'))('observability: the dashboard, live, in a real browser', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess | undefined;
  let browser: Browser;
  let key: string;
  let toolsOnly: string;

  beforeAll(async () => {
    nats = await startNats({ path: process.env.PATH });
    gateway = await spawnGateway(nats.url, { EASYREMOTE_AUTH: 'on' });
    key = (await createKey(nats.url, 'dashboard', ['analytics:read'])).key;
    toolsOnly = (await createKey(nats.url, 'tools-only', ['tools:list', 'tools:call'])).key;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([gateway?.stop(), node?.stop()]);
    await nats?.stop();
  });

  it('shows a node that joins and a call that happens, without a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++;
    });
    // The data sits behind the API's authentication: without a key the page asks for one.
    expect((await fetch(`${gateway.url}/mcp/dashboard/state`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/mcp/analytics/report`)).status).toBe(401);
    expect((await fetch(`${gateway.url}/mcp/dashboard/state`, { headers: bearer(key) })).status).toBe(200);
    // The mesh-wide views need analytics:read: a key that may call every tool still sees none of them.
    expect((await fetch(`${gateway.url}/mcp/dashboard/state`, { headers: bearer(toolsOnly) })).status).toBe(403);
    expect((await fetch(`${gateway.url}/mcp/analytics/report`, { headers: bearer(toolsOnly) })).status).toBe(403);
    await page.goto(`${gateway.url}/dashboard`);
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.locator('#key').fill(key);
    await page.locator('#login button').click();
    await page.locator('#status').filter({ hasText: 'live' }).waitFor();
    expect(await page.locator('#c-nodes').textContent()).toBe('0');

    node = await spawnNode(nats.url, ['test/fixtures/test-tools.ts'], { EASYREMOTE_NODE_ID: 'dash-node' });
    await page.locator('#nodes tr[data-node="dash-node"]').waitFor({ timeout: 15_000 });
    await page.locator('#tools tr[data-tool="fixture.add"]').filter({ hasText: 'dash-node' }).waitFor();
    expect(await page.locator('#c-nodes').textContent()).toBe('1');

    const response = await fetch(`${gateway.url}/mcp/tools/fixture.add`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(toolsOnly) },
      body: JSON.stringify({ a: 20, b: 22 }),
    });
    expect(response.status).toBe(200);
    const recent = page.locator('#recent tbody tr').filter({ hasText: 'fixture.add' }).filter({ hasText: 'dash-node' });
    await recent.first().waitFor({ timeout: 10_000 });
    expect(await recent.first().locator('td.ok').textContent()).toBe('success');
    await page.locator('#ch-calls[data-total="1"]').waitFor();
    await page.locator('#report-summary').filter({ hasText: /^1 calls/ }).waitFor({ timeout: 10_000 });

    expect(navigations).toBe(1);
    expect(errors).toEqual([]);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: DASHBOARD_SCREENSHOT, fullPage: true });
  });
});
