import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from '../fakes/fake-github.js';
import { findChromium } from '../harness/chromium.js';
import { eventOf, FIXTURES, FORGE_TOKEN, sign, WEBHOOK_KEY } from '../harness/flux-fixtures.js';
import { startTestServer } from '../harness/test-server.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHA = 'a549a44b3316991928c80b3bee0eb916d16c9dcc';
const FAILING = ['Deployment/apps/podinfo', 'Deployment/apps/backend', 'HelmRelease/apps/redis'];
const HEALTH_CHECK_FAILED =
  "health check failed after 5m0.031402813s: timeout waiting for: [Deployment/apps/podinfo status: 'InProgress', " +
  "Deployment/apps/backend status: 'Failed', HelmRelease/apps/redis status: 'InProgress']";
/** Markup, an attribute break and a right-to-left override: none of it may act on the page. */
const HOSTILE =
  '<script>window.__ran = "script"</script>"><img src=x onerror="window.__ran=\'img\'">' +
  '<a href="javascript:window.__ran=1">x</a> deployment \u202Egnp.exe\u202C failed';
/** Where the README's picture is written, when asked: `UPDATE_DOCS_SCREENSHOT=1`. */
const SCREENSHOT =
  process.env.UPDATE_DOCS_SCREENSHOT === '1'
    ? new URL('../../docs/details-page.png', import.meta.url).pathname
    : join(tmpdir(), `details-page-${process.pid}.png`);

const found = findChromium();
if ('problem' in found && !found.fatal) process.stderr.write(`${found.problem} Skipping test/browser.\n`);

if ('problem' in found && found.fatal) {
  describe('the browser tests under CI', () => {
    it('have a Chromium to run in', () => {
      throw new Error(found.problem);
    });
  });
}

/** A route of the test's GitHub with details pages, for one cluster. */
function pageRoute(apiUrl: string, cluster: string, fields: Record<string, unknown> = {}) {
  return {
    id: cluster,
    cluster,
    auth: { type: 'hmac', secret: 'e2e/webhook' },
    provider: {
      type: 'github',
      address: 'https://github.com/acme/fleet-infra',
      secret: 'e2e/github',
      apiUrl,
    },
    detailsPage: true,
    ...fields,
  };
}

const SECRETS = {
  'e2e/webhook': { token: WEBHOOK_KEY },
  'e2e/github': { token: FORGE_TOKEN },
  'e2e/details-key': { token: 'details-page-key-for-the-browser-test' },
};

async function axeViolations(browser: Browser, url: string) {
  // axe is a script, which the page's own policy refuses: this context alone sets the policy aside.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(url);
  await page.addScriptTag({ content: AXE_SOURCE });
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations;
  });
  await context.close();
  return result;
}

async function phoneOf(browser: Browser, options: { javaScriptEnabled?: boolean } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 412, height: 915 }, ...options });
  return context.newPage();
}

/** The page's width and the window's: a page that fits a phone is no wider. */
function widths(page: Page): Promise<number[]> {
  // The page's own globals, typed here: this project's TypeScript has no DOM library.
  return page.evaluate(() => {
    const view = globalThis as unknown as {
      document: { documentElement: { scrollWidth: number } };
      innerWidth: number;
    };
    return [view.document.documentElement.scrollWidth, view.innerWidth];
  });
}

/** The details page as a person opens it from the forge's "Details" link: real Chromium, real HTTP. */
describe.runIf('path' in found)('the details page in Chromium', () => {
  let github: FakeGitHub;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;

  async function post(event: Record<string, unknown>): Promise<void> {
    const body = JSON.stringify(event);
    const response = await fetch(`${server.url}/hooks/prod-eu-1`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-signature': sign(body) },
    });
    expect(response.status).toBe(200);
  }

  function event(minutesAgo: number, fields: Record<string, unknown>, name = 'apps') {
    const base = eventOf(FIXTURES.healthCheckFailed);
    base.involvedObject.name = name;
    base.timestamp = new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    return { ...base, ...fields };
  }
  const progressing = {
    severity: 'info',
    reason: 'Progressing',
    message: 'Deployment/apps/podinfo configured',
  };
  const failed = { severity: 'error', reason: 'HealthCheckFailed', message: HEALTH_CHECK_FAILED };

  /** The link GitHub shows on the newest status of a context. */
  function linkOf(context: string): string {
    const status = github.statusesOf('acme/fleet-infra', SHA).find((s) => s.context === context);
    expect(status?.target_url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/details\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/,
    );
    return status?.target_url as string;
  }

  const phone = (options: { javaScriptEnabled?: boolean } = {}) => phoneOf(browser, options);

  beforeAll(async () => {
    github = await new FakeGitHub().start();
    server = await startTestServer(
      {
        routes: [pageRoute(github.url, 'prod-eu-1')],
        detailsPage: { secret: 'e2e/details-key' },
      },
      SECRETS,
    );
    await post(event(31, progressing));
    await post(event(25, failed));
    await post(event(14, progressing));
    await post(event(8, failed));
    await post(event(3, { ...failed, message: HOSTILE }, 'hostile'));
    browser = await chromium.launch({ executablePath: 'path' in found ? found.path : '' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await github?.stop();
  });

  it('shows the failure, its cluster and every failing resource, and fits a phone', async () => {
    // Act
    const page = await phone();
    const response = await page.goto(linkOf('kustomization/apps/prod-eu-1'));
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Assert
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
    const verdict = page.getByRole('heading', { level: 1 });
    await expect.poll(() => verdict.textContent()).toBe('✗ Failurekustomization/apps/prod-eu-1');
    expect(await verdict.isVisible()).toBe(true);
    expect(
      await page
        .getByRole('definition')
        .filter({ hasText: /^prod-eu-1$/ })
        .isVisible(),
    ).toBe(true);
    const failing = page
      .getByRole('list')
      .filter({ hasText: 'Deployment/apps/podinfo' })
      .getByRole('listitem');
    expect(await failing.allTextContents()).toEqual([
      'Deployment/apps/podinfo status: InProgress',
      'Deployment/apps/backend status: Failed',
      'HelmRelease/apps/redis status: InProgress',
    ]);
    for (const item of await failing.all()) expect(await item.isVisible()).toBe(true);
    const history = page.locator('ol.history > li .badge');
    expect(await history.allTextContents()).toEqual(['✗ Failure', '… Pending', '✗ Failure', '… Pending']);
    const width = await widths(page);
    expect(width[0]).toBeLessThanOrEqual(width[1] as number);
    const png = readFileSync(SCREENSHOT);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.length).toBeGreaterThan(20_000);
  });

  it('reads the same without JavaScript', async () => {
    // Act
    const page = await phone({ javaScriptEnabled: false });
    await page.goto(linkOf('kustomization/apps/prod-eu-1'));

    // Assert
    const verdict = page.getByRole('heading', { level: 1 });
    expect(await verdict.isVisible()).toBe(true);
    expect(await verdict.textContent()).toContain('Failure');
    for (const object of FAILING)
      expect(await page.getByText(object, { exact: true }).isVisible()).toBe(true);
  });

  it('runs nothing that an event carried, and shows it as text', async () => {
    // Act
    const page = await phone();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => dialogs.push(dialog.message()));
    await page.goto(linkOf('kustomization/hostile/prod-eu-1'));

    // Assert
    expect(await page.evaluate(() => (globalThis as unknown as { __ran?: unknown }).__ran)).toBeUndefined();
    expect(await page.locator('script, img, a[href], [onerror]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    const message = await page.locator('pre').textContent();
    expect(message).toContain('<script>window.__ran = "script"</script>');
    expect(message).toContain('[U+202E]gnp.exe[U+202C]');
  });

  it('passes axe-core with no violation: the failure, the hostile page and the 404 page', async () => {
    // Act
    const pages = [
      linkOf('kustomization/apps/prod-eu-1'),
      linkOf('kustomization/hostile/prod-eu-1'),
      `${server.url}/details/unknown`,
    ];
    const violations = await Promise.all(pages.map((url) => axeViolations(browser, url)));

    // Assert
    expect(violations).toEqual([[], [], []]);
  });

  it('answers an altered link with the plain 404 page', async () => {
    // Act
    const link = linkOf('kustomization/apps/prod-eu-1');
    const page = await phone();
    const response = await page.goto(`${link.slice(0, -1)}${link.endsWith('A') ? 'B' : 'A'}`);

    // Assert
    expect(response?.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
  });
});

/** A roll-up's page as a person opens it from the environment's check: the local server, real Chromium. */
describe.runIf('path' in found)("a roll-up's details page in Chromium", () => {
  const clusters = ['prod-eu-1', 'prod-us-1', 'prod-us-2', 'prod-ap-1'];
  const context = 'flux/production/kustomization/apps';
  let github: FakeGitHub;
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;

  async function post(cluster: string, minutesAgo: number, fields: Record<string, unknown>): Promise<void> {
    const base = eventOf(FIXTURES.healthCheckFailed);
    base.involvedObject.name = 'apps';
    base.timestamp = new Date(Date.now() - minutesAgo * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const body = JSON.stringify({ ...base, ...fields });
    const response = await fetch(`${server.url}/hooks/${cluster}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-signature': sign(body) },
    });
    // The roll-up's consumer writes it after the answer: 202 when the report changed it, 200 otherwise.
    expect([200, 202]).toContain(response.status);
  }

  /** The roll-up's link, once its consumer (in the server's process) wrote it with the hostile failure. */
  async function rollupLink(): Promise<string> {
    const rollup = () =>
      github.statusesOf('acme/fleet-infra', SHA).find((status) => status.context === context);
    await expect.poll(() => rollup()?.description ?? '', { timeout: 10_000 }).toMatch(/2 failing/);
    return rollup()?.target_url as string;
  }

  beforeAll(async () => {
    github = await new FakeGitHub().start();
    server = await startTestServer(
      {
        routes: clusters.map((cluster) =>
          pageRoute(github.url, cluster, { environment: 'production', clusterStatuses: false }),
        ),
        environments: { production: {} },
        detailsPage: { secret: 'e2e/details-key' },
      },
      SECRETS,
    );
    // A success counts as Flux marks it for commit statuses.
    await post('prod-eu-1', 20, {
      severity: 'info',
      reason: 'ReconciliationSucceeded',
      message: 'Reconciliation finished in 1.8s',
      metadata: { ...eventOf(FIXTURES.healthCheckFailed).metadata, commit_status: 'update' },
    });
    await post('prod-us-2', 15, {
      severity: 'info',
      reason: 'Progressing',
      message: 'Deployment/apps/podinfo configured',
    });
    await post('prod-us-1', 10, {
      severity: 'error',
      reason: 'HealthCheckFailed',
      message: HEALTH_CHECK_FAILED,
    });
    await post('prod-ap-1', 5, { severity: 'error', reason: 'HealthCheckFailed', message: HOSTILE });
    browser = await chromium.launch({ executablePath: 'path' in found ? found.path : '' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await github?.stop();
  });

  it('lists every cluster, failing first, runs nothing a message carried, fits a phone and passes axe-core', async () => {
    // Act
    const link = await rollupLink();
    const page = await phoneOf(browser);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => dialogs.push(dialog.message()));
    const response = await page.goto(link);
    const violations = await axeViolations(browser, link);

    // Assert
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/details\/[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'none'/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`✗ Failure${context}`);
    const names = await page.locator('ol.clusters > li > strong').allTextContents();
    expect(names).toEqual(['prod-us-1', 'prod-ap-1', 'prod-us-2', 'prod-eu-1']);
    const badges = await page.locator('ol.clusters > li > .badge').allTextContents();
    expect(badges).toEqual(['✗ Failure', '✗ Failure', '… Pending', '✓ Success']);
    for (const item of await page.locator('ol.clusters > li').all())
      expect(await item.isVisible()).toBe(true);
    expect(await page.evaluate(() => (globalThis as unknown as { __ran?: unknown }).__ran)).toBeUndefined();
    expect(await page.locator('script, img, a[href], [onerror]').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(await page.locator('ol.clusters').textContent()).toContain('[U+202E]gnp.exe[U+202C]');
    const width = await widths(page);
    expect(width[0]).toBeLessThanOrEqual(width[1] as number);
    expect(violations).toEqual([]);
  });
});
