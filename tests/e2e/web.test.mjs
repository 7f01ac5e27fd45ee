// The web pages in real Chromium (Debian's), driven by Playwright, with
// JavaScript disabled: every page must work without it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { REAL_FILES, SOURCE_DIR, runImport, startServer, tempDir } from './harness.mjs';

const require = createRequire(path.join(SOURCE_DIR, 'package.json'));
const { chromium } = require('playwright-core');
const CHROMIUM = process.env.LIMPIDE_CHROMIUM || '/usr/bin/chromium';

let server;
let browser;
let page;
const shots = path.join(tempDir('limpide-shots-'));

before(async () => {
  const dataDir = tempDir();
  assert.equal(runImport(dataDir, REAL_FILES).status, 0);
  server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ javaScriptEnabled: false, locale: 'fr-FR' });
  page = await context.newPage();
  mkdirSync(shots, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
  server?.cleanup();
});

test('home page shows figures, a search box and the latest contracts', async () => {
  const r = await page.goto(`${server.base}/`);
  assert.equal(r.status(), 200);
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.locator('h1').count(), 1);
  assert.match(await page.locator('h1').innerText(), /commande publique/i);
  assert.equal(await page.locator('main table tbody tr').count(), 10);
  // The stylesheet from npm is served.
  const css = await page.request.get(`${server.base}/static/pico.min.css`);
  assert.equal(css.status(), 200);
});

test('searching from the home page lists matching contracts, then a contract opens', async () => {
  await page.goto(`${server.base}/`);
  await page.getByLabel("Rechercher dans l'objet des contrats").fill('voirie');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.waitForURL(/\/contrats\?q=voirie/);
  const rows = page.locator('main table tbody tr');
  assert.ok(await rows.count() > 0);
  const firstLink = rows.first().locator('td:nth-child(2) a');
  const title = (await firstLink.innerText()).trim();
  assert.match(title.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase(), /voirie/);
  await firstLink.click();
  await page.waitForURL(/\/contrats\/.+/);
  assert.equal((await page.locator('h1').innerText()).trim(), title);
  assert.ok(await page.getByText('Titulaires').count() >= 1);
  await page.screenshot({ path: path.join(shots, 'contract.png'), fullPage: true });
  assert.ok(existsSync(path.join(shots, 'contract.png')));
});

test('filters and pagination work without JavaScript', async () => {
  await page.goto(`${server.base}/contrats`);
  await page.selectOption('select[name=procedure]', 'appel_offres_ouvert');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.waitForURL(/procedure=appel_offres_ouvert/);
  const next = page.getByRole('link', { name: 'Page suivante' });
  assert.equal(await next.count(), 1);
  const before = await page.locator('main table tbody tr').first().innerText();
  await next.click();
  await page.waitForURL(/after=/);
  const afterText = await page.locator('main table tbody tr').first().innerText();
  assert.notEqual(afterText, before);
  await page.screenshot({ path: path.join(shots, 'list.png') });
});

test('an organization page shows what it bought and from whom', async () => {
  await page.goto(`${server.base}/contrats`);
  await page.locator('main table tbody tr').first().locator('td:nth-child(3) a').click();
  await page.waitForURL(/\/organisations\//);
  assert.ok(await page.getByRole('heading', { name: "Ce qu'elle achète" }).count() === 1);
  await page.screenshot({ path: path.join(shots, 'organization.png') });
});

test('a bad filter shows a French error page with status 400', async () => {
  const r = await page.goto(`${server.base}/contrats?buyer=12`);
  assert.equal(r.status(), 400);
  assert.match(await page.locator('h1').innerText(), /Demande incorrecte/);
  const missing = await page.goto(`${server.base}/contrats/inconnu`);
  assert.equal(missing.status(), 404);
});
