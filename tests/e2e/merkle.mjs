// An independent implementation of the ledger's checks (RFC 9162 §2.1 and
// docs/ledger.md) in JavaScript, to test the server's answers from outside:
// a third party would write the same few lines.
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';

const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
export const leafHash = (entryBytes) => sha256(Buffer.from([0]), Buffer.from(entryBytes, 'utf8'));
export const nodeHash = (l, r) => sha256(Buffer.from([1]), l, r);

// MTH(D[n]) by straight recursion (RFC 9162 §2.1.1).
export function rootOf(leaves) {
  if (leaves.length === 0) return sha256(Buffer.alloc(0));
  if (leaves.length === 1) return leaves[0];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(rootOf(leaves.slice(0, k)), rootOf(leaves.slice(k)));
}

// Canonical JSON (docs/ledger.md): keys sorted by UTF-16 code units, which
// equals byte order for the ASCII keys the ledger uses; JSON.stringify
// escapes exactly the characters canonical JSON escapes.
export function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  }
  if (typeof v === 'number' && !Number.isInteger(v)) throw new Error(`float in canonical JSON: ${v}`);
  return JSON.stringify(v);
}

// RFC 9162 §2.1.3.2.
export function verifyInclusion(leaf, index, size, path, root) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

// RFC 9162 §2.1.4.2.
export function verifyConsistency(first, second, path, firstRoot, secondRoot) {
  if (first === second) return path.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0 || first > second || path.length === 0) return false;
  let p = path;
  if ((first & (first - 1)) === 0) p = [firstRoot, ...path];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let fr = p[0];
  let sr = p[0];
  for (const c of p.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

// Checks a tree head's Ed25519 signature with the published key.
export function verifyTreeHead(head, key) {
  const raw = Buffer.from(key.public_key, 'base64');
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
  const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const message = canonical({ root_hash: head.root_hash, timestamp: head.timestamp, tree_size: head.tree_size });
  return verifySignature(null, Buffer.from(message, 'utf8'), publicKey, Buffer.from(head.signature, 'base64'));
}

export const hex = (b) => b.toString('hex');
export const unhex = (s) => Buffer.from(s, 'hex');
