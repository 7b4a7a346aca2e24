// An independent FIT-Connect client against the local Zustelldienst
// (issue 4): written from docs/zustelldienst.md and the project's
// FIT-Connect notes only, with node built-ins and npm `jose` for the
// crypto. It starts the real `drehscheibe zustelldienst` ($DS_BIN, default
// ../build/release/src/cli/drehscheibe) on loopback with a fresh data
// directory, sets it up through the CLI with keys made by node, sends a
// submission as a portal would, picks it up as the authority, verifies
// every SET of the event log with the published keys, accepts, and checks
// that the sender sees `accepted`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, existsSync, readFileSync, rmSync, writeFileSync }
  from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as crypto from 'node:crypto';
import * as jose from 'jose';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.DS_BIN ??
  path.resolve(here, '../../build/release/src/cli/drehscheibe');
const specs = process.env.DREHSCHEIBE_SPECS ??
  path.resolve(here, '../../../shared/specs');

const LEIKA = 'urn:de:fim:leika:leistung:99123456760610';
const DATA_SCHEMA = 'https://schema.example/wohngeld/1.0.0.json';
const EVENTS = 'https://schema.fitko.de/fit-connect/events/';
const SET_PAYLOAD = 'https://schema.fitko.de/fit-connect/set-payload/' +
  '1.2.2/set-payload.schema.json';
const METADATA = 'https://schema.fitko.de/fit-connect/metadata/2.1.0/' +
  'metadata.schema.json';

let dir;
let service;      // the child process
let base;         // http://127.0.0.1:<port>
let destination;  // its id, chosen here
let keys;         // {encPub, encPriv, sigPub, sigPriv} as JWK objects
let sender;       // {clientId, clientSecret}
let subscriber;

function cli(args) {
  const r = spawnSync(bin, ['zustelldienst', '--data', path.join(dir, 'data'),
                            ...args], { encoding: 'utf8' });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

// A 4096-bit RSA key pair as JWKs with the members FIT-Connect prescribes
// (notes §5): alg, key_ops, kid.
function keyPair(alg, publicOps, privateOps) {
  const { publicKey, privateKey } =
    crypto.generateKeyPairSync('rsa', { modulusLength: 4096 });
  const kid = crypto.randomUUID();
  return [
    { ...publicKey.export({ format: 'jwk' }), kid, alg, key_ops: publicOps },
    { ...privateKey.export({ format: 'jwk' }), kid, alg, key_ops: privateOps },
  ];
}

// Starts the service on a free port; resolves with its base URL from the
// line it prints on stdout.
function startService() {
  return new Promise((resolve, reject) => {
    service = spawn(bin, ['zustelldienst', '--data', path.join(dir, 'data'),
                          '--listen', '127.0.0.1:0'],
                    { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(
      `no listening line within 60 s: ${out} ${err}`)), 60000);
    service.stderr.on('data', (d) => { err += d; });
    service.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    service.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`zustelldienst exited (${code}): ${err}`));
    });
  });
}

async function token(client) {
  const r = await fetch(`${base}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials',
                                client_id: client.clientId,
                                client_secret: client.clientSecret }),
  });
  assert.equal(r.status, 200, await r.clone().text());
  const body = await r.json();
  assert.equal(body.token_type.toLowerCase(), 'bearer');
  assert.ok(body.expires_in > 0);
  return body.access_token;
}

// One API call; asserts the status and returns the parsed JSON or text.
async function call(tok, method, p, { json, jose: jws, expect = 200 } = {}) {
  const headers = { Authorization: `Bearer ${tok}` };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  } else if (jws !== undefined) {
    headers['Content-Type'] = 'application/jose';
    body = jws;
  }
  const r = await fetch(`${base}${p}`, { method, headers, body });
  const text = await r.text();
  assert.equal(r.status, expect, `${method} ${p}: ${r.status} ${text}`);
  const type = r.headers.get('content-type') ?? '';
  return type.includes('json') && text ? JSON.parse(text) : text;
}

const sha512 = (bytes) => crypto.createHash('sha512').update(bytes)
  .digest('hex');
const tagOf = (compact) => compact.split('.')[4];

function encrypt(bytes, key, kid, cty) {
  return new jose.CompactEncrypt(bytes)
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid, cty })
    .encrypt(key);
}

// Verifies every SET of a case's log (notes §4): typ, alg, one event, txn;
// service SETs (iss an http(s) URL) with the JWKS, destination SETs (iss a
// UUID) with the destination's key by kid. Returns the payloads.
async function verifyLog(tok, caseId, jwks) {
  const page = await call(tok, 'GET', `/v1/cases/${caseId}/events`);
  assert.equal(page.totalCount, page.eventLog.length);
  const serviceKeys = jose.createLocalJWKSet(jwks);
  const payloads = [];
  for (const set of page.eventLog) {
    const header = jose.decodeProtectedHeader(set);
    assert.equal(header.typ, 'secevent+jwt');
    assert.equal(header.alg, 'PS512');
    const claims = jose.decodeJwt(set);
    let key;
    if (/^https?:\/\//.test(claims.iss)) {
      key = serviceKeys;
    } else {
      const jwk = await call(tok, 'GET', `/v1/destinations/${claims.iss}/keys/${header.kid}`);
      key = await jose.importJWK(jwk, 'PS512');
    }
    const { payload } = await jose.compactVerify(set, key,
                                                 { algorithms: ['PS512'] });
    const p = JSON.parse(new TextDecoder().decode(payload));
    assert.equal(p.txn, `case:${caseId}`);
    assert.equal(Object.keys(p.events).length, 1);
    assert.match(p.jti, /^[0-9a-f-]{36}$/);
    payloads.push(p);
  }
  return payloads;
}

before(async () => {
  assert.ok(existsSync(bin), `no binary at ${bin} (set DS_BIN)`);
  dir = mkdtempSync(path.join(tmpdir(), 'ds-zd-client-'));
  const [encPub, encPriv] = keyPair('RSA-OAEP-256', ['wrapKey'],
                                    ['unwrapKey']);
  const [sigPub, sigPriv] = keyPair('PS512', ['verify'], ['sign']);
  keys = { encPub, encPriv, sigPub, sigPriv };
  writeFileSync(path.join(dir, 'enc.pub.jwk'), JSON.stringify(encPub));
  writeFileSync(path.join(dir, 'sig.pub.jwk'), JSON.stringify(sigPub));

  base = await startService();
  // Setup while the service runs (docs: the setup commands work then).
  destination = crypto.randomUUID();
  const created = cli(['destination', 'create', '--id', destination,
                       '--encryption-key', path.join(dir, 'enc.pub.jwk'),
                       '--signature-key', path.join(dir, 'sig.pub.jwk'),
                       '--service', LEIKA, '--service-name', 'Wohngeld',
                       '--schema', DATA_SCHEMA]);
  assert.match(created, new RegExp(`destination_id=${destination}`));
  sender = JSON.parse(cli(['client', 'create', '--role', 'sender',
                           '--json']));
  subscriber = JSON.parse(cli(['client', 'create', '--role', 'subscriber',
                               '--destination', destination, '--json']));
  assert.equal(sender.role, 'sender');
  assert.deepEqual(subscriber.destinations, [destination]);
});

after(() => {
  if (service && service.exitCode === null) service.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a node client sends, picks up, verifies the event log and accepts',
     async () => {
  const info = await (await fetch(`${base}/v1/info`)).json();
  assert.ok(info);
  const jwks = await (await fetch(`${base}/.well-known/jwks.json`)).json();
  assert.ok(jwks.keys.length >= 1);

  // --- Sender (portal) -------------------------------------------------
  const st = await token(sender);
  const d = await call(st, 'GET', `/v1/destinations/${destination}`);
  assert.equal(d.destinationId, destination);
  assert.equal(d.status, 'active');
  assert.ok(d.services.some((s) => s.identifier === LEIKA &&
    s.submissionSchemas.some((x) => x.schemaUri === DATA_SCHEMA)));
  assert.ok(d.metadataVersions.includes('2.1.0'));
  assert.equal(d.callback, undefined, 'callback is for its subscriber only');

  const encJwk = await call(st, 'GET',
                            `/v1/destinations/${destination}/keys/${d.encryptionKid}`);
  assert.equal(encJwk.kid, d.encryptionKid);
  assert.equal(encJwk.alg, 'RSA-OAEP-256');
  assert.equal(encJwk.n, keys.encPub.n);
  assert.equal(encJwk.d, undefined, 'never a private member');
  const encKey = await jose.importJWK(encJwk, 'RSA-OAEP-256');

  const data = Buffer.from(JSON.stringify(
    { antrag: { name: 'Erika Mustermann', betrag: '120.50' } }));
  const attachment = crypto.randomBytes(40000);
  const attachmentId = crypto.randomUUID();
  const metadata = {
    $schema: METADATA,
    contentStructure: {
      data: { hash: { type: 'sha512', content: sha512(data) },
              submissionSchema: { schemaUri: DATA_SCHEMA,
                                  mimeType: 'application/json' } },
      attachments: [{ attachmentId, purpose: 'attachment',
                      mimeType: 'application/pdf', filename: 'anlage.pdf',
                      hash: { type: 'sha512', content: sha512(attachment) } }],
    },
  };
  const encMetadata = await encrypt(Buffer.from(JSON.stringify(metadata)),
                                    encKey, d.encryptionKid,
                                    'application/json');
  const encData = await encrypt(data, encKey, d.encryptionKid,
                                'application/json');
  const encAttachment = await encrypt(attachment, encKey, d.encryptionKid,
                                      'application/pdf');

  const announced = await call(st, 'POST', '/v1/submissions', {
    expect: 201,
    json: { destinationId: destination, announcedAttachments: [attachmentId],
            serviceType: { name: 'Wohngeld', identifier: LEIKA } },
  });
  const { submissionId, caseId } = announced;
  assert.equal(announced.destinationId, destination);
  await call(st, 'PUT', `/v1/submissions/${submissionId}/attachments/${attachmentId}`,
             { jose: encAttachment, expect: 204 });
  const submitted = await call(st, 'PUT', `/v1/submissions/${submissionId}`,
                               { json: { encryptedMetadata: encMetadata,
                                         encryptedData: encData } });
  assert.equal(submitted.submissionId, submissionId);
  assert.equal(submitted.caseId, caseId);

  // --- Subscriber (authority) ------------------------------------------
  const rt = await token(subscriber);
  const list = await call(rt, 'GET',
    `/v1/submissions?destinationId=${destination}&offset=0&limit=100`);
  assert.ok(list.submissions.some((s) => s.submissionId === submissionId &&
                                        s.caseId === caseId));
  const sub = await call(rt, 'GET', `/v1/submissions/${submissionId}`);
  assert.equal(sub.caseId, caseId);
  assert.deepEqual(sub.attachments, [attachmentId]);
  assert.equal(sub.serviceType.identifier, LEIKA);
  const fetched = await call(rt, 'GET',
    `/v1/submissions/${submissionId}/attachments/${attachmentId}`);
  assert.equal(fetched, encAttachment, 'kept exactly as uploaded');

  const decKey = await jose.importJWK(keys.encPriv, 'RSA-OAEP-256');
  const meta = await jose.compactDecrypt(sub.encryptedMetadata, decKey);
  assert.equal(meta.protectedHeader.cty, 'application/json');
  const gotMetadata = JSON.parse(new TextDecoder().decode(meta.plaintext));
  assert.deepEqual(gotMetadata, metadata);
  const specSchema = path.join(specs,
                               'fit-connect/schemas/metadata-2.1.0.schema.json');
  if (existsSync(specSchema)) {
    const { default: Ajv2020 } = await import('ajv/dist/2020.js');
    const { default: addFormats } = await import('ajv-formats');
    const ajv = new Ajv2020({ strict: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(specSchema, 'utf8')));
    assert.ok(validate(gotMetadata), JSON.stringify(validate.errors));
  }
  const plainData = await jose.compactDecrypt(sub.encryptedData, decKey);
  assert.equal(sha512(plainData.plaintext),
               gotMetadata.contentStructure.data.hash.content);
  const plainAttachment = await jose.compactDecrypt(fetched, decKey);
  assert.equal(sha512(plainAttachment.plaintext),
               gotMetadata.contentStructure.attachments[0].hash.content);

  // Event log: create- and submit-submission, signed by the service.
  const log = await verifyLog(rt, caseId, jwks);
  const types = log.map((p) => Object.keys(p.events)[0]);
  assert.deepEqual(types, [`${EVENTS}create-submission`,
                           `${EVENTS}submit-submission`]);
  for (const p of log) {
    assert.equal(p.sub, `submission:${submissionId}`);
    assert.match(p.iss, /^https?:\/\//);
  }
  const tags = log[1].events[`${EVENTS}submit-submission`]
    .authenticationTags;
  assert.deepEqual(tags, { metadata: tagOf(sub.encryptedMetadata),
                           data: tagOf(sub.encryptedData),
                           attachments: { [attachmentId]: tagOf(fetched) } });

  // A SET with a flipped signature bit does not verify with those keys.
  const raw = (await call(rt, 'GET', `/v1/cases/${caseId}/events`))
    .eventLog[1];
  const parts = raw.split('.');
  const sig = Buffer.from(parts[2], 'base64url');
  sig[10] ^= 1;
  await assert.rejects(jose.compactVerify(
    `${parts[0]}.${parts[1]}.${sig.toString('base64url')}`,
    jose.createLocalJWKSet(jwks), { algorithms: ['PS512'] }));

  // Accept with a SET signed by the destination's key.
  const accept = await new jose.CompactSign(Buffer.from(JSON.stringify({
    $schema: SET_PAYLOAD,
    jti: crypto.randomUUID(),
    iss: destination,
    iat: Math.floor(Date.now() / 1000),
    sub: `submission:${submissionId}`,
    txn: `case:${caseId}`,
    events: { [`${EVENTS}accept-submission`]: { authenticationTags: tags } },
  }))).setProtectedHeader({ alg: 'PS512', typ: 'secevent+jwt',
                            kid: keys.sigPriv.kid })
    .sign(await jose.importJWK(keys.sigPriv, 'PS512'));
  await call(rt, 'POST', `/v1/cases/${caseId}/events`,
             { jose: accept, expect: 204 });
  const remaining = await call(rt, 'GET',
    `/v1/submissions?destinationId=${destination}&offset=0&limit=100`);
  assert.ok(!remaining.submissions.some((s) => s.submissionId === submissionId));

  // --- Sender sees accepted --------------------------------------------
  const senderLog = await verifyLog(st, caseId, jwks);
  const last = senderLog.filter((p) => p.sub === `submission:${submissionId}`)
    .at(-1);
  assert.deepEqual(Object.keys(last.events), [`${EVENTS}accept-submission`]);
  assert.equal(last.iss, destination);
  assert.deepEqual(last.events[`${EVENTS}accept-submission`]
    .authenticationTags, tags);
});
