// Sealed documents and deposit receipts (docs/receipt.md) from outside: `limpide keygen`, `seal`
// and `open`; the browser's seal.js run in Node with libsodium-wrappers, each side opening what
// the other sealed; and `limpide verify receipt` on receipts, receipts trees and ledger proofs
// built here with Node's own crypto (an independent implementation of the format).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sodium from 'libsodium-wrappers';
import { BIN, SOURCE_DIR, tempDir as newTempDir } from './harness.mjs';
import { canonical, hex, leafHash, rootOf } from './merkle.mjs';

const seal = await import(path.join(SOURCE_DIR, 'src/web/static/seal.js'));
await sodium.ready;

// Every temporary directory is removed at the end (they hold a few MiB each).
const made = [];
const tempDir = () => {
  const dir = newTempDir('limpide-seal-');
  made.push(dir);
  return dir;
};
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const MIB = 1 << 20;
const SIZES = [0, 1, MIB - 1, MIB, MIB + 1, 2 * MIB + 17];

function run(args) {
  return spawnSync(BIN, args, { encoding: 'utf8', timeout: 120_000 });
}

// A fresh opening key pair from `limpide keygen`: {publicKey (base64), secretFile, pk, sk}.
function keygen(dir, name = 'opening.key') {
  const secretFile = path.join(dir, name);
  const r = run(['keygen', '--secret-key-file', secretFile]);
  assert.equal(r.status, 0, r.stderr);
  const publicKey = r.stdout.trim();
  const sk = Buffer.from(readFileSync(secretFile, 'utf8').trim(), 'base64');
  return { publicKey, secretFile, pk: Buffer.from(publicKey, 'base64'), sk };
}

// Writes one document per size into `dir`; returns their paths and contents.
function documents(dir) {
  mkdirSync(dir, { recursive: true });
  return SIZES.map((size) => {
    const file = path.join(dir, `doc-${size}.bin`);
    const bytes = randomBytes(size);
    writeFileSync(file, bytes);
    return { file, bytes, size };
  });
}

test('keygen writes a 0600 secret key once and prints the matching public key', () => {
  const dir = tempDir();
  const k = keygen(dir);
  assert.equal(k.pk.length, 32);
  assert.equal(k.sk.length, 32);
  assert.equal(statSync(k.secretFile).mode & 0o777, 0o600);
  assert.deepEqual(Buffer.from(sodium.crypto_scalarmult_base(k.sk)), k.pk);
  const again = run(['keygen', '--secret-key-file', k.secretFile]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /exists: a key file is never replaced/);
  assert.equal(run(['keygen']).status, 2, 'the file is required');
});

test('limpide seal and limpide open round-trip every size, chunk by chunk', () => {
  const dir = tempDir();
  const k = keygen(dir);
  const docs = documents(path.join(dir, 'plain'));
  const sealedDir = path.join(dir, 'sealed');
  const openedDir = path.join(dir, 'opened');
  mkdirSync(sealedDir);
  mkdirSync(openedDir);
  const s = run(['seal', '--public-key', k.publicKey, '--output', sealedDir, ...docs.map((d) => d.file)]);
  assert.equal(s.status, 0, s.stderr);
  for (const d of docs) {
    const sealedFile = path.join(sealedDir, `${path.basename(d.file)}.sealed`);
    const bytes = readFileSync(sealedFile);
    // The documented layout: "LMPS1", then a 4-byte big-endian length before each chunk.
    const chunks = seal.decodeSealedFile(new Uint8Array(bytes));
    assert.equal(chunks.length, Math.floor(d.size / MIB) + 1, `size ${d.size}`);
    chunks.forEach((c, i) => {
      const plain = i < chunks.length - 1 ? MIB : d.size % MIB;
      assert.equal(c.length, plain + 48, `size ${d.size} chunk ${i}`);
    });
    assert.equal(bytes.length, 5 + chunks.length * 52 + d.size);
    assert.equal(bytes.subarray(0, 5).toString('latin1'), 'LMPS1');
    assert.equal(bytes.readUInt32BE(5), chunks[0].length);
    assert.ok(!bytes.includes(d.bytes.subarray(0, 64)) || d.size < 64, 'no plaintext in the sealed file');
  }
  const o = run(['open', '--secret-key-file', k.secretFile, '--output', openedDir,
    ...docs.map((d) => path.join(sealedDir, `${path.basename(d.file)}.sealed`))]);
  assert.equal(o.status, 0, o.stderr);
  for (const d of docs) {
    assert.ok(readFileSync(path.join(openedDir, path.basename(d.file))).equals(d.bytes), `size ${d.size}`);
  }
});

test('a document sealed by seal.js opens with limpide open', async () => {
  const dir = tempDir();
  const k = keygen(dir);
  const pk = seal.publicKeyFromBase64(sodium, k.publicKey);
  const docs = documents(path.join(dir, 'plain'));
  const out = path.join(dir, 'from-js');
  mkdirSync(out);
  for (const d of docs) {
    const sealed = await seal.sealFile(sodium, pk, new Blob([d.bytes]));
    assert.equal(sealed.size, d.size);
    assert.equal(sealed.chunks.length, seal.chunkCount(d.size));
    // The per-chunk Blobs (what is uploaded) and the whole file agree.
    const parts = await Promise.all(sealed.chunks.map(async (b) => new Uint8Array(await b.arrayBuffer())));
    const file = new Uint8Array(await sealed.file.arrayBuffer());
    assert.deepEqual(seal.decodeSealedFile(file), parts);
    assert.deepEqual(Buffer.from(seal.encodeSealedFile(parts)), Buffer.from(file));
    writeFileSync(path.join(out, `${path.basename(d.file)}.sealed`), file);
    // In memory too, and JS opens its own.
    const inMemory = seal.sealDocument(sodium, pk, new Uint8Array(d.bytes));
    assert.equal(inMemory.length, sealed.chunks.length);
    assert.ok(Buffer.from(seal.openDocument(sodium, pk, k.sk, inMemory)).equals(d.bytes));
  }
  const o = run(['open', '--secret-key-file', k.secretFile,
    ...docs.map((d) => path.join(out, `${path.basename(d.file)}.sealed`))]);
  assert.equal(o.status, 0, o.stderr);
  for (const d of docs) {
    assert.ok(readFileSync(path.join(out, path.basename(d.file))).equals(d.bytes), `size ${d.size}`);
  }
});

test('a document sealed by limpide seal opens with seal.js', () => {
  const dir = tempDir();
  const k = keygen(dir);
  const docs = documents(dir);
  const s = run(['seal', '--public-key', k.publicKey, ...docs.map((d) => d.file)]);
  assert.equal(s.status, 0, s.stderr);
  for (const d of docs) {
    const chunks = seal.decodeSealedFile(new Uint8Array(readFileSync(`${d.file}.sealed`)));
    const plain = seal.openDocument(sodium, k.pk, k.sk, chunks);
    assert.ok(Buffer.from(plain).equals(d.bytes), `size ${d.size}`);
  }
});

test('tampered, cut or foreign sealed files are refused and nothing is written', () => {
  const dir = tempDir();
  const k = keygen(dir);
  const other = keygen(dir, 'other.key');
  const file = path.join(dir, 'offre.pdf');
  writeFileSync(file, randomBytes(MIB + 100));
  assert.equal(run(['seal', '--public-key', k.publicKey, file]).status, 0);
  const sealed = readFileSync(`${file}.sealed`);
  const outDir = path.join(dir, 'out');
  mkdirSync(outDir);
  const open = (bytes, key = k.secretFile) => {
    const f = path.join(dir, 'x.sealed');
    writeFileSync(f, bytes);
    return run(['open', '--secret-key-file', key, '--output', outDir, f]);
  };
  const flipped = Buffer.from(sealed);
  flipped[5 + 4 + MIB + 48 + 4 + 60] ^= 1; // inside chunk 2
  let r = open(flipped);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /chunk 2 at offset 1048633: cannot be opened with this key \(tampered or another key\)/);
  r = open(sealed, other.secretFile);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /chunk 1 at offset 5: cannot be opened with this key/);
  r = open(sealed.subarray(0, 5 + 4 + MIB + 48)); // the last chunk dropped
  assert.equal(r.status, 1);
  assert.match(r.stderr, /holds 1048576 bytes and is the last chunk: the document was cut short/);
  r = open(sealed.subarray(0, sealed.length - 1));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /chunk 2 at offset 1048633: cut short/);
  r = open(Buffer.from('not a sealed file'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /does not start with "LMPS1"/);
  assert.deepEqual(readdirSync(outDir), [], 'no partial plaintext left behind');

  // seal.js refuses the same damage.
  const chunks = seal.decodeSealedFile(new Uint8Array(flipped));
  assert.throws(() => seal.openDocument(sodium, k.pk, k.sk, chunks), /chunk 2 of 2: cannot be opened/);
  assert.throws(() => seal.openDocument(sodium, k.pk, k.sk, chunks.slice(0, 1)), /cut short/);
  assert.throws(() => seal.decodeSealedFile(new Uint8Array(sealed.subarray(0, 7))), /chunk 1 at offset 5: length cut short/);
  assert.throws(() => seal.publicKeyFromBase64(sodium, 'AAAA'), /3 bytes, not 32/);

  // Usage errors are 2: a bad public key, a missing file, a key file that holds no key.
  assert.equal(run(['seal', '--public-key', 'AAAA', file]).status, 2);
  assert.equal(run(['seal', '--public-key', k.publicKey, path.join(dir, 'missing.pdf')]).status, 2);
  writeFileSync(path.join(dir, 'bad.key'), 'not a key\n');
  assert.equal(run(['open', '--secret-key-file', path.join(dir, 'bad.key'), `${file}.sealed`]).status, 2);
  assert.equal(run(['seal', file]).status, 2);
});

// ---- Receipts, built here as a third party would ----

const { publicKey: edPublic, privateKey: edPrivate } = generateKeyPairSync('ed25519');
const rawPublic = edPublic.export({ format: 'der', type: 'spki' }).subarray(12);
const keyId = createHash('sha256').update(rawPublic).digest('hex');
const keyJson = { algorithm: 'Ed25519', key_id: keyId, public_key: rawPublic.toString('base64') };

function signedReceipt(receipt) {
  const signature = sign(null, Buffer.from(canonical(receipt), 'utf8'), edPrivate).toString('base64');
  return { key_id: keyId, receipt, signature };
}

function receipt(id, siret) {
  const h = (s) => createHash('sha256').update(s).digest('hex');
  return {
    buyer: { id: '21690123100011', name: 'Ville de Lyon' },
    consultation: { id: 'T-2026-00042', object: 'Entretien des parcs — lot n°2', title: 'Espaces verts' },
    depositor: { id: siret, name: 'Jardins & Paysages' },
    documents: [{ chunk_sha256: [h(`${id} c1`), h(`${id} c2`)], name: 'mémoire.pdf', sha256: h(id), size: MIB + 5 }],
    format: 'limpide-receipt/1',
    grace: false,
    id,
    late: false,
    received: '2026-12-15T11:59:59.731Z',
    sealed_by_server: false,
    upload_started: '2026-12-15T11:59:58.250Z',
  };
}

// RFC 9162 §2.1.3.1, PATH(m, D[n]) over leaf hashes, by straight recursion.
function auditPath(leaves, m) {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k
    ? [...auditPath(leaves.slice(0, k), m), rootOf(leaves.slice(k))]
    : [...auditPath(leaves.slice(k), m - k), rootOf(leaves.slice(0, k))];
}

// Three receipts in a receipts tree (sorted leaf hashes), its root sealed in entry 3 of a
// 5-entry ledger, a signed head; the files of `limpide verify receipt` for receipt `which`.
function chain(dir, which = 1) {
  const receipts = [receipt('R-1', '44306184100047'), receipt('R-2', '55204944776279'), receipt('R-3', '73282932000074')];
  const leaves = receipts.map((r) => leafHash(canonical(r)));
  const sorted = [...leaves].sort(Buffer.compare);
  const mine = leaves[which];
  const index = sorted.findIndex((l) => l.equals(mine));
  const entries = [0, 1, 2, 3, 4].map((seq) => (seq === 3
    ? { body: { receipts: 3, receipts_root: hex(rootOf(sorted)), tender: 'T-2026-00042' }, kind: 'tender.deposits_sealed', seq, subject: 'T-2026-00042', time: '2026-12-15T12:00:00.000Z' }
    : { body: { n: seq }, kind: 'contract.created', seq, subject: `C-${seq}`, time: '2026-12-15T12:00:00.000Z' }));
  const ledgerLeaves = entries.map((e) => leafHash(canonical(e)));
  const root = rootOf(ledgerLeaves);
  const signed = { root_hash: hex(root), timestamp: 1765800000000, tree_size: 5 };
  const head = { ...signed, key_id: keyId, signature: sign(null, Buffer.from(canonical(signed)), edPrivate).toString('base64') };
  const proof = {
    ledger: { audit_path: auditPath(ledgerLeaves, 3).map(hex), entry: entries[3], leaf_hash: hex(ledgerLeaves[3]), leaf_index: 3, tree_size: 5 },
    receipts_tree: { audit_path: auditPath(sorted, index).map(hex), leaf_hash: hex(mine), leaf_index: index, tree_size: 3 },
  };
  const files = {
    receipt: path.join(dir, 'receipt.json'), key: path.join(dir, 'key.json'),
    proof: path.join(dir, 'proof.json'), head: path.join(dir, 'head.json'),
  };
  writeFileSync(files.receipt, JSON.stringify(signedReceipt(receipts[which]), null, 2));
  writeFileSync(files.key, JSON.stringify(keyJson));
  writeFileSync(files.proof, JSON.stringify(proof));
  writeFileSync(files.head, JSON.stringify(head));
  return { files, proof, head, receipts, which };
}

test('limpide verify receipt checks a good receipt and names a tampered one', () => {
  const dir = tempDir();
  const { files, receipts } = chain(dir);
  let r = run(['verify', 'receipt', files.receipt, '--key', files.key]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^ok  signature of receipt R-2 \(key [0-9a-f]{8}…\): Jardins & Paysages \(55204944776279\) to Ville de Lyon, consultation T-2026-00042, received 2026-12-15T11:59:59.731Z, 1 document\(s\)$/m);

  const tampered = signedReceipt(receipts[1]);
  tampered.receipt.received = '2026-12-15T12:00:01.000Z'; // after the signature: a late deposit made to look on time
  writeFileSync(files.receipt, JSON.stringify(tampered));
  r = run(['verify', 'receipt', files.receipt, '--key', files.key]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /^FAIL receipt: \/signature: does not match the receipt/m);

  // Signed by another key: named by key_id.
  const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(12);
  writeFileSync(path.join(dir, 'other.json'), JSON.stringify({ algorithm: 'Ed25519', public_key: other.toString('base64') }));
  writeFileSync(files.receipt, JSON.stringify(signedReceipt(receipts[1])));
  r = run(['verify', 'receipt', files.receipt, '--key', path.join(dir, 'other.json')]);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /FAIL receipt: \/key_id: the receipt names key /);

  // Unusable inputs are 2.
  assert.equal(run(['verify', 'receipt', path.join(dir, 'missing.json'), '--key', files.key]).status, 2);
  writeFileSync(path.join(dir, 'nokey.json'), '{}');
  assert.equal(run(['verify', 'receipt', files.receipt, '--key', path.join(dir, 'nokey.json')]).status, 2);
  assert.equal(run(['verify', 'receipt', files.receipt]).status, 2, '--key is required');
  assert.equal(run(['verify', 'receipt', files.receipt, '--key', files.key, '--proof', files.proof]).status, 2, '--proof needs --head');
});

test('limpide verify receipt follows the receipt into the receipts tree and the ledger', () => {
  for (const which of [0, 1, 2]) {
    const dir = tempDir();
    const { files } = chain(dir, which);
    const r = run(['verify', 'receipt', files.receipt, '--key', files.key, '--proof', files.proof, '--head', files.head]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 5, r.stdout);
    assert.ok(lines.every((l) => l.startsWith('ok  ')), r.stdout);
    assert.match(lines[1], /of the 3 in the receipts tree of T-2026-00042, root [0-9a-f]{64}, sealed in ledger entry 3/);
    assert.match(lines[2], /^ok  signature of tree head 5/);
  }
  // Each broken link is named.
  const dir = tempDir();
  const { files, proof, head } = chain(dir);
  const check = (p, h = head) => {
    writeFileSync(files.proof, JSON.stringify(p));
    writeFileSync(files.head, JSON.stringify(h));
    return run(['verify', 'receipt', files.receipt, '--key', files.key, '--proof', files.proof, '--head', files.head]);
  };
  const clone = (x) => JSON.parse(JSON.stringify(x));
  let p = clone(proof);
  p.receipts_tree.audit_path[0] = 'ab'.repeat(32);
  let r = check(p);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /FAIL inclusion of the receipt in the receipts tree of T-2026-00042/);
  p = clone(proof);
  p.ledger.entry.body.receipts_root = 'cd'.repeat(32);
  r = check(p);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /FAIL inclusion of the receipt in the receipts tree/);
  p = clone(proof);
  p.ledger.audit_path[0] = 'ef'.repeat(32);
  r = check(p);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /FAIL inclusion of leaf 3 in tree head 5/);
  const h = clone(head);
  h.tree_size = 6;
  r = check(proof, h);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /FAIL signature of tree head 6/);
  writeFileSync(files.proof, 'not json');
  r = run(['verify', 'receipt', files.receipt, '--key', files.key, '--proof', files.proof, '--head', files.head]);
  assert.equal(r.status, 1);
  assert.ok(existsSync(files.receipt));
});

test('seal.js and the browser assets are copied next to the binary', () => {
  const staticDir = path.join(path.dirname(BIN), 'static');
  for (const f of ['seal.js', 'libsodium.js', 'libsodium-wrappers.js']) {
    assert.ok(existsSync(path.join(staticDir, f)), `${f} in ${staticDir}`);
  }
});
