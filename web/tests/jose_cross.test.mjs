// Cross-implementation tests of drehscheibe's JOSE layer against npm `jose`:
// JWE (RSA-OAEP-256 + A256GCM) and PS512 JWS in both directions, through the
// built binary ($DS_BIN, default ../build/release/src/cli/drehscheibe).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';
import * as jose from 'jose';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.DS_BIN ??
  path.resolve(here, '../../build/release/src/cli/drehscheibe');
const specs = process.env.DREHSCHEIBE_SPECS ??
  path.resolve(here, '../../../shared/specs');
const vectors = path.join(specs, 'fit-connect/test-vectors');

let dir;
let keys;  // parsed JWK files written by `drehscheibe keys generate`

function ds(args, input) {
  const r = spawnSync(bin, args, { input, maxBuffer: 256 << 20 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

function readJwk(name) {
  return JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
}

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ds-jose-cross-'));
  const r = ds(['keys', 'generate', '--out', dir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  keys = {
    encPub: readJwk('encryption.public.jwk'),
    encPriv: readJwk('encryption.private.jwk'),
    sigPub: readJwk('signing.public.jwk'),
    sigPriv: readJwk('signing.private.jwk'),
  };
});

after(() => rmSync(dir, { recursive: true, force: true }));

// npm jose 5 refuses `zip`; for zip DEF we check with node:crypto directly
// (RSA-OAEP-256 unwrap, AES-256-GCM with the header as AAD, raw inflate).
function nodeDecrypt(compact, privateJwk) {
  const [h, ek, iv, ct, tag] = compact.split('.');
  const key = crypto.createPrivateKey({ key: privateJwk, format: 'jwk' });
  const cek = crypto.privateDecrypt(
    { key, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
    Buffer.from(ek, 'base64url'));
  const d = crypto.createDecipheriv('aes-256-gcm', cek, Buffer.from(iv, 'base64url'));
  d.setAAD(Buffer.from(h, 'ascii'));
  d.setAuthTag(Buffer.from(tag, 'base64url'));
  const raw = Buffer.concat([d.update(Buffer.from(ct, 'base64url')), d.final()]);
  const header = JSON.parse(Buffer.from(h, 'base64url'));
  return header.zip === 'DEF' ? zlib.inflateRawSync(raw) : raw;
}

const file = (name) => path.join(dir, name);
const plaintext = Buffer.from(JSON.stringify({ hello: 'Welt', n: 42, ü: 'ß' }));

test('npm jose JWE decrypts with drehscheibe', async () => {
  const key = await jose.importJWK(keys.encPub, 'RSA-OAEP-256');
  const jwe = await new jose.CompactEncrypt(plaintext)
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM',
                          kid: keys.encPub.kid, cty: 'application/json' })
    .encrypt(key);
  const r = ds(['jwe', 'decrypt', '--key', file('encryption.private.jwk')], jwe);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout, plaintext);
});

test('npm jose JWE with a changed tag is rejected by drehscheibe', async () => {
  const key = await jose.importJWK(keys.encPub, 'RSA-OAEP-256');
  const jwe = await new jose.CompactEncrypt(plaintext)
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: keys.encPub.kid })
    .encrypt(key);
  const parts = jwe.split('.');
  const tag = Buffer.from(parts[4], 'base64url');
  tag[0] ^= 1;
  parts[4] = tag.toString('base64url');
  const r = ds(['jwe', 'decrypt', '--key', file('encryption.private.jwk')], parts.join('.'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /tag/);
  assert.equal(r.stdout.length, 0);
});

test('drehscheibe JWE decrypts with npm jose', async () => {
  const r = ds(['jwe', 'encrypt', '--key', file('encryption.public.jwk'),
                '--cty', 'application/json'], plaintext);
  assert.equal(r.status, 0, r.stderr);
  const key = await jose.importJWK(keys.encPriv, 'RSA-OAEP-256');
  const { plaintext: out, protectedHeader } =
    await jose.compactDecrypt(r.stdout.toString(), key);
  assert.deepEqual(Buffer.from(out), plaintext);
  assert.equal(protectedHeader.alg, 'RSA-OAEP-256');
  assert.equal(protectedHeader.enc, 'A256GCM');
  assert.equal(protectedHeader.kid, keys.encPub.kid);
  assert.equal(protectedHeader.cty, 'application/json');
});

test('drehscheibe JWE with zip DEF decrypts with node:crypto + zlib', () => {
  const big = Buffer.concat(Array(2000).fill(plaintext));
  const r = ds(['jwe', 'encrypt', '--key', file('encryption.public.jwk'),
                '--deflate'], big);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.length < big.length);
  assert.deepEqual(nodeDecrypt(r.stdout.toString(), keys.encPriv), big);
});

test('node:crypto decrypts the FIT-Connect zip DEF vector like drehscheibe', () => {
  const jwk = JSON.parse(readFileSync(path.join(vectors, 'jose-utils/privateKey.txt'), 'utf8'));
  const jwe = readFileSync(path.join(vectors, 'jose-utils/encodedString.txt'), 'utf8').trim();
  const expected = readFileSync(path.join(vectors, 'derived/thavel-test-metadata.decrypted.json'));
  assert.deepEqual(nodeDecrypt(jwe, jwk), expected);
  const r = ds(['jwe', 'decrypt', '--key', path.join(vectors, 'jose-utils/privateKey.txt')], jwe);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.stdout, expected);
});

test('npm jose PS512 JWS verifies with drehscheibe', async () => {
  const key = await jose.importJWK(keys.sigPriv, 'PS512');
  const payload = JSON.stringify({ jti: 'x', events: { e: {} } });
  const jws = await new jose.CompactSign(Buffer.from(payload))
    .setProtectedHeader({ alg: 'PS512', typ: 'secevent+jwt', kid: keys.sigPub.kid })
    .sign(key);
  const r = ds(['set', 'verify', '--key', file('signing.public.jwk')], jws);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.toString().trim(), payload);

  const parts = jws.split('.');
  parts[1] = Buffer.from(payload.replace('x', 'y')).toString('base64url');
  const bad = ds(['set', 'verify', '--key', file('signing.public.jwk')], parts.join('.'));
  assert.equal(bad.status, 1);
});

test('drehscheibe PS512 SET verifies with npm jose', async () => {
  const payload = JSON.stringify({
    iss: 'https://zustelldienst.example', iat: 1796376600, jti: 'a',
    sub: 'submission:1', events: { e: {} },
  });
  const r = ds(['set', 'sign', '--key', file('signing.private.jwk')], payload);
  assert.equal(r.status, 0, r.stderr);
  const key = await jose.importJWK(keys.sigPub, 'PS512');
  const { payload: out, protectedHeader } =
    await jose.compactVerify(r.stdout.toString().trim(), key);
  assert.equal(Buffer.from(out).toString(), payload);
  assert.equal(protectedHeader.alg, 'PS512');
  assert.equal(protectedHeader.typ, 'secevent+jwt');
  assert.equal(protectedHeader.kid, keys.sigPub.kid);
});

test('the FIT-Connect testing SET verifies with both', async () => {
  const jwks = JSON.parse(readFileSync(path.join(vectors, 'jose-utils/jwks.json'), 'utf8'));
  const jwt = readFileSync(path.join(vectors, 'derived/set-testing-create-submission.jwt'), 'utf8').trim();
  await jose.compactVerify(jwt, await jose.importJWK(jwks.keys[0], 'PS512'));
  const r = ds(['set', 'verify', '--jwks', path.join(vectors, 'jose-utils/jwks.json')], jwt);
  assert.equal(r.status, 0, r.stderr);
});
