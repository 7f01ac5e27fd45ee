// A whole procedure driven by `limpide tender …` only (docs/cli.md): the
// buyer publishes from a JSON file, two companies deposit with the CLI (one
// twice, one resuming a cut upload, one withdrawing), the deadline passes, the
// buyer opens with its secret key file, scores, awards and signs. Receipts
// verify with `limpide verify`; errors give the API's problem on stderr and a
// non-zero exit code; the token is never printed; the bids are sealed before
// they leave the client (the marker is found nowhere on the server).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, startServer, tempDir } from './harness.mjs';
import { addAccount, client, draft, siret } from './procedure.mjs';

const BUYER = { siret: siret('2135023880001'), name: 'Commune de Rennes' };
const ACME = { siret: siret('7328293200007'), name: 'Élagage Acme' };
const BOIS = { siret: siret('4420591390001'), name: 'Bois et Forêts SARL' };
const MARKER = 'MARQUEUR-CLI-5d1e0b7a93';
const GRACE_SECONDS = 1;
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

let server;
let call;
let work;
const tokens = {};
let tenderId;
let deadline;
const files = {};
const receipts = {};

function token(dataDir, email, scopes) {
  const r = spawnSync(BIN, ['token', 'create', '--data-dir', dataDir, '--email', email, '--scopes', scopes],
    { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// Runs `limpide tender ARGS` as a script would: server and token from the environment.
function cli(args, { tok, server: base = server.base, input } = {}) {
  const env = { ...process.env, LIMPIDE_SERVER: base };
  delete env.LIMPIDE_TOKEN;
  if (tok) env.LIMPIDE_TOKEN = tok;
  const r = spawnSync(BIN, ['tender', ...args], { encoding: 'utf8', env, cwd: work, input, timeout: 120_000 });
  // The token is never printed, whatever happens.
  for (const t of Object.values(tokens)) {
    assert.ok(!r.stdout.includes(t) && !r.stderr.includes(t), `token printed by ${args.join(' ')}`);
  }
  return r;
}

function ok(args, opts) {
  const r = cli(args, opts);
  assert.equal(r.status, 0, `limpide tender ${args.join(' ')}: ${r.stderr}`);
  return r;
}

function okJson(args, opts) {
  return JSON.parse(ok([...args, '--json'], opts).stdout);
}

before(async () => {
  const dataDir = tempDir();
  work = tempDir('limpide-cli-work-');
  addAccount(dataDir, { email: 'agent@rennes.fr', name: 'Agent', org: BUYER.siret, orgName: BUYER.name, role: 'buyer_agent' });
  addAccount(dataDir, { email: 'contact@acme.fr', name: 'Acme', org: ACME.siret, orgName: ACME.name, role: 'company_rep' });
  addAccount(dataDir, { email: 'contact@bois.fr', name: 'Bois', org: BOIS.siret, orgName: BOIS.name, role: 'company_rep' });
  tokens.buyer = token(dataDir, 'agent@rennes.fr', 'tenders');
  tokens.acme = token(dataDir, 'contact@acme.fr', 'deposits');
  tokens.bois = token(dataDir, 'contact@bois.fr', 'deposits');
  server = await startServer({ dataDir, args: ['--rate-limit', '0', '--deposit-grace', String(GRACE_SECONDS)] });
  call = client(server.base);
});

after(async () => {
  if (process.env.LIMPIDE_E2E_STDERR) console.error(server.stderr());
  assert.equal(await server.stop(), 0);
  server.cleanup();
});

test('the buyer creates and publishes from a JSON file; the secret key goes to a file only', async () => {
  // Far enough for the deposits and the refused early opening to happen
  // before it under sanitizers on a loaded machine (12 s seen in CI).
  deadline = new Date(Date.now() + 25_000).toISOString();
  writeFileSync(path.join(work, 'draft.json'), JSON.stringify(draft({ deadline })));
  const created = okJson(['create', 'draft.json'], { tok: tokens.buyer });
  assert.equal(created.state.code, 'draft');
  tenderId = created.id;
  // A draft is the buyer's only.
  assert.equal(cli(['show', tenderId]).status, 1);
  ok(['upload', tenderId, path.join(work, 'draft.json'), '--name', 'Règlement de consultation.json'], { tok: tokens.buyer });

  const published = cli(['publish', tenderId, '--secret-key-file', 'opening.key'], { tok: tokens.buyer });
  assert.equal(published.status, 0, published.stderr);
  assert.match(published.stdout, new RegExp(`${tenderId} published`));
  const keyFile = path.join(work, 'opening.key');
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  const secret = readFileSync(keyFile, 'utf8').trim();
  assert.ok(!published.stdout.includes(secret) && !published.stderr.includes(secret));
  // Never replaced: publishing again into the same file is refused before any request.
  const again = cli(['publish', tenderId, '--secret-key-file', 'opening.key'], { tok: tokens.buyer });
  assert.equal(again.status, 2);
  assert.match(again.stderr, /exists/);

  const shown = okJson(['show', tenderId]);
  assert.equal(shown.state.code, 'published');
  assert.equal(shown.documents[0].name, 'Règlement de consultation.json');
  const text = ok(['show', tenderId]).stdout;
  assert.match(text, /state: published/);
  assert.ok(text.includes(shown.opening_public_key));
  const list = ok(['list']).stdout;
  assert.ok(list.includes(tenderId), list);

  // A company downloads the DCE document.
  const dl = ok(['download', tenderId, shown.documents[0].sha256, '-o', 'rc.json'], { tok: tokens.bois });
  assert.match(dl.stdout, /rc\.json/);
  assert.deepEqual(readFileSync(path.join(work, 'rc.json')), readFileSync(path.join(work, 'draft.json')));

  // An amendment from the same form, with a new description.
  writeFileSync(path.join(work, 'amended.json'), JSON.stringify({ ...draft({ deadline }), description: 'Élagage et abattage de 130 arbres' }));
  const amended = okJson(['amend', tenderId, 'amended.json', '--summary', '130 arbres au lieu de 120'], { tok: tokens.buyer });
  assert.equal(amended.amendments.length, 1);
});

test('a question asked and answered from the command line', async () => {
  const q = okJson(['ask', tenderId, 'Faut-il évacuer les déchets verts ?'], { tok: tokens.acme });
  assert.ok(q.id);
  ok(['answer', tenderId, q.id, 'Oui, en filière agréée.'], { tok: tokens.buyer });
  const pub = ok(['questions', tenderId]).stdout;
  assert.match(pub, /déchets verts/);
  assert.match(pub, /filière agréée/);
});

test('errors: the API problem on stderr, a non-zero exit code, never the token', async () => {
  const bad = cli(['deposits', tenderId], { tok: 'lmp_forgedforgedforgedforgedforgedforgedforged1' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^limpide tender deposits: 401 /m);
  assert.ok(!bad.stderr.includes('forgedforged'));
  writeFileSync(path.join(work, 'x.txt'), 'x');
  const unknown = cli(['deposit', '2026-01-01-deadbeef', 'x.txt'], { tok: tokens.acme });
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /404 Not Found: .*2026-01-01-deadbeef/);
  // The buyer's token cannot deposit: the API says so, not the CLI.
  const role = cli(['deposit', tenderId, 'x.txt'], { tok: tokens.buyer });
  assert.equal(role.status, 1);
  assert.match(role.stderr, /403 /);
  // No server there: exit 3, the server named.
  const down = cli(['show', tenderId], { server: 'http://127.0.0.1:9' });
  assert.equal(down.status, 3);
  assert.match(down.stderr, /127\.0\.0\.1:9/);
  assert.equal(cli(['show', tenderId], { server: 'ftp://example.org' }).status, 2);
  assert.equal(cli(['deposit', tenderId, 'missing.pdf'], { tok: tokens.acme }).status, 2);
  // --json keeps the problem on stderr and nothing on stdout.
  const j = cli(['show', '2026-01-01-deadbeef', '--json']);
  assert.equal(j.status, 1);
  assert.equal(j.stdout, '');
});

test('companies deposit with the CLI: sealed here, resumable, receipts that verify', async () => {
  const key = await call('GET', '/api/v1/ledger/key');
  writeFileSync(path.join(work, 'ledger-key.json'), key.text);
  // Acme: a first deposit cut after its first chunk, finished with --resume.
  files.acme1 = Buffer.alloc(1024 * 1024 + 10, 1);
  Buffer.from(`première offre ${MARKER}`).copy(files.acme1, 1024 * 1024 + 1);
  writeFileSync(path.join(work, 'offre.pdf'), files.acme1);
  const shown = okJson(['show', tenderId]);
  const start = await call('POST', `/api/v1/tenders/${tenderId}/deposits`, {
    token: tokens.acme, json: { documents: [{ name: 'offre.pdf', size: files.acme1.length, sealed: true }] },
  });
  assert.equal(start.status, 201, start.text);
  const { seal, sodium } = await import('./procedure.mjs');
  const chunks = seal.sealDocument(sodium, seal.publicKeyFromBase64(sodium, shown.opening_public_key), new Uint8Array(files.acme1));
  const put = await call('PUT', `/api/v1/tenders/${tenderId}/deposits/${start.body.id}/documents/0/chunks/0`,
    { token: tokens.acme, type: 'application/octet-stream', body: chunks[0] });
  assert.equal(put.status, 200, put.text);
  // Resuming with other files than the declared ones is refused before anything is sent.
  const other = cli(['deposit', tenderId, 'x.txt', '--resume', start.body.id], { tok: tokens.acme });
  assert.equal(other.status, 2);
  assert.match(other.stderr, /document 0 is offre\.pdf of 1048586 bytes, not x\.txt of 1 bytes/);
  // The token may come from a file (not visible in `ps`).
  writeFileSync(path.join(work, 'acme.token'), `${tokens.acme}\n`);
  const resumed = ok(['deposit', tenderId, 'offre.pdf', '--resume', start.body.id, '--receipt', 'acme-1.json', '--token-file', 'acme.token']);
  assert.match(resumed.stdout, /1 chunk\(s\) sent, 1 already there/);
  assert.match(resumed.stdout, /on time/);

  // Acme's second deposit, two documents, replaces the first.
  files.acme2 = Buffer.from(`offre finale ${MARKER} 48000 EUR`);
  files.acmeMemo = Buffer.alloc(2 * 1024 * 1024 + 5, 3);
  writeFileSync(path.join(work, 'offre-finale.pdf'), files.acme2);
  writeFileSync(path.join(work, 'mémoire technique.odt'), files.acmeMemo);
  const second = cli(['deposit', tenderId, 'offre-finale.pdf', 'mémoire technique.odt', '--receipt', 'acme-2.json'], { tok: tokens.acme });
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /deposit \S+ started \(resume with --resume \S+\)/);
  assert.match(second.stdout, /2 document\(s\), 4 chunk\(s\) sent/);
  receipts.acme = JSON.parse(readFileSync(path.join(work, 'acme-2.json'), 'utf8'));
  assert.equal(receipts.acme.receipt.depositor.id, ACME.siret);
  assert.equal(receipts.acme.receipt.sealed_by_server, false);
  assert.equal(receipts.acme.receipt.documents[1].chunk_sha256.length, 3);

  // Bois: deposits, withdraws, deposits again (--json: the receipt as the API gives it).
  files.bois = Buffer.from(`offre Bois ${MARKER} 47000 EUR`);
  writeFileSync(path.join(work, 'offre-bois.txt'), files.bois);
  const first = okJson(['deposit', tenderId, 'offre-bois.txt', '--receipt', 'bois-0.json'], { tok: tokens.bois });
  const withdrawn = okJson(['withdraw', tenderId, first.receipt.id], { tok: tokens.bois });
  assert.equal(withdrawn.state, 'withdrawn');
  const bois = okJson(['deposit', tenderId, 'offre-bois.txt', '--receipt', 'bois.json'], { tok: tokens.bois });
  assert.deepEqual(JSON.parse(readFileSync(path.join(work, 'bois.json'), 'utf8')), bois);
  receipts.bois = bois;
  const mine = ok(['deposits', tenderId], { tok: tokens.bois }).stdout;
  assert.match(mine, /withdrawn/);
  assert.match(mine, /complete/);
  assert.ok(!mine.includes(ACME.siret));

  // Every receipt the CLI saved verifies offline.
  for (const f of ['acme-1.json', 'acme-2.json', 'bois-0.json', 'bois.json']) {
    const v = spawnSync(BIN, ['verify', 'receipt', path.join(work, f), '--key', path.join(work, 'ledger-key.json')], { encoding: 'utf8' });
    assert.equal(v.status, 0, `${f}: ${v.stdout}${v.stderr}`);
  }
  // Sealed before leaving: the marker is nowhere on the server.
  for (const f of readdirSync(server.dataDir)) {
    if (!f.startsWith('limpide.db')) continue;
    assert.equal(readFileSync(path.join(server.dataDir, f)).indexOf(MARKER), -1, `${f} holds the marker`);
  }
  assert.ok(!server.stderr().includes(MARKER));
  // Opening before the deadline is refused, with the API's reason.
  const early = cli(['open', tenderId, '--secret-key-file', 'opening.key'], { tok: tokens.buyer });
  assert.equal(early.status, 1);
  assert.match(early.stderr, /409 /);
});

test('after the deadline the buyer opens with its key, scores, awards and signs', async () => {
  const wait = Date.parse(deadline) + GRACE_SECONDS * 1000 + 300 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  assert.equal(cli(['withdraw', tenderId, receipts.bois.receipt.id], { tok: tokens.bois }).status, 1);

  const opened = cli(['open', tenderId, '--secret-key-file', 'opening.key', '--output', 'plis'], { tok: tokens.buyer });
  assert.equal(opened.status, 0, opened.stderr);
  assert.match(opened.stdout, /2 bid\(s\) opened into plis/);
  const acmeBid = receipts.acme.receipt.id;
  const boisBid = receipts.bois.receipt.id;
  assert.deepEqual(readFileSync(path.join(work, 'plis', acmeBid, 'offre-finale.pdf')), files.acme2);
  assert.deepEqual(readFileSync(path.join(work, 'plis', acmeBid, 'mémoire technique.odt')), files.acmeMemo);
  assert.deepEqual(readFileSync(path.join(work, 'plis', boisBid, 'offre-bois.txt')), files.bois);
  assert.ok(!existsSync(path.join(work, 'plis', receipts.bois.receipt.id, 'offre.pdf')));
  // Opening again downloads the same bids (a script may run twice).
  ok(['open', tenderId, '--secret-key-file', 'opening.key', '--output', 'plis-2'], { tok: tokens.buyer });
  assert.equal(sha256(readFileSync(path.join(work, 'plis-2', acmeBid, 'offre-finale.pdf'))), sha256(files.acme2));

  writeFileSync(path.join(work, 'scores.json'), JSON.stringify({
    scores: { [acmeBid]: { Prix: 80, 'Valeur technique': 90 }, [boisBid]: { Prix: 90, 'Valeur technique': 60 } },
  }));
  const ranking = ok(['score', tenderId, 'scores.json'], { tok: tokens.buyer }).stdout;
  assert.match(ranking, new RegExp(`^1\\. bid ${acmeBid} .*84\\.00/100`, 'm'));
  const bids = okJson(['bids', tenderId], { tok: tokens.buyer });
  assert.equal(bids.ranking[0].bid, acmeBid);
  ok(['award', tenderId, acmeBid], { tok: tokens.buyer });
  const signed = okJson(['sign', tenderId, '--amount', '48000.00', '--duration-months', '6'], { tok: tokens.buyer });
  assert.equal(signed.state.code, 'data_published');
  const contract = await call('GET', `/api/v1/contracts/${encodeURIComponent(signed.contract.uid)}`);
  assert.equal(contract.status, 200, contract.text);
  assert.equal(contract.body.extra.offresRecues, 2);
  assert.equal(contract.body.holders[0].id, ACME.siret);
  const notes = ok(['notifications'], { tok: tokens.bois }).stdout;
  assert.match(notes, /bid\.rejected/);

  // The receipt's proof into the ledger, saved by the CLI, verifies.
  ok(['proof', tenderId, acmeBid, '--output', 'preuve'], { tok: tokens.acme });
  const v = spawnSync(BIN, ['verify', 'receipt', path.join(work, 'preuve/receipt.json'), '--key', path.join(work, 'ledger-key.json'),
    '--proof', path.join(work, 'preuve/proof.json'), '--head', path.join(work, 'preuve/head.json')], { encoding: 'utf8' });
  assert.equal(v.status, 0, v.stdout + v.stderr);
});
