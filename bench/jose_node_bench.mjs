// Decrypts a compact JWE file with npm `jose` REPS times and prints the
// plaintext throughput per CPU second (user + system, as `openssl speed`
// counts) as JSON: {"mb_per_s": ..., "cpu_seconds": ..., "wall_seconds": ...}.
//   node bench/jose_node_bench.mjs JWE_FILE PRIVATE_JWK_FILE REPS
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const jose = await import(
  path.resolve(here, '../web/node_modules/jose/dist/node/esm/index.js'));

const [jweFile, keyFile, repsArg] = process.argv.slice(2);
const jwe = readFileSync(jweFile, 'utf8').trim();
const key = await jose.importJWK(JSON.parse(readFileSync(keyFile, 'utf8')), 'RSA-OAEP-256');
const reps = Number(repsArg ?? 3);

await jose.compactDecrypt(jwe, key);  // warm-up
let bytes = 0;
const start = process.hrtime.bigint();
const cpu = process.cpuUsage();
for (let i = 0; i < reps; i++) {
  const { plaintext } = await jose.compactDecrypt(jwe, key);
  bytes += plaintext.length;
}
const wall = Number(process.hrtime.bigint() - start) / 1e9;
const used = process.cpuUsage(cpu);
const cpuSeconds = (used.user + used.system) / 1e6;
console.log(JSON.stringify({ mb_per_s: bytes / 1e6 / cpuSeconds,
                             cpu_seconds: cpuSeconds, wall_seconds: wall }));
