// The whole procedure in a browser (Debian's Chromium driven by Playwright),
// through the web pages only (docs/tenders.md, "Web pages"): a buyer writes a
// draft (form errors shown beside their fields, the legal period included),
// adds a DCE document and publishes (the opening key shown once and
// downloaded); a company downloads the DCE, asks a question and deposits a
// bid sealed in the page by seal.js, in chunks, then gets its signed receipt;
// the same company deposits again without JavaScript (sealed by the server)
// and withdraws that deposit; no stored byte holds the bid's marker; after
// the deadline the buyer opens with the key, scores, awards and signs.
// Refusals: a post without the CSRF token is 403, a page of the other role
// is a 403 page; the domain's refusals are shown in French (the legal period,
// the weights, the state machine's 409 from stale forms). Without
// JavaScript, the draft form takes any number of lots and criteria (rows
// added and removed by submit buttons), and a draft is declared sans suite
// (reason and confirmation required; a second declaration is a 409). One screenshot per main page (in LIMPIDE_SHOTS_DIR, else a
// temporary directory).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { SOURCE_DIR, startServer, tempDir } from './harness.mjs';
import { PASSWORD, addAccount, siret } from './procedure.mjs';

const require = createRequire(path.join(SOURCE_DIR, 'package.json'));
const { chromium } = require('playwright-core');
const CHROMIUM = process.env.LIMPIDE_CHROMIUM || '/usr/bin/chromium';

const BUYER = { email: 'agent@rennes.fr', siret: siret('2135023880001'), name: 'Commune de Rennes' };
const COMPANY = { email: 'contact@acme.fr', siret: siret('7328293200007'), name: 'Élagage Acme' };
// A string that appears only inside the bids.
const MARKER = 'MARQUEUR-WEB-5d1c7e90b3';
// Seconds between publication and the deadline: the company's steps fit in it.
const WINDOW_SECONDS = 75;

let server;
let browser;
let buyer;    // page of the buyer's context
let company;  // page of the company's context (JavaScript on)
const shots = process.env.LIMPIDE_SHOTS_DIR || tempDir('limpide-shots-');
const state = {};

// "2026-11-29T10:12:35": the value of a datetime-local input in Europe/Paris.
function parisLocal(date) {
  return new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).format(date).replace(' ', 'T');
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

async function newPage({ javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ javaScriptEnabled, locale: 'fr-FR', acceptDownloads: true });
  return context.newPage();
}

async function logIn(page, email) {
  await page.goto(`${server.base}/connexion`);
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForURL(`${server.base}/`);
}

async function submit(page, name) {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name }).click()]);
}

before(async () => {
  const dataDir = tempDir();
  addAccount(dataDir, { email: BUYER.email, name: 'Agent', org: BUYER.siret, orgName: BUYER.name, role: 'buyer_agent' });
  addAccount(dataDir, { email: COMPANY.email, name: 'Acme', org: COMPANY.siret, orgName: COMPANY.name, role: 'company_rep' });
  server = await startServer({ dataDir, args: ['--rate-limit', '0'] });
  assert.ok(existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}`);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  mkdirSync(shots, { recursive: true });
  buyer = await newPage();
  company = await newPage();
});

after(async () => {
  await browser?.close();
  if (process.env.LIMPIDE_E2E_STDERR) console.error(server?.stderr());
  await server?.stop();
  server?.cleanup();
  console.log(`screenshots: ${shots}`);
});

test('the buyer writes a draft: errors are listed at the top and shown beside their fields', async () => {
  await logIn(buyer, BUYER.email);
  await buyer.goto(`${server.base}/espace`);
  await buyer.waitForURL(/\/acheteur$/);
  await shot(buyer, 'acheteur-tableau-de-bord');
  await buyer.getByRole('button', { name: 'Nouvelle consultation' }).click();
  await buyer.getByLabel('Titre (objet du marché)').fill('Élagage des arbres du parc municipal');
  await buyer.getByLabel('Description').fill('Élagage et abattage de 120 arbres');
  await buyer.getByLabel('Procédure').selectOption('appel_offres_ouvert');
  await buyer.getByLabel('Code CPV principal').fill('77211400-6');
  await buyer.getByLabel("Lieu d'exécution : code").fill('35');
  await buyer.getByLabel("Lieu d'exécution : type de code").selectOption('Code département');
  await buyer.getByLabel('Valeur estimée (euros HT)').fill('50 000');
  await buyer.getByLabel('Lot 1 : intitulé').fill('Élagage');
  // A row is added by a submit button: the form comes back with what was typed.
  await submit(buyer, 'Ajouter un lot');
  assert.equal(await buyer.getByLabel('Lot 1 : intitulé').inputValue(), 'Élagage');
  await buyer.getByLabel('Lot 2 : intitulé').fill('Abattage');
  await buyer.getByLabel('Critère 1 : nom').fill('Prix');
  await buyer.getByLabel('Critère 1 : pondération (%)').fill('60');
  await submit(buyer, 'Ajouter un critère');
  await buyer.getByLabel('Critère 2 : nom').fill('Valeur technique');
  await buyer.getByLabel('Critère 2 : pondération (%)').fill('30');
  await buyer.getByLabel('Date limite de remise des offres (heure de Paris)')
    .fill(parisLocal(new Date(Date.now() + 3_600_000)));
  await buyer.getByLabel("Taille maximale d'un document déposé (Mio)").fill('4');
  const refused = buyer.waitForResponse((r) => r.request().method() === 'POST');
  await buyer.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
  assert.equal((await refused).status(), 400);
  await buyer.waitForLoadState('load');
  // The summary at the top links to the field; the field says what is wrong.
  const summary = buyer.locator('#erreurs');
  assert.match(await summary.innerText(), /1 erreur/);
  const link = summary.locator('a').first();
  const target = await link.getAttribute('href');
  assert.match(target, /^#champ-criteria/);
  assert.equal(await buyer.locator(target).count(), 1);
  assert.match(await buyer.locator(target).innerText(), /100/);
  // What was typed is kept.
  assert.equal(await buyer.getByLabel('Critère 2 : nom').inputValue(), 'Valeur technique');
  await shot(buyer, 'acheteur-brouillon-erreurs');

  await buyer.getByLabel('Critère 2 : pondération (%)').fill('40');
  await submit(buyer, 'Enregistrer le brouillon');
  assert.match(buyer.url(), /\/acheteur\/consultations\/[^/]+$/);
  state.manage = buyer.url();
  state.id = decodeURIComponent(state.manage.split('/').pop());
  assert.match(await buyer.locator('hgroup').innerText(), /Brouillon/);
});

test('publishing refuses a deadline under the legal period, beside the deadline field', async () => {
  await submit(buyer, 'Publier la consultation');
  const deadline = buyer.locator('#champ-deadline');
  assert.equal(await deadline.getAttribute('aria-invalid'), 'true');
  assert.match(await buyer.locator('#champ-deadline-erreur').innerText(), /R2161/);
  // The legal period's rule, in French, with Paris times.
  assert.match(await buyer.locator('#champ-deadline-erreur').innerText(),
    /une procédure « Appel d'offres ouvert » .* exige au moins 30 jours quand les offres sont reçues par voie électronique \(CCP art\. R2161-2 et R2161-3\)/);
  assert.match(await buyer.locator('#champ-deadline-erreur').innerText(), /heure de Paris/);
  assert.match(await buyer.locator('#erreurs').innerText(), /R2161/);
  await shot(buyer, 'acheteur-delai-legal');
  // A procédure adaptée has no legal minimum: a deadline in a minute is allowed.
  await buyer.getByLabel('Procédure').first().selectOption('procedure_adaptee');
  state.deadline = new Date(Date.now() + WINDOW_SECONDS * 1000);
  state.deadline.setMilliseconds(0);
  await buyer.locator('#champ-deadline').fill(parisLocal(state.deadline));
  await submit(buyer, 'Enregistrer le brouillon');
  assert.equal(buyer.url(), state.manage);
});

test('the buyer adds a DCE document and publishes: the key is shown once and downloads', async () => {
  await buyer.locator('#document-dce').setInputFiles({
    name: 'reglement-consultation.txt', mimeType: 'text/plain', buffer: Buffer.from('Règlement de la consultation'),
  });
  await submit(buyer, 'Ajouter au dossier');
  assert.match(await buyer.locator('#dce').locator('..').innerText(), /reglement-consultation\.txt/);

  // A post without the CSRF token is refused and changes nothing.
  const forged = await buyer.request.post(`${state.manage}/publication`, { form: { rien: '1' }, maxRedirects: 0 });
  assert.equal(forged.status(), 403);
  assert.match(await forged.text(), /Formulaire refusé/);
  const wrong = await buyer.request.post(`${state.manage}/publication`, { form: { csrf: '0'.repeat(64) }, maxRedirects: 0 });
  assert.equal(wrong.status(), 403);
  await buyer.reload();
  assert.match(await buyer.locator('hgroup').innerText(), /Brouillon/);

  await submit(buyer, 'Publier la consultation');
  assert.match(await buyer.locator('h1').innerText(), /Consultation publiée/);
  assert.match(await buyer.getByRole('alert').innerText(), /qu'une fois/);
  state.secretKey = await buyer.locator('#cle-privee').inputValue();
  assert.match(state.secretKey, /^[A-Za-z0-9+/]{43}=$/);
  const [download] = await Promise.all([buyer.waitForEvent('download'), buyer.locator('#telecharger-cle').click()]);
  const saved = path.join(tempDir(), 'cle.txt');
  await download.saveAs(saved);
  assert.equal(readFileSync(saved, 'utf8').trim(), state.secretKey);
  await shot(buyer, 'acheteur-cle-ouverture');
  // Shown once: the consultation's page never shows it again.
  await buyer.goto(state.manage);
  assert.ok(!(await buyer.content()).includes(state.secretKey));
  assert.match(await buyer.locator('hgroup').innerText(), /Publiée/);
});

test('a company is refused the buyer pages, downloads the DCE and asks a question', async () => {
  await logIn(company, COMPANY.email);
  const denied = await company.goto(`${server.base}/acheteur`);
  assert.equal(denied.status(), 403);
  assert.match(await company.locator('h1').innerText(), /Accès refusé/);
  const deniedPost = await company.request.post(`${state.manage}/publication`, { form: {}, maxRedirects: 0 });
  assert.equal(deniedPost.status(), 403);

  await company.goto(`${server.base}/consultations/${encodeURIComponent(state.id)}`);
  const [dce] = await Promise.all([company.waitForEvent('download'), company.getByRole('link', { name: 'reglement-consultation.txt' }).click()]);
  const dceFile = path.join(tempDir(), 'dce.txt');
  await dce.saveAs(dceFile);
  assert.equal(readFileSync(dceFile, 'utf8'), 'Règlement de la consultation');

  await company.getByLabel('Votre question').fill('Les souches sont-elles à rogner ?');
  await submit(company, 'Envoyer la question');
  assert.match(await company.locator('#questions').locator('..').innerText(), /souches/);
  await shot(company, 'entreprise-consultation');
});

test('the company deposits a bid sealed in the browser, in chunks, and gets its signed receipt', async () => {
  // Two documents, one of 1.5 MiB (two chunks), with the marker inside.
  const big = Buffer.alloc(1_500_000, 'x');
  big.write(MARKER, 700_000);
  const small = Buffer.from(`Mémoire technique ${MARKER}`);
  await company.locator('#document').setInputFiles([
    { name: 'offre.pdf', mimeType: 'application/pdf', buffer: big },
    { name: 'memoire.txt', mimeType: 'text/plain', buffer: small },
  ]);
  const chunks = [];
  company.on('request', (r) => { if (r.method() === 'PUT') chunks.push(r.url()); });
  await company.getByRole('button', { name: /déposer/ }).click();
  await company.waitForURL(/\/depots\/[^/]+$/, { timeout: 60_000 });
  assert.equal(chunks.length, 3, 'two chunks of offre.pdf, one of memoire.txt');
  assert.match(await company.locator('h1').innerText(), /Accusé de réception/);
  const text = await company.locator('main').innerText();
  assert.match(text, /dans votre navigateur/);
  assert.match(text, /offre\.pdf/);
  assert.match(text, new RegExp(COMPANY.name));
  await shot(company, 'entreprise-accuse');
  state.deposit = decodeURIComponent(company.url().split('/').pop());

  const [file] = await Promise.all([company.waitForEvent('download'), company.getByRole('button', { name: /Télécharger l'accusé/ }).click()]);
  const receiptPath = path.join(tempDir(), 'accuse.json');
  await file.saveAs(receiptPath);
  const signed = JSON.parse(readFileSync(receiptPath, 'utf8'));
  assert.equal(signed.receipt.format, 'limpide-receipt/1');
  assert.equal(signed.receipt.sealed_by_server, false);
  assert.equal(signed.receipt.documents.length, 2);
  assert.equal(signed.receipt.documents[0].chunk_sha256.length, 2);
  assert.match(signed.signature, /^[A-Za-z0-9+/]+=*$/);
});

test('without JavaScript the same form deposits (sealed by the server), and a deposit can be withdrawn', async () => {
  const plain = await newPage({ javaScriptEnabled: false });
  await logIn(plain, COMPANY.email);
  await plain.goto(`${server.base}/consultations/${encodeURIComponent(state.id)}`);
  await plain.locator('#document').setInputFiles({ name: 'variante.txt', mimeType: 'text/plain', buffer: Buffer.from(`Variante ${MARKER}`) });
  await submit(plain, 'Chiffrer et déposer');
  assert.match(await plain.locator('main').innerText(), /par la plateforme, dès réception/);
  const second = decodeURIComponent(plain.url().split('/').pop());
  assert.notEqual(second, state.deposit);
  await plain.goto(`${server.base}/consultations/${encodeURIComponent(state.id)}`);
  const row = plain.locator('#vos-depots').locator('..').locator('tr', { hasText: second });
  await Promise.all([plain.waitForLoadState('load'), row.getByRole('button', { name: 'Retirer ce dépôt' }).click()]);
  assert.match(await plain.locator('#vos-depots').locator('..').locator('tr', { hasText: second }).innerText(), /Retiré/);
  await shot(plain, 'entreprise-depots');
  await plain.context().close();

  // My consultations lists it, with what the company did.
  await company.goto(`${server.base}/mes-consultations`);
  const mine = await company.locator('main').innerText();
  assert.match(mine, /Élagage des arbres du parc municipal/);
  assert.match(mine, /téléchargé le dossier, posé une question, 2 dépôts/);
  await shot(company, 'entreprise-mes-consultations');
});

test('before the deadline no stored byte holds the bid, and the buyer answers the question', async () => {
  for (const f of readdirSync(server.dataDir)) {
    if (!f.startsWith('limpide.db')) continue;
    const raw = readFileSync(path.join(server.dataDir, f));
    assert.equal(raw.indexOf(MARKER), -1, `${f} holds the marker`);
  }
  assert.ok(!server.stderr().includes(MARKER));
  await buyer.goto(state.manage);
  // The buyer sees who downloaded and asked, but no deposit before the deadline.
  const history = await buyer.locator('#historique').locator('..').innerText();
  assert.match(history, /Dossier téléchargé/);
  assert.ok(!history.includes('Dépôt'), 'no deposit event before the deadline');
  await buyer.getByLabel('Réponse publique').fill('Oui, à ras du sol.');
  await submit(buyer, 'Publier la réponse');
  assert.match(await buyer.locator('#questions').locator('..').innerText(), /à ras du sol/);
});

test('after the deadline the buyer opens with the key, scores, awards and signs', async () => {
  const wait = state.deadline.getTime() + 1500 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  await buyer.goto(state.manage);
  assert.match(await buyer.locator('hgroup').innerText(), /Clôturée/);
  // Another key is refused beside its field.
  await buyer.getByLabel('Clé privée d\'ouverture (base64)').fill(Buffer.alloc(32, 1).toString('base64'));
  await submit(buyer, 'Ouvrir les plis');
  assert.equal(await buyer.locator('#champ-secret-key').getAttribute('aria-invalid'), 'true');
  // The service's refusal, in French.
  assert.match(await buyer.locator('#erreurs').innerText(), /n'est pas la clé d'ouverture/);
  await buyer.getByLabel('Clé privée d\'ouverture (base64)').fill(state.secretKey);
  await submit(buyer, 'Ouvrir les plis');
  const bids = await buyer.locator('#plis').locator('..').innerText();
  assert.match(bids, new RegExp(COMPANY.name));
  assert.match(bids, /offre\.pdf/);
  assert.match(bids, /s'ouvre avec la clé/);
  assert.ok(!bids.includes('variante.txt'), 'the withdrawn deposit is not a bid');
  await shot(buyer, 'acheteur-plis-ouverts');
  // A second tab keeps the page of the opened bids, with its forms that end
  // the procedure; it is used once the contract is signed.
  const stale = {};
  for (const form of ['#infructueuse', '#sans-suite']) {
    stale[form] = await buyer.context().newPage();
    await stale[form].goto(state.manage);
    assert.equal(await stale[form].locator(form).count(), 1, `${form} form when opened`);
  }

  await buyer.getByLabel('Prix').fill('80');
  await buyer.getByLabel('Valeur technique').fill('90');
  await submit(buyer, 'Enregistrer les notes et classer');
  assert.match(await buyer.locator('#classement').locator('..').innerText(), /84,00/);
  await submit(buyer, 'Attribuer le marché');
  assert.match(await buyer.locator('hgroup').innerText(), /Attribuée/);
  await buyer.getByLabel('Montant du marché (euros HT)').fill('48 000,00');
  await buyer.getByLabel('Durée (mois, facultative)').fill('6');
  await submit(buyer, 'Signer et publier les données essentielles');
  assert.match(await buyer.locator('hgroup').innerText(), /Données essentielles publiées/);
  const history = await buyer.locator('#historique').locator('..').innerText();
  for (const what of ['Publiée', 'Dossier téléchargé', 'Question posée', 'Dépôt reçu', 'Dépôt retiré', 'Plis ouverts', 'Attribuée']) {
    assert.ok(history.includes(what), `history lacks ${what}`);
  }
  await shot(buyer, 'acheteur-marche-signe');
  // The signed contract's stale forms: the state machine's refusal is a 409
  // page that says why, in French.
  assert.equal(await buyer.locator('#infructueuse').count(), 0, 'no form once signed');
  assert.equal(await buyer.locator('#sans-suite').count(), 0, 'no form once signed');
  for (const [form, rule] of [['#infructueuse', /qu'après l'ouverture des plis et avant l'attribution/],
    ['#sans-suite', /jusqu'à la signature du marché/]]) {
    const page = stale[form];
    const section = page.locator(form).locator('..');
    await section.getByLabel('Motif (publié avec la décision)').fill('Offres trop chères');
    await section.getByRole('checkbox').check();
    const refused = page.waitForResponse((r) => r.request().method() === 'POST');
    await section.getByRole('button').click();
    assert.equal((await refused).status(), 409);
    await page.waitForLoadState('load');
    assert.match(await page.locator('h1').innerText(), /Action impossible à ce stade/);
    const why = await page.locator('#regle').innerText();
    assert.match(why, rule);
    assert.match(why, /état de la consultation : Données essentielles publiées/);
    await shot(page, `acheteur-refus-409-${form.slice(1)}`);
    await page.close();
  }
  await buyer.getByRole('link', { name: new RegExp(BUYER.siret) }).click();
  assert.match(await buyer.locator('main').innerText(), new RegExp(COMPANY.name));

  // The company's page shows the result.
  await company.goto(`${server.base}/mes-consultations`);
  assert.match(await company.locator('main').innerText(), /Notifications/);
});

test('without JavaScript the draft form takes any number of lots and criteria, rows added and removed', async () => {
  const page = await newPage({ javaScriptEnabled: false });
  await logIn(page, BUYER.email);
  await page.goto(`${server.base}/acheteur/consultations/nouvelle`);
  await page.getByLabel('Titre (objet du marché)').fill('Fournitures scolaires 2027');
  await page.getByLabel('Code CPV principal').fill('30192000-1');
  await page.getByLabel('Date limite de remise des offres (heure de Paris)')
    .fill(parisLocal(new Date(Date.now() + 40 * 86_400_000)));
  // Seven lots, one row added at a time; what was typed stays.
  for (let n = 1; n <= 7; ++n) {
    if (n > 1) await submit(page, 'Ajouter un lot');
    await page.getByLabel(`Lot ${n} : intitulé`).fill(`Lot numéro ${n}`);
  }
  assert.equal(await page.getByLabel('Lot 1 : intitulé').inputValue(), 'Lot numéro 1');
  // Six criteria whose weights sum to 90.
  const weights = [40, 20, 10, 10, 5, 5];
  for (let n = 1; n <= weights.length; ++n) {
    if (n > 1) await submit(page, 'Ajouter un critère');
    await page.getByLabel(`Critère ${n} : nom`).fill(n === 1 ? 'Prix' : `Critère ${n}`);
    await page.getByLabel(`Critère ${n} : pondération (%)`).fill(String(weights[n - 1]));
  }
  // Removing lot 3: the rows after it move up, nothing typed is lost.
  await submit(page, 'Retirer le lot 3');
  assert.equal(await page.getByLabel('Lot 3 : intitulé').inputValue(), 'Lot numéro 4');
  assert.equal(await page.getByLabel('Lot 6 : intitulé').inputValue(), 'Lot numéro 7');
  assert.equal(await page.getByLabel('Lot 7 : intitulé').count(), 0);
  assert.equal(await page.getByLabel('Critère 6 : pondération (%)').inputValue(), '5');
  await shot(page, 'acheteur-brouillon-lignes');

  // The weights must sum to 100: the domain's rule, in French, beside the criteria.
  const refused = page.waitForResponse((r) => r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
  assert.equal((await refused).status(), 400);
  await page.waitForLoadState('load');
  assert.match(await page.locator('#champ-criteria-erreur').innerText(),
    /Les pondérations des critères totalisent 90 % ; leur total doit être de 100 %/);
  assert.match(await page.locator('#erreurs').innerText(), /Critères d'attribution/);
  assert.equal(await page.getByLabel('Lot 6 : intitulé').inputValue(), 'Lot numéro 7');
  await page.getByLabel('Critère 1 : pondération (%)').fill('50');
  await submit(page, 'Enregistrer le brouillon');
  assert.match(page.url(), /\/acheteur\/consultations\/[^/]+$/);
  const manage = page.url();
  for (let n = 1; n <= 6; ++n) assert.ok(await page.getByLabel(`Lot ${n} : intitulé`).inputValue());
  assert.equal(await page.getByLabel('Critère 6 : nom').inputValue(), 'Critère 6');

  // Beyond the domain's limit (100 criteria), a clear French error; nothing saved.
  const csrf = await page.locator('input[name=csrf]').first().getAttribute('value');
  const form = { csrf, title: 'Trop de critères', cpv: '30192000-1', procedure: 'procedure_adaptee', nature: 'marche',
    deadline: parisLocal(new Date(Date.now() + 40 * 86_400_000)) };
  for (let n = 0; n < 101; ++n) {
    form[`criteria[${n}].name`] = `C${n}`;
    form[`criteria[${n}].weight`] = '1';
  }
  const tooMany = await page.request.post(`${server.base}/acheteur/consultations`, { form });
  assert.equal(tooMany.status(), 400);
  const tooManyText = await tooMany.text();
  assert.ok(/compte au plus 100 critères d(&#39;|')attribution, pas 101/.test(tooManyText),
    'the 101 criteria are refused by the domain\'s limit, in French');

  // Declaring the draft sans suite: the reason and the confirmation are required.
  await page.goto(manage);
  // The browser asks for both (required fields); the server checks them too.
  const section = page.locator('#sans-suite').locator('..');
  assert.equal(await section.getByLabel('Motif (publié avec la décision)').getAttribute('required'), '');
  const missing = await page.request.post(`${manage}/sans-suite`, { form: { csrf, motif: ' ' } });
  assert.equal(missing.status(), 400);
  const missingText = await missing.text();
  assert.ok(missingText.includes('Indiquez le motif de la décision.'), 'reason required, beside its field');
  assert.ok(missingText.includes('Cochez la case pour confirmer la décision.'), 'confirmation required');
  assert.ok(missingText.includes('id="champ-sans-suite-reason-erreur"'));
  // A second tab still shows the form.
  const other = await page.context().newPage();
  await other.goto(manage);
  await section.getByLabel('Motif (publié avec la décision)').fill('Besoin couvert par un groupement de commandes');
  await section.getByRole('checkbox').check();
  await submit(page, 'Déclarer sans suite');
  assert.match(await page.locator('hgroup').innerText(), /Sans suite/);
  assert.match(await page.locator('#fin').locator('..').innerText(), /groupement de commandes/);
  await shot(page, 'acheteur-sans-suite');
  // The stale tab's second declaration is refused (409), in French.
  const again = other.locator('#sans-suite').locator('..');
  await again.getByLabel('Motif (publié avec la décision)').fill('Encore');
  await again.getByRole('checkbox').check();
  const conflict = other.waitForResponse((r) => r.request().method() === 'POST');
  await again.getByRole('button', { name: 'Déclarer sans suite' }).click();
  assert.equal((await conflict).status(), 409);
  await other.waitForLoadState('load');
  assert.match(await other.locator('#regle').innerText(), /La procédure est déjà terminée ; état de la consultation : Sans suite|la procédure est déjà terminée ; état de la consultation : Sans suite/);
  // The dashboard lists it with its state.
  await page.goto(`${server.base}/acheteur`);
  assert.match(await page.locator('main').innerText(), /Fournitures scolaires 2027\s+Sans suite/);
  await other.context().close();
});
