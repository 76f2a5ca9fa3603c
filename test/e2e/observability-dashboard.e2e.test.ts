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
const LONG_NODE_ID = `gpu-box-${'x'.repeat(48)}-eu-1`.slice(0, 64);

// The dashboard in a real browser (Debian's chromium, headless, driven by playwright-core), with
// authentication on: its data needs the same key as the API; a node that joins and a call that
// happens appear without a reload.
describe.runIf(runsWith('chromium'))('observability: the dashboard, live, in a real browser', () => {
  let nats: NatsServerHandle;
  let gateway: GatewayProcess;
  let node: AppProcess | undefined;
  let extra: AppProcess | undefined;
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
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([gateway?.stop(), node?.stop(), extra?.stop()]);
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

    node = await spawnNode(nats.url, ['test/fixtures/test-tools.ts', 'test/fixtures/conformance-task-tools.ts'], {
      EASYREMOTE_NODE_ID: 'dash-node',
    });
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

    await page
      .locator('#report-summary')
      .filter({ hasText: /^1 calls/ })
      .waitFor({ timeout: 10_000 });

    // A task started through REST is listed, and its row follows it to its end.
    const started = await fetch(`${gateway.url}/mcp/tools/slow_compute`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', prefer: 'respond-async', ...bearer(toolsOnly) },
      body: JSON.stringify({ seconds: 1, label: 'dash' }),
    });
    expect(started.status).toBe(202);
    const { taskId } = (await started.json()) as { taskId: string };
    const taskRow = page.locator(`#tasks tr[data-task="${taskId}"]`);
    await taskRow.filter({ hasText: 'working' }).waitFor({ timeout: 10_000 });
    await taskRow.locator('td.ok').filter({ hasText: 'completed' }).waitFor({ timeout: 10_000 });
    expect(await taskRow.textContent()).toContain('slow_compute');

    // A second node with the longest id allowed, so the tables have something wide to fit.
    extra = await spawnNode(nats.url, ['test/fixtures/test-tools.ts'], { EASYREMOTE_NODE_ID: LONG_NODE_ID });
    await page.locator(`#nodes tr[data-node="${LONG_NODE_ID}"]`).waitFor({ timeout: 15_000 });
    await page.locator('#tools tr[data-tool="fixture.add"]').filter({ hasText: LONG_NODE_ID }).waitFor();

    // Issue 13: at 1400 px nothing scrolls sideways — not the page, not a table inside its panel.
    // Runs in the page (the tests compile without DOM types, hence a string).
    const fit = (await page.evaluate(`(() => {
      const root = document.documentElement;
      const tables = [...document.querySelectorAll('table')].map((table) => {
        const panel = table.closest('section');
        return { id: table.id || panel.querySelector('h2').textContent, table: table.getBoundingClientRect().width, room: panel.clientWidth, panelScroll: panel.scrollWidth };
      });
      return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, tables };
    })()`)) as {
      scrollWidth: number;
      clientWidth: number;
      tables: Array<{ id: string; table: number; room: number; panelScroll: number }>;
    };
    expect(fit.scrollWidth).toBeLessThanOrEqual(fit.clientWidth);
    expect(fit.tables.length).toBeGreaterThanOrEqual(7); // nodes, tools, conflicts, tasks, recent, and the report's two
    for (const table of fit.tables) {
      expect(table.table, `table ${table.id} is wider than its panel`).toBeLessThanOrEqual(table.room);
      expect(table.panelScroll, `the panel of table ${table.id} scrolls sideways`).toBeLessThanOrEqual(table.room);
    }

    // Every chart carries a time axis: HH:MM tick labels, in time order, plus a 0 and a peak on the y axis.
    for (const id of ['ch-calls', 'ch-latency', 'ch-errors']) {
      const ticks = await page
        .locator(`#${id} .x-axis text`)
        .evaluateAll((nodes) =>
          nodes.map((node) => ({ text: node.textContent, t: Number(node.getAttribute('data-t')) })),
        );
      expect(ticks.length, `${id} has time ticks`).toBeGreaterThanOrEqual(3);
      for (const tick of ticks) {
        const at = new Date(tick.t);
        expect(tick.text).toBe(`${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`);
      }
      expect(ticks.map((tick) => tick.t)).toEqual([...ticks.map((tick) => tick.t)].sort((a, b) => a - b));
      expect(await page.locator(`#${id} .y-axis text`).allTextContents()).toContain('0');
    }

    expect(navigations).toBe(1);
    expect(errors).toEqual([]);
    mkdirSync(RESULTS, { recursive: true });
    await page.screenshot({ path: DASHBOARD_SCREENSHOT, fullPage: true });
  });
});
