// Writes a DECP 1.x file holding the real 2019 records REPEAT times with ids
// suffixed "-rN" (distinct contracts), and a file of their uids for wrk.
//   node bench/make-big-decp.mjs SHARED_DATA OUT.json UIDS.txt [REPEAT=12]
import { readFileSync, writeFileSync } from 'node:fs';

const [shared, out, uidsOut, repeatArg] = process.argv.slice(2);
const repeat = Number(repeatArg ?? 12);
const records = [];
for (const f of ['marches-publics.info.json', 'data.gouv.fr_aife.json']) {
  records.push(...JSON.parse(readFileSync(`${shared}/decp/real-2019-decp-rama/${f}`, 'utf8')).marches);
}
const all = [];
const uids = [];
for (let rep = 0; rep < repeat; rep += 1) {
  for (const r of records) {
    const copy = { ...r };
    if (typeof copy.id === 'string') copy.id = `${copy.id}-r${rep}`;
    all.push(copy);
    const buyer = copy.acheteur?.id ?? copy.autoriteConcedante?.id;
    if (buyer && copy.id) uids.push(encodeURIComponent(`${buyer}${copy.id}`));
  }
}
writeFileSync(out, JSON.stringify({ marches: all }));
writeFileSync(uidsOut, `${uids.join('\n')}\n`);
console.log(`${all.length} records`);
