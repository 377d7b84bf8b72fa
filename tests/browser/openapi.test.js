// The API description served by a running Lotse is valid OpenAPI (3.1, checked against the
// official schema by @seriousme/openapi-schema-validator).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';

let server, base, dataDir;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lotse-openapi-'));
  server = spawn(process.env.LOTSE_BIN, ['--data-dir', dataDir, 'serve', '--listen', '127.0.0.1:0'], {
    env: { ...process.env, LOTSE_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (c) => {
      out += c;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`lotse exited early (${code}): ${out}`)));
  });
});

after(async () => {
  server.kill('SIGTERM');
  await new Promise((r) => server.on('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
});

test('GET /api/v1/openapi.json is a valid OpenAPI 3.1 document', async () => {
  const response = await fetch(`${base}/api/v1/openapi.json`);
  assert.equal(response.status, 200);
  const doc = await response.json();
  const validator = new Validator();
  const result = await validator.validate(doc);
  assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
  assert.equal(validator.version, '3.1');
});

test('without a session or token the API answers 401 with a JSON error', async () => {
  for (const path of ['/api/v1/organisations', '/api/v1/users', '/api/v1/me']) {
    const response = await fetch(`${base}${path}`);
    assert.equal(response.status, 401, path);
    assert.ok((await response.json()).error);
  }
});
