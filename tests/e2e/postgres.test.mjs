// The binary on PostgreSQL (issue 7): `--database postgresql://…` on migrate,
// import and serve, and a clear failure when the database is unreachable.
// Needs LIMPIDE_TEST_POSTGRES (a server where we may CREATE DATABASE), which
// `./dev test` provides by starting a throw-away cluster.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { BIN, EXAMPLES_2, startServer, tempDir, getJson } from './harness.mjs';

const ADMIN_URL = process.env.LIMPIDE_TEST_POSTGRES;
const skip = ADMIN_URL ? false : 'LIMPIDE_TEST_POSTGRES is not set (./dev test starts a cluster)';
let dbName;
let dbUrl;

function psql(sql) {
  const r = spawnSync('psql', [ADMIN_URL, '-v', 'ON_ERROR_STOP=1', '-qc', sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
}

before(() => {
  if (skip) return;
  dbName = `limpide_e2e_${randomBytes(6).toString('hex')}`;
  psql(`CREATE DATABASE ${dbName}`);
  const u = new URL(ADMIN_URL);
  u.pathname = `/${dbName}`;
  dbUrl = u.toString();
});

after(() => {
  if (!skip) psql(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
});

test('migrate, import and serve on PostgreSQL', { skip }, async () => {
  const dataDir = tempDir();
  const m = spawnSync(BIN, ['migrate', '--data-dir', dataDir, '--database', dbUrl], { encoding: 'utf8' });
  assert.equal(m.status, 0, m.stderr);
  assert.match(m.stdout, /^schema version \d+\n$/);
  const i = spawnSync(BIN, ['import', '--data-dir', dataDir, '--database', dbUrl, '--json', ...EXAMPLES_2],
    { encoding: 'utf8' });
  assert.equal(i.status, 0, i.stderr);
  const report = JSON.parse(i.stdout);
  assert.ok(report.totals.inserted > 0, i.stdout);
  // No SQLite file appears in the data directory.
  const server = await startServer({ dataDir, args: ['--database', dbUrl] });
  try {
    const list = await getJson(`${server.base}/api/v1/contracts?limit=1000`);
    assert.equal(list.status, 200);
    assert.equal(list.body.data.length, report.totals.inserted);
    const head = await getJson(`${server.base}/api/v1/ledger/head`);
    assert.equal(head.body.tree_size, report.totals.inserted + report.totals.updated);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  assert.equal(spawnSync('ls', [dataDir], { encoding: 'utf8' }).stdout.includes('limpide.db'), false);
});

test('an unreachable database: a clear message and a non-zero exit', { skip }, () => {
  const r = spawnSync(BIN, ['serve', '--data-dir', tempDir(), '--listen', '127.0.0.1:0',
    '--database', 'postgresql://postgres@127.0.0.1:1/nowhere'], { encoding: 'utf8', timeout: 60_000 });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /limpide serve: unavailable: cannot connect to PostgreSQL/);
  assert.ok(!r.stderr.includes('password'));
});
