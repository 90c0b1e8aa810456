#!/usr/bin/env node
// The security suite: the isolation matrix (two users × every user-scoped
// route of both services), forged and expired tokens on both services, login
// and sign-up throttling, a scan of everything the services logged for the secrets used,
// and npm audit. Writes the "Security" section of docs/resilience.md and exits
// non-zero when any row failed.
// One mode: every check is cheap (about a minute on 2 cores).
import { randomUUID } from 'node:crypto';
import { startPlatform } from '../fuzz/platform-processes.mjs';
import { callJson } from '../fuzz/raw-request.mjs';
import { recordResilience } from '../resilience/resilience-report.mjs';
import { forgedTokens } from './forged-tokens.mjs';
import { runAiCallThrottling } from './ai-call-throttling.mjs';
import { runIsolationMatrix } from './isolation-matrix.mjs';
import { scanLogsForSecrets } from './log-scan.mjs';
import { runLoginThrottling } from './login-throttling.mjs';
import { runNpmAudit } from './npm-audit.mjs';
import { runRegistrationThrottling } from './registration-throttling.mjs';

const started = Date.now();
// debug: the most a misconfigured deployment could write, so the scan sees the most.
const platform = await startPlatform({ logLevel: 'debug' });
const { backend, gateway, secrets } = platform;
const rows = [];
const forgeryNames = [];
const logSecrets = { 'JWT key': secrets.jwtSecret, 'service token': secrets.serviceToken };

try {
  const matrix = await runIsolationMatrix({
    backend,
    gateway,
    serviceToken: secrets.serviceToken,
  });
  rows.push(...matrix.rows);
  Object.assign(logSecrets, matrix.secrets);

  // Token forgeries against one protected route of each service, with a
  // control that the genuine token is accepted there.
  const forger = {
    email: `forger-${Date.now()}@security.example`,
    password: `forger-${randomUUID()}`,
  };
  const attacker = await callJson(backend.url, 'POST', '/api/auth/register', { body: forger });
  logSecrets['forger password'] = forger.password;
  logSecrets['forger token'] = attacker.json.accessToken;
  const forged = await forgedTokens({
    jwtSecret: secrets.jwtSecret,
    attackerToken: attacker.json.accessToken,
    victimId: matrix.owner.id,
    attackerId: attacker.json.user.id,
  });
  forgeryNames.push(...forged.map((token) => token.name));
  const targets = [
    { service: backend, method: 'GET', path: '/api/me' },
    { service: gateway, method: 'POST', path: '/ai/v1/search', body: { query: 'lighthouse' } },
  ];
  for (const target of targets) {
    const control = await callJson(target.service.url, target.method, target.path, {
      token: attacker.json.accessToken,
      body: target.body,
    });
    const accepted = [];
    for (const { name, token } of forged) {
      logSecrets[`forged token: ${name}`] = token;
      const answer = await callJson(target.service.url, target.method, target.path, {
        token,
        body: target.body,
      });
      if (answer.status !== 401 || answer.json?.code !== 'DT_ERR_UNAUTHENTICATED')
        accepted.push(`${name} → ${answer.status}`);
    }
    rows.push({
      scenario: `Forged tokens: ${target.service.name} ${target.method} ${target.path}`,
      expected: `401 DT_ERR_UNAUTHENTICATED for each of the ${forged.length} forgeries listed below; the genuine token 200`,
      observed: `genuine ${control.status}; ${forged.length - accepted.length}/${forged.length} forgeries refused with 401${accepted.length ? ` — FAIL: ${accepted.join('; ')}` : ''}`,
      requestsFailed: accepted.length + (control.status === 200 ? 0 : 1),
      dataLost: 0,
    });
  }

  rows.push(...(await runRegistrationThrottling({ backend })));
  rows.push(...(await runAiCallThrottling({ backend, gateway })));

  // Last: once the address is throttled, no one can log in from it for 15 minutes.
  rows.push(...(await runLoginThrottling({ backend, victim: forger })));
} finally {
  const exits = await platform.stop();
  rows.push({
    scenario: 'Both processes after the run',
    expected: 'exit 0 on SIGTERM',
    observed: `backend exit ${exits.backend.code ?? exits.backend.signal}, gateway exit ${exits.gateway.code ?? exits.gateway.signal}`,
    requestsFailed: (exits.backend.code === 0 ? 0 : 1) + (exits.gateway.code === 0 ? 0 : 1),
    dataLost: 0,
  });
}

const logs = platform.logs();
const scan = scanLogsForSecrets(logs, logSecrets);
rows.push({
  scenario: 'Logs written during the security run (debug level)',
  expected:
    'none of the passwords, access tokens (whole or signature), forged tokens, JWT key or service token used appear',
  observed: `${scan.checked} secrets searched in ${(logs.length / 1024).toFixed(0)} KB of stdout/stderr; found: ${scan.found.length ? scan.found.join(', ') : 'none'}`,
  requestsFailed: scan.found.length,
  dataLost: 0,
});

const audit = runNpmAudit();
const auditDetails = audit.details ?? [];
delete audit.details;
rows.push(audit);

const seconds = ((Date.now() - started) / 1000).toFixed(0);
recordResilience({
  suite: 'Security',
  command: 'npx nx run tools:security',
  rows,
  notes: [
    `Whole run ${seconds} s. Forgeries tried on both services: ${forgeryNames.join('; ')}.`,
    ...(auditDetails.length
      ? [
          '',
          'npm audit findings (production dependencies):',
          '',
          ...auditDetails.map((line) => `- ${line}`),
        ]
      : []),
  ],
});
const failed = rows.filter((row) => row.requestsFailed > 0 || row.dataLost > 0);
const verdict = (row) =>
  row.requestsFailed || row.dataLost
    ? 'FAIL'
    : row.observed.startsWith('SKIPPED')
      ? 'skip'
      : 'ok  ';
for (const row of rows) console.log(`${verdict(row)} ${row.scenario}: ${row.observed}`);
const skipped = rows.filter((row) => verdict(row) === 'skip').length;
console.log(
  `security suite: ${rows.length - failed.length - skipped}/${rows.length} rows passed` +
    `${skipped ? `, ${skipped} skipped` : ''} in ${seconds} s`,
);
process.exit(failed.length ? 1 : 0);
