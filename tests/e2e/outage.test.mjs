// The database lost during service (issue 7): a node on its own throw-away
// PostgreSQL cluster answers 503 problem+json with Retry-After while the
// server is stopped — reads, writes and /healthz — and serves again by itself
// when it comes back, without a restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { EXAMPLES_2, SOURCE_DIR, startServer, tempDir } from './harness.mjs';
import { client, login } from './procedure.mjs';
import { addAccountTo, run, skipWithoutPostgres as skip } from './pgutil.mjs';

const SCRIPT = path.join(SOURCE_DIR, 'scripts/pg-test-cluster.sh');
let clusterDir;
let url;
let server;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function cluster(cmd) {
  const r = spawnSync(SCRIPT, [cmd, clusterDir], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

function assertUnavailable(r) {
  assert.equal(r.status, 503, r.text);
  assert.equal(r.headers.get('content-type'), 'application/problem+json');
  assert.equal(r.headers.get('retry-after'), '1');
  assert.equal(r.body.status, 503);
  assert.equal(r.body.type, '/problems/unavailable');
}

before(async () => {
  if (skip) return;
  clusterDir = tempDir('limpide-outage-pg-');
  url = cluster('start');
  const dataDir = tempDir();
  const imported = run(['import', '--data-dir', dataDir, '--database', url, '--json', ...EXAMPLES_2]);
  assert.equal(imported.status, 0, imported.stderr);
  addAccountTo(url, dataDir, { email: 'agent@rennes.fr', name: 'Agent', org: '21350238800019', orgName: 'Rennes', role: 'buyer_agent' });
  server = await startServer({ dataDir, args: ['--rate-limit', '0', '--database', url] });
});

after(async () => {
  if (skip) return;
  if (server) assert.equal(await server.stop(), 0);
  spawnSync(SCRIPT, ['stop', clusterDir]);
});

test('503 with Retry-After while PostgreSQL is down, 200 again when it returns', { skip }, async () => {
  const call = client(server.base);
  const before = await call('GET', '/api/v1/contracts?limit=5');
  assert.equal(before.status, 200);
  assert.equal((await call('GET', '/healthz')).body.store, 'ok');
  const token = await login(call, 'agent@rennes.fr');

  cluster('pause');
  try {
    const started = Date.now();
    assertUnavailable(await call('GET', '/api/v1/contracts?limit=5'));
    assertUnavailable(await call('GET', `/api/v1/contracts/${encodeURIComponent(before.body.data[0].uid)}`));
    assertUnavailable(await call('GET', '/api/v1/me', { token }));
    assertUnavailable(await call('POST', '/api/v1/session', { json: { email: 'agent@rennes.fr', password: 'un mot de passe solide' } }));
    assertUnavailable(await call('GET', '/api/v1/ledger/head'));
    // Each answer came at once, not after a timeout.
    assert.ok(Date.now() - started < 5000, `${Date.now() - started} ms`);
    // /healthz says so within its one-second cache.
    let health;
    for (let i = 0; i < 30; i++) {
      health = await call('GET', '/healthz');
      if (health.status === 503) break;
      await sleep(100);
    }
    assertUnavailable(health);
    assert.match(health.body.detail, /store unreachable/);
  } finally {
    cluster('resume');
  }

  // The node reconnects by itself.
  let again;
  for (let i = 0; i < 100; i++) {
    again = await call('GET', '/api/v1/contracts?limit=5');
    if (again.status === 200) break;
    await sleep(100);
  }
  assert.equal(again.status, 200, again.text);
  assert.equal(again.text, before.text);
  assert.equal((await call('GET', '/api/v1/me', { token })).status, 200);
  assert.equal((await call('POST', '/api/v1/session', { json: { email: 'agent@rennes.fr', password: 'un mot de passe solide' } })).status, 201);
  for (let i = 0; i < 30; i++) {
    if ((await call('GET', '/healthz')).status === 200) break;
    await sleep(100);
  }
  assert.equal((await call('GET', '/healthz')).status, 200);
  assert.equal(server.child.exitCode, null);
});
