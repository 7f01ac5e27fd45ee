// The deposit form of a consultation's page (company_pages.cpp): the files are sealed here, in the
// browser, to the consultation's public key (seal.js on libsodium-wrappers) and sent in chunks
// through the API (docs/tenders.md, "Deposits"), with progress and resume; then the page of the
// signed receipt opens. The session cookie authenticates the API calls (same origin).
// Without JavaScript the form posts the files to the server, which seals them on receipt.
import { chunkCount, loadSodium, publicKeyFromBase64, sealBlobChunks } from '/static/seal.js';

const form = document.getElementById('formulaire-depot');
const progress = document.getElementById('depot-progression');
const status = document.getElementById('depot-etat');
const input = document.getElementById('document');

function say(text) {
  status.textContent = text;
}

// A refused API call as a French sentence with the service's reason.
async function refusal(response) {
  let detail = '';
  try {
    const problem = await response.json();
    detail = problem.detail || problem.title || '';
  } catch {
    detail = response.statusText;
  }
  const why = {
    400: 'Données refusées',
    401: 'Votre session a expiré : reconnectez-vous',
    403: 'Action non autorisée',
    404: 'Consultation ou dépôt introuvable',
    409: 'Action impossible à ce stade de la consultation',
    413: 'Document trop volumineux pour cette consultation',
  }[response.status] || `Erreur ${response.status}`;
  return new Error(`${why}. Règle appliquée : « ${detail} »`);
}

async function api(method, path, { json, body } = {}) {
  const headers = {};
  if (json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (body !== undefined) {
    headers['content-type'] = 'application/octet-stream';
  }
  const r = await fetch(path, { method, headers, body, credentials: 'same-origin' });
  if (!r.ok) throw await refusal(r);
  return r.json();
}

// A chunk upload, tried again after a network failure (not after a refusal).
async function putChunk(path, bytes) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await api('PUT', path, { body: bytes });
    } catch (e) {
      if (!(e instanceof TypeError) || attempt >= 4) throw e; // TypeError: the network failed
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
}

// The deposit being sent for these files, remembered so that a new click resumes it.
function resumeKey(tender, files) {
  return `limpide-depot:${tender}:` + files.map((f) => `${f.name}/${f.size}/${f.lastModified}`).join('|');
}

async function deposit(files) {
  const tender = form.dataset.tender;
  const max = Number(form.dataset.maxBytes);
  for (const f of files) {
    if (max && f.size > max) throw new Error(`« ${f.name} » dépasse la taille maximale publiée (${max} octets).`);
  }
  say('Préparation du chiffrement…');
  const sodium = await loadSodium();
  const key = publicKeyFromBase64(sodium, form.dataset.publicKey);
  const base = `/api/v1/tenders/${encodeURIComponent(tender)}/deposits`;

  // Resume the same files' unfinished deposit, else start one.
  const remembered = sessionStorage.getItem(resumeKey(tender, files));
  let d = null;
  if (remembered) {
    try {
      d = await api('GET', `${base}/${encodeURIComponent(remembered)}`);
      if (d.state !== 'uploading') d = null;
    } catch {
      d = null;
    }
  }
  if (!d) {
    d = await api('POST', base, {
      json: { documents: files.map((f) => ({ name: f.name, size: f.size, sealed: true })) },
    });
    sessionStorage.setItem(resumeKey(tender, files), d.id);
  }
  const total = files.reduce((n, f) => n + chunkCount(f.size), 0);
  let done = 0;
  progress.hidden = false;
  progress.max = total;
  for (const [i, file] of files.entries()) {
    const received = d.documents[i].chunks;
    let k = 0;
    for await (const sealed of sealBlobChunks(sodium, key, file)) {
      if (!received[k]) {
        await putChunk(`${base}/${d.id}/documents/${i}/chunks/${k}`, sealed);
      }
      k++;
      done++;
      progress.value = done;
      say(`Chiffrement et envoi : ${done} morceau(x) sur ${total}.`);
    }
  }
  say('Envoi terminé, signature de l\'accusé de réception…');
  await api('POST', `${base}/${d.id}/complete`);
  sessionStorage.removeItem(resumeKey(tender, files));
  return d.id;
}

if (form && globalThis.sodium) {
  form.querySelector('button[type=submit]').textContent = 'Chiffrer dans le navigateur et déposer';
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const files = [...input.files];
    if (files.length === 0) {
      say('Choisissez au moins un document.');
      input.focus();
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const id = await deposit(files);
      say('Dépôt reçu.');
      location.assign(`/consultations/${encodeURIComponent(form.dataset.tender)}/depots/${encodeURIComponent(id)}`);
    } catch (e) {
      say(`Le dépôt n'a pas abouti. ${e.message} Cliquez à nouveau pour reprendre l'envoi là où il s'est arrêté.`);
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
}
