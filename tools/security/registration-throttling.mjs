// A sign-up flood from one client address: every sign-up costs an argon2
// hash, so the backend must answer 429 with Retry-After at its documented
// default (20 an hour per address), before hashing and without creating the
// refused account. The addresses come through X-Forwarded-For, which the
// backend trusts from loopback as it does from the load balancer, so earlier
// rows' sign-ups from loopback do not count here.
import { randomUUID } from 'node:crypto';
import { callJson } from '../fuzz/raw-request.mjs';

/** DOCUTHINKER_REGISTRATIONS_PER_HOUR's default. */
const REGISTRATIONS_PER_HOUR = 20;
const FLOODING_ADDRESS = '203.0.113.50';
const OTHER_ADDRESS = '203.0.113.51';

function signUp(backend, email, clientAddress) {
  return callJson(backend.url, 'POST', '/api/auth/register', {
    body: { email, password: `flood-${randomUUID()}` },
    headers: { 'x-forwarded-for': clientAddress },
  });
}

export async function runRegistrationThrottling({ backend }) {
  const flood = randomUUID();
  const emailFor = (attempt) => `flood-${flood}-${attempt}@security.example`;
  let refused;
  let unexpected;
  let attempt = 0;
  while (attempt < REGISTRATIONS_PER_HOUR + 5 && !refused && !unexpected) {
    attempt += 1;
    const answer = await signUp(backend, emailFor(attempt), FLOODING_ADDRESS);
    if (answer.status === 429) refused = answer;
    else if (answer.status !== 201) unexpected = answer;
  }
  const retryAfter = Number(refused?.headers?.['retry-after']);
  // The refused email must still be free: nothing was created for it.
  const later = refused ? await signUp(backend, emailFor(attempt), OTHER_ADDRESS) : undefined;
  const ok =
    !unexpected &&
    attempt === REGISTRATIONS_PER_HOUR + 1 &&
    refused?.json?.code === 'DT_ERR_RATE_LIMITED' &&
    retryAfter > 0 &&
    later?.status === 201;
  return [
    {
      scenario: 'Sign-up flood from one address',
      expected: `${REGISTRATIONS_PER_HOUR} sign-ups 201, then 429 DT_ERR_RATE_LIMITED with Retry-After; the refused email stays free (201 from another address)`,
      observed: unexpected
        ? `FAIL: attempt ${attempt} answered ${unexpected.status}`
        : `429 at attempt ${refused ? attempt : 'never'}, code ${refused?.json?.code}, Retry-After ${refused?.headers?.['retry-after'] ?? 'missing'} s; the refused email then answered ${later?.status ?? '—'} from another address`,
      requestsFailed: ok ? 0 : 1,
      dataLost: 0,
    },
  ];
}
