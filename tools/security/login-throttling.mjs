// Password guessing against one account, then against many: the backend
// must answer 429 with Retry-After before an attacker gets far, and keep
// answering 429 even when the guess is right (otherwise the throttle only
// slows the wrong guesses down).
import { randomUUID } from 'node:crypto';
import { callJson } from '../fuzz/raw-request.mjs';

/** The documented limits (5 per email, 30 per address per 15 min) plus one. */
const PER_EMAIL_BOUND = 6;
const PER_ADDRESS_BOUND = 31;

async function guessUntilThrottled(backend, bound, credentialsFor) {
  for (let attempt = 1; attempt <= bound + 5; attempt += 1) {
    const answer = await callJson(backend.url, 'POST', '/api/auth/login', {
      body: credentialsFor(attempt),
    });
    if (answer.status === 429) return { attempt, answer };
    if (answer.status !== 401) return { attempt, answer, unexpected: true };
  }
  return { attempt: Infinity };
}

export async function runLoginThrottling({ backend, victim }) {
  const rows = [];
  const perEmail = await guessUntilThrottled(backend, PER_EMAIL_BOUND, (attempt) => ({
    email: victim.email,
    password: `wrong-guess-${attempt}`,
  }));
  const retryAfter = Number(perEmail.answer?.headers?.['retry-after']);
  const right = await callJson(backend.url, 'POST', '/api/auth/login', {
    body: { email: victim.email, password: victim.password },
  });
  const emailOk = perEmail.attempt <= PER_EMAIL_BOUND && retryAfter > 0 && right.status === 429;
  rows.push({
    scenario: 'Login brute force against one account',
    expected: `429 with Retry-After by attempt ${PER_EMAIL_BOUND}; the right password is refused with 429 too while throttled`,
    observed: `429 at attempt ${perEmail.attempt}, Retry-After ${perEmail.answer?.headers?.['retry-after'] ?? 'missing'} s, code ${perEmail.answer?.json?.code}; right password then answered ${right.status}`,
    requestsFailed: emailOk ? 0 : 1,
    dataLost: 0,
  });

  const spray = `${randomUUID()}`;
  const perAddress = await guessUntilThrottled(backend, PER_ADDRESS_BOUND, (attempt) => ({
    email: `spray-${spray}-${attempt}@security.example`,
    password: 'Winter2026!',
  }));
  const addressRetry = Number(perAddress.answer?.headers?.['retry-after']);
  const addressOk = perAddress.attempt <= PER_ADDRESS_BOUND && addressRetry > 0;
  rows.push({
    scenario: 'Password spraying from one address (a new email each attempt)',
    expected: `429 with Retry-After by attempt ${PER_ADDRESS_BOUND} (earlier, since the first scenario's attempts count too)`,
    observed: `429 at attempt ${perAddress.attempt}, Retry-After ${perAddress.answer?.headers?.['retry-after'] ?? 'missing'} s`,
    requestsFailed: addressOk ? 0 : 1,
    dataLost: 0,
  });
  return rows;
}
