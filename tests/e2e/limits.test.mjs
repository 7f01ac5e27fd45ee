// Per-client rate limiting and graceful shutdown of the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

test('a client over its rate limit gets 429 with Retry-After', async () => {
  const s = await startServer({ args: ['--rate-limit', '2', '--burst', '5'] });
  try {
    const statuses = [];
    for (let i = 0; i < 20; i += 1) {
      const r = await fetch(`${s.base}/healthz`);
      statuses.push(r.status);
      if (r.status === 429) {
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
        assert.equal(r.headers.get('content-type'), 'application/problem+json');
      }
      await r.arrayBuffer();
    }
    assert.ok(statuses.includes(429), statuses.join(','));
    assert.ok(statuses.slice(0, 5).every((x) => x === 200), statuses.join(','));
  } finally {
    assert.equal(await s.stop(), 0);
    s.cleanup();
  }
});

test('the demo start adds synthetic open consultations that say so, once', async () => {
  const { demoFiles, tempDir, EXAMPLES_2 } = await import('./harness.mjs');
  const seeds = demoFiles(tempDir()).flatMap((f) => ['--seed', f]);
  const list = async (server) => (await fetch(`${server.base}/api/v1/tenders?limit=100`)).json();
  const first = await startServer({ args: [...seeds, '--demo-tenders', '7'] });
  try {
    const r1 = await list(first);
    assert.equal(r1.data.length, 7);
    for (const t of r1.data) {
      assert.equal(t.state.code, 'published');
      assert.match(t.description, /démonstration/);
      assert.ok(Date.parse(t.deadline) > Date.now() + 30 * 24 * 3600 * 1000);
    }
    assert.match(first.stderr(), /7 demo consultations published/);
    // Paged in the API's envelope: links.next until the last page.
    const page1 = await (await fetch(`${first.base}/api/v1/tenders?limit=5`)).json();
    assert.equal(page1.data.length, 5);
    assert.equal(page1.links.self, '/api/v1/tenders?limit=5');
    const page2 = await (await fetch(`${first.base}${page1.links.next}`)).json();
    assert.deepEqual([...page1.data, ...page2.data].map((t) => t.id).sort(), r1.data.map((t) => t.id).sort());
    assert.equal(page2.links.next, undefined);
  } finally {
    assert.equal(await first.stop(), 0);
  }
  // A later start keeps them and adds none.
  const second = await startServer({ dataDir: first.dataDir, args: [...seeds, '--demo-tenders', '7'] });
  try {
    assert.equal((await list(second)).data.length, 7);
  } finally {
    assert.equal(await second.stop(), 0);
    second.cleanup();
  }
  // Too few seed contracts to draw from: the server still starts, and says why.
  const small = await startServer({
    args: [...EXAMPLES_2.flatMap((f) => ['--seed', f]), '--demo-tenders', '3'],
  });
  try {
    assert.match(small.stderr(), /no demo consultations/);
  } finally {
    assert.equal(await small.stop(), 0);
    small.cleanup();
  }
});

test('the server seeds an empty store with the demo files once', async () => {
  const { EXAMPLES_2 } = await import('./harness.mjs');
  const seeds = EXAMPLES_2.flatMap((f) => ['--seed', f]);
  const first = await startServer({ args: seeds });
  const r1 = await (await fetch(`${first.base}/api/v1/contracts?limit=1000`)).json();
  assert.ok(r1.data.length >= 5);
  assert.equal(await first.stop(), 0);
  const second = await startServer({ dataDir: first.dataDir, args: seeds });
  const r2 = await (await fetch(`${second.base}/api/v1/contracts?limit=1000`)).json();
  assert.equal(r2.data.length, r1.data.length);
  assert.doesNotMatch(second.stderr(), /importing/);
  assert.equal(await second.stop(), 0);
  second.cleanup();
});
