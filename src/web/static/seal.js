// Sealing documents in the browser, before upload, to a consultation's public key: the same
// format as `limpide seal` (docs/receipt.md, "Sealed documents"). No build step: an ES module of
// plain functions that take libsodium-wrappers as their first argument, so that they run alike
// in a page and in Node (tests/e2e/seal.test.mjs).
//
// In a page, load libsodium first (it defines the global `sodium`):
//   <script src="/static/libsodium.js"></script>
//   <script src="/static/libsodium-wrappers.js"></script>
//   <script type="module">
//     import { loadSodium, publicKeyFromBase64, sealBlobChunks } from '/static/seal.js';
//     const sodium = await loadSodium();
//     const key = publicKeyFromBase64(sodium, form.dataset.publicKey);
//     for await (const chunk of sealBlobChunks(sodium, key, file)) await upload(chunk);
//   </script>
// Only ciphertext leaves the page; one chunk of plaintext (1 MiB) is in memory at a time.

// Plaintext bytes per chunk: every chunk but the last holds exactly this many, the last fewer
// (0 to SEAL_CHUNK_BYTES - 1), so a document of n bytes has floor(n / SEAL_CHUNK_BYTES) + 1
// chunks and a document cut after a full chunk is detected.
export const SEAL_CHUNK_BYTES = 1 << 20;
// Bytes crypto_box_seal adds to each chunk: an ephemeral public key (32) and a MAC (16).
export const SEAL_OVERHEAD_BYTES = 48;
// The first bytes of a sealed file; each chunk follows as a 4-byte big-endian length and its bytes.
export const SEALED_FILE_MAGIC = new Uint8Array([0x4c, 0x4d, 0x50, 0x53, 0x31]); // "LMPS1"

// The global `sodium` of the page's <script> tags, once ready.
export async function loadSodium() {
  const sodium = globalThis.sodium;
  if (!sodium || !sodium.ready) {
    throw new Error('libsodium is not loaded: include libsodium.js and libsodium-wrappers.js first');
  }
  await sodium.ready;
  return sodium;
}

// The 32-byte key of its standard base64 form (as the API serves it); throws otherwise.
export function publicKeyFromBase64(sodium, text) {
  let key;
  try {
    key = sodium.from_base64(text, sodium.base64_variants.ORIGINAL);
  } catch {
    throw new Error('the public key is not base64');
  }
  if (key.length !== 32) throw new Error(`the public key is ${key.length} bytes, not 32`);
  return key;
}

// The number of chunks of a document of `size` bytes.
export function chunkCount(size) {
  return Math.floor(size / SEAL_CHUNK_BYTES) + 1;
}

// One chunk of plaintext (a Uint8Array of at most SEAL_CHUNK_BYTES) sealed to `publicKey`.
export function sealChunk(sodium, publicKey, plaintext) {
  if (plaintext.length > SEAL_CHUNK_BYTES) throw new Error('a chunk holds at most 1 MiB');
  return sodium.crypto_box_seal(plaintext, publicKey);
}

// A whole document (Uint8Array) sealed as its list of chunks (Uint8Array each).
export function sealDocument(sodium, publicKey, bytes) {
  const chunks = [];
  let at = 0;
  for (; bytes.length - at >= SEAL_CHUNK_BYTES; at += SEAL_CHUNK_BYTES) {
    chunks.push(sealChunk(sodium, publicKey, bytes.subarray(at, at + SEAL_CHUNK_BYTES)));
  }
  chunks.push(sealChunk(sodium, publicKey, bytes.subarray(at)));
  return chunks;
}

// The sealed chunks of a Blob or File, one at a time, reading 1 MiB of it per chunk: upload each
// as it comes (and resume from any chunk: chunk i is the seal of bytes [i MiB, (i+1) MiB)).
export async function* sealBlobChunks(sodium, publicKey, blob) {
  let at = 0;
  for (;;) {
    const end = Math.min(at + SEAL_CHUNK_BYTES, blob.size);
    const plaintext = new Uint8Array(await blob.slice(at, end).arrayBuffer());
    yield sealChunk(sodium, publicKey, plaintext);
    if (plaintext.length < SEAL_CHUNK_BYTES) return; // the short last chunk ends the document
    at = end;
  }
}

// A Blob or File sealed whole: {name, size, chunks: [Blob…], file: Blob} where `file` is the
// sealed file (what `limpide seal` writes; its SHA-256 is the receipt's "sha256").
export async function sealFile(sodium, publicKey, blob) {
  const chunks = [];
  for await (const chunk of sealBlobChunks(sodium, publicKey, blob)) chunks.push(chunk);
  const type = 'application/octet-stream';
  return {
    name: blob.name ?? 'document',
    size: blob.size,
    chunks: chunks.map((c) => new Blob([c], { type })),
    file: new Blob(sealedFileParts(chunks), { type }),
  };
}

// The 4-byte big-endian length that frames a chunk in a sealed file.
function lengthPrefix(n) {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

function sealedFileParts(chunks) {
  const parts = [SEALED_FILE_MAGIC];
  for (const c of chunks) parts.push(lengthPrefix(c.length), c);
  return parts;
}

// The sealed file of a list of sealed chunks, as one Uint8Array.
export function encodeSealedFile(chunks) {
  const parts = sealedFileParts(chunks);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// The sealed chunks of a sealed file (not opened); throws naming the offset of what is wrong.
export function decodeSealedFile(bytes) {
  const magic = SEALED_FILE_MAGIC;
  if (bytes.length < magic.length || magic.some((b, i) => bytes[i] !== b)) {
    throw new Error('sealed file: does not start with "LMPS1"');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks = [];
  let at = magic.length;
  while (at < bytes.length) {
    const where = `sealed file: chunk ${chunks.length + 1} at offset ${at}`;
    if (bytes.length - at < 4) throw new Error(`${where}: length cut short`);
    const length = view.getUint32(at, false);
    if (length < SEAL_OVERHEAD_BYTES || length > SEAL_CHUNK_BYTES + SEAL_OVERHEAD_BYTES) {
      throw new Error(`${where}: length ${length} outside [${SEAL_OVERHEAD_BYTES}, ${SEAL_CHUNK_BYTES + SEAL_OVERHEAD_BYTES}]`);
    }
    if (bytes.length - at - 4 < length) throw new Error(`${where}: cut short`);
    chunks.push(bytes.subarray(at + 4, at + 4 + length));
    at += 4 + length;
  }
  if (chunks.length === 0) throw new Error('sealed file: no chunk after the magic');
  return chunks;
}

// The plaintext of a sealed document (its list of chunks) with the buyer's key pair; throws
// naming the chunk that does not open or breaks the length rule.
export function openDocument(sodium, publicKey, secretKey, chunks) {
  if (chunks.length === 0) throw new Error('a sealed document has at least one chunk, got none');
  const parts = chunks.map((c, i) => {
    const name = `chunk ${i + 1} of ${chunks.length}`;
    let plaintext;
    try {
      plaintext = sodium.crypto_box_seal_open(c, publicKey, secretKey);
    } catch {
      throw new Error(`${name}: cannot be opened with this key (tampered or another key)`);
    }
    const last = i === chunks.length - 1;
    if (!last && plaintext.length !== SEAL_CHUNK_BYTES) {
      throw new Error(`${name}: holds ${plaintext.length} bytes but is not the last chunk`);
    }
    if (last && plaintext.length === SEAL_CHUNK_BYTES) {
      throw new Error(`${name}: holds ${SEAL_CHUNK_BYTES} bytes and is the last chunk: the document was cut short`);
    }
    return plaintext;
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
