// Writes a DECP 2.x JSON file of COUNT distinct records made from the official
// 2.x examples (marchés and contrats de concession, with their modifications),
// for export benchmarks and the streaming test: ids are a counter (at most 16
// characters, as 2.x requires), the buyer is one of BUYERS synthetic SIRETs
// with a valid check digit (record i has buyer i % BUYERS), and notification
// dates and amounts vary. Every record converts whole to DECP 2.x.
//   node bench/make-big-decp2.mjs SHARED_DATA OUT.json [COUNT=100000] [BUYERS=10]
import { readFileSync, openSync, writeSync, closeSync } from 'node:fs';

const [shared, out, countArg, buyersArg] = process.argv.slice(2);
if (!shared || !out) {
  console.error('usage: node bench/make-big-decp2.mjs SHARED_DATA OUT.json [COUNT] [BUYERS]');
  process.exit(2);
}
const count = Number(countArg ?? 100000);
const buyers = Number(buyersArg ?? 10);

const dir = `${shared}/decp/examples-2.0/json`;
const marches = [];
const concessions = [];
for (const f of ['marches_avec_modifications.json', 'marches_concessions.json', 'concessions.json',
  'concessions_avec_modifications.json']) {
  const doc = JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')).marches;
  marches.push(...(doc.marche ?? []));
  concessions.push(...(doc['contrat-concession'] ?? []));
}

// A SIRET (14 digits) whose Luhn check holds: 13 digits + the check digit.
function siret(n) {
  const body = String(21000000000000 + n * 1000).slice(0, 13);
  let sum = 0;
  for (let i = 0; i < 13; i += 1) {
    let d = Number(body[12 - i]);
    if (i % 2 === 0) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return body + String((10 - (sum % 10)) % 10);
}
const buyerIds = Array.from({ length: buyers }, (_, k) => siret(k + 1));

function date(i) {
  const d = new Date(Date.UTC(2024, 0, 1) + (i % 360) * 86400000);
  return d.toISOString().slice(0, 10);
}

// One concession for every 20 records, as in real data where they are rare.
// Written in chunks: a million records do not fit in one string.
function record(i) {
  const concession = i % 20 === 19;
  const base = concession ? concessions[i % concessions.length] : marches[i % marches.length];
  const r = structuredClone(base);
  r.id = `B${i.toString(36).toUpperCase()}`;
  const buyer = { id: buyerIds[i % buyers] };
  if (concession) {
    r.autoriteConcedante = buyer;
    r.dateSignature = date(i);
    r.valeurGlobale = 1000 + (i % 997) * 13.5;
  } else {
    r.acheteur = buyer;
    r.dateNotification = date(i);
    r.montant = 5000 + (i % 991) * 101.25;
  }
  return JSON.stringify(r);
}

const fd = openSync(out, 'w');
const counts = [0, 0];
writeSync(fd, '{"marches":{"marche":[');
for (const concession of [false, true]) {
  if (concession) writeSync(fd, '\n],"contrat-concession":[');
  let chunk = [];
  for (let i = 0; i < count; i += 1) {
    if ((i % 20 === 19) !== concession) continue;
    chunk.push(`${counts[concession ? 1 : 0]++ ? ',' : ''}\n${record(i)}`);
    if (chunk.length === 1000) { writeSync(fd, chunk.join('')); chunk = []; }
  }
  writeSync(fd, chunk.join(''));
}
writeSync(fd, '\n]}}\n');
closeSync(fd);
console.log(`${count} records (${counts[0]} marchés, ${counts[1]} concessions), ${buyers} buyers`);
