// The read API v1 through the real server, on the real 2019 data.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { EXAMPLES_2, REAL_FILES, SOURCE_DIR, getJson, runImport, startServer, tempDir } from './harness.mjs';

let server;
let base;
before(async () => {
  const dataDir = tempDir();
  const r = runImport(dataDir, [...REAL_FILES, ...EXAMPLES_2]);
  assert.equal(r.status, 0, r.stderr);
  server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
  base = server.base;
});
after(async () => {
  const code = await server?.stop();
  assert.equal(code, 0, 'graceful exit on SIGTERM');
  server?.cleanup();
});

test('healthz answers ok', async () => {
  const r = await getJson(`${base}/healthz`);
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'ok');
});

test('keyset pagination visits every contract exactly once', async () => {
  const seen = new Set();
  let url = `${base}/api/v1/contracts?limit=1000`;
  let pages = 0;
  let previousDate = '9999-12-31';
  while (url) {
    const r = await getJson(url);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    for (const c of r.body.data) {
      assert.ok(!seen.has(c.uid), `duplicate ${c.uid}`);
      seen.add(c.uid);
      const d = c.notifiedOn ?? '0000-00-00';
      assert.ok(d <= previousDate, `order: ${d} after ${previousDate}`);
      previousDate = d;
    }
    url = r.body.links.next ? `${base}${r.body.links.next}` : null;
    pages += 1;
  }
  const count = await getJson(`${base}/api/v1/contracts?limit=1`);
  assert.ok(seen.size > 8000, `saw ${seen.size}`);
  assert.ok(pages >= 9);
  assert.equal(count.body.data.length, 1);
});

test('filters narrow the listing and every item matches them', async () => {
  const r = await getJson(`${base}/api/v1/contracts?procedure=appel_offres_ouvert&cpv=45&amount_min=100000&limit=200`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.data.length > 0);
  for (const c of r.body.data) {
    assert.equal(c.procedure.code, 'appel_offres_ouvert');
    assert.ok(c.cpv.startsWith('45'), c.cpv);
    assert.ok(c.amount >= 100000, String(c.amount));
  }
  const text = await getJson(`${base}/api/v1/contracts?q=restauration%20scolaire&limit=50`);
  assert.ok(text.body.data.length > 0);
  for (const c of text.body.data) {
    assert.match(c.object.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase(), /restauration/);
  }
  const dates = await getJson(`${base}/api/v1/contracts?notified_from=2018-06-01&notified_to=2018-06-30&limit=1000`);
  for (const c of dates.body.data) assert.ok(c.notifiedOn >= '2018-06-01' && c.notifiedOn <= '2018-06-30');
});

test('a contract is found by its uid, and its buyer and supplier pages hold it', async () => {
  const list = await getJson(`${base}/api/v1/contracts?limit=5&procedure=appel_offres_ouvert`);
  const c = list.body.data[0];
  const one = await getJson(`${base}/api/v1/contracts/${encodeURIComponent(c.uid)}`);
  assert.equal(one.status, 200);
  // The one-contract view is the list item plus every source it was read from.
  const { sources, ...summary } = one.body;
  assert.deepEqual(summary, c);
  assert.ok(sources.some((s) => s.source === c.source), JSON.stringify(sources));
  const buyer = await getJson(`${base}/api/v1/organizations/${c.buyer.id}`);
  assert.equal(buyer.status, 200);
  assert.ok(buyer.body.asBuyer.contracts >= 1);
  const byBuyer = await getJson(`${base}/api/v1/contracts?buyer=${c.buyer.id}&limit=1000`);
  assert.equal(byBuyer.body.data.length, Math.min(buyer.body.asBuyer.contracts, 1000));
  const holder = c.holders[0];
  const supplier = await getJson(`${base}/api/v1/organizations/${encodeURIComponent(holder.id)}`);
  assert.equal(supplier.status, 200);
  assert.ok(supplier.body.asHolder.contracts >= 1);
});

test('bad parameters are 400 problem+json naming the parameter', async () => {
  const cases = {
    limit: 'limit=0', buyer: 'buyer=123', cpv: 'cpv=4x', procedure: 'procedure=nope',
    notified_from: 'notified_from=2019-02-30', amount_min: 'amount_min=abc', after: 'after=garbage!!',
    colour: 'colour=red',
  };
  for (const [field, qs] of Object.entries(cases)) {
    const r = await getJson(`${base}/api/v1/contracts?${qs}`);
    assert.equal(r.status, 400, `${qs} -> ${r.status}`);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
    assert.equal(r.body.status, 400);
    assert.equal(r.body.field, field, `${qs}: ${JSON.stringify(r.body)}`);
  }
});

test('unknown things are 404 problem+json', async () => {
  for (const url of ['/api/v1/contracts/nope', '/api/v1/organizations/99999999999990', '/api/v1/cpv/99999999', '/no/such/path']) {
    const r = await getJson(`${base}${url}`);
    assert.equal(r.status, 404, url);
    assert.equal(r.headers.get('content-type'), 'application/problem+json');
  }
});

test('a CPV code shows its labels, hierarchy and contracts', async () => {
  const r = await getJson(`${base}/api/v1/cpv/45000000-7`);
  assert.equal(r.status, 200);
  assert.equal(r.body.code, '45000000-7');
  assert.match(r.body.labelFr, /construction/i);
  assert.equal(r.body.children.length, 5); // 451… to 455…
  assert.ok(r.body.contracts.count > 100);
  const wrong = await getJson(`${base}/api/v1/cpv/45000000-1`);
  assert.equal(wrong.status, 400);
});

test('the CSV export streams every matching contract', async () => {
  const r = await fetch(`${base}/api/v1/contracts.csv?cpv=45`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /text\/csv/);
  assert.equal(r.headers.get('transfer-encoding'), 'chunked');
  const text = await r.text();
  const cpv = await getJson(`${base}/api/v1/cpv/45000000`);
  // One header line; rows may contain quoted newlines, so count rows by records.
  const rows = text.split('\r\n').filter(Boolean).length - 1;
  assert.ok(rows >= cpv.body.contracts.count, `${rows} rows for ${cpv.body.contracts.count} contracts`);
});

test('the OpenAPI description is valid and lists every enum value found in the data', async () => {
  const r = await getJson(`${base}/api/v1/openapi.json`);
  assert.equal(r.status, 200);
  assert.equal(r.body.openapi, '3.1.0');
  const dir = tempDir();
  const file = path.join(dir, 'openapi.json');
  (await import('node:fs')).writeFileSync(file, JSON.stringify(r.body));
  const lint = spawnSync(path.join(SOURCE_DIR, 'node_modules/.bin/redocly'), ['lint', '--format=stylish', file], { encoding: 'utf8' });
  assert.equal(lint.status, 0, lint.stdout + lint.stderr);
});

test('metrics count requests by route and status', async () => {
  await fetch(`${base}/api/v1/contracts/nope`);
  const r = await fetch(`${base}/metrics`);
  const text = await r.text();
  assert.match(text, /limpide_http_requests_total\{[^}]*route="\/api\/v1\/contracts\/\{uid\}"[^}]*status="404"[^}]*\} \d+/);
  assert.match(text, /limpide_http_request_duration_seconds_bucket/);
});

test('an oversized body is refused with 413', async () => {
  // The limit is limpide serve --max-body-mib (16 by default).
  const r = await fetch(`${base}/api/v1/contracts`, { method: 'POST', body: 'x'.repeat(17 * 1024 * 1024) }).catch((e) => e);
  if (r instanceof Error) assert.fail(`connection error instead of 413: ${r.message}`);
  assert.equal(r.status, 413);
});
