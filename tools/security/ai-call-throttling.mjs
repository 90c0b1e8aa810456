// One user flooding the AI routes: every AI call may cost a paid provider
// request, so each service must answer 429 with Retry-After at the documented
// default (60 a minute per user), without doing the work, and leave other
// users' allowance alone. The backend and the gateway count on their own
// (the gateway per replica, for user tokens), so each is flooded in turn.
import { randomUUID } from 'node:crypto';
import { callJson } from '../fuzz/raw-request.mjs';

/** DOCUTHINKER_AI_CALLS_PER_MINUTE's default. */
const AI_CALLS_PER_MINUTE = 60;
const TEXT = 'Lighthouse keepers trim the wicks at dusk. The lamps burn until dawn.';

async function register(backend, label) {
  const answer = await callJson(backend.url, 'POST', '/api/auth/register', {
    body: { email: `${label}-${randomUUID()}@security.example`, password: `pw-${randomUUID()}` },
  });
  if (answer.status !== 201) throw new Error(`register answered ${answer.status}`);
  return answer.json.accessToken;
}

/** Calls until the first refusal (or a few past the limit); what it saw. */
async function flood(call) {
  let attempt = 0;
  let refused;
  let unexpected;
  while (attempt < AI_CALLS_PER_MINUTE + 5 && !refused && !unexpected) {
    attempt += 1;
    const answer = await call();
    if (answer.status === 429) refused = answer;
    else if (answer.status !== 200) unexpected = answer;
  }
  return { attempt, refused, unexpected };
}

function row(scenario, { attempt, refused, unexpected }, othersStatus) {
  const retryAfter = Number(refused?.headers?.['retry-after']);
  const ok =
    !unexpected &&
    attempt === AI_CALLS_PER_MINUTE + 1 &&
    refused?.json?.code === 'DT_ERR_RATE_LIMITED' &&
    retryAfter > 0 &&
    retryAfter <= 60 &&
    othersStatus === 200;
  return {
    scenario,
    expected: `${AI_CALLS_PER_MINUTE} calls 200, then 429 DT_ERR_RATE_LIMITED with Retry-After ≤ 60 s; another user still served`,
    observed: unexpected
      ? `FAIL: attempt ${attempt} answered ${unexpected.status}`
      : `429 at attempt ${refused ? attempt : 'never'}, code ${refused?.json?.code}, Retry-After ${refused?.headers?.['retry-after'] ?? 'missing'} s; another user then answered ${othersStatus}`,
    requestsFailed: ok ? 0 : 1,
    dataLost: 0,
  };
}

export async function runAiCallThrottling({ backend, gateway }) {
  const flooder = await register(backend, 'ai-flood');
  const other = await register(backend, 'ai-other');
  const backendSummary = (token) =>
    callJson(backend.url, 'POST', '/api/ai/summary', { token, body: { text: TEXT } });
  const gatewaySummary = (token) =>
    callJson(gateway.url, 'POST', '/ai/v1/tasks/summary', { token, body: { text: TEXT } });
  const throughBackend = await flood(() => backendSummary(flooder));
  const backendOther = (await backendSummary(other)).status;
  const atGateway = await flood(() => gatewaySummary(flooder));
  const gatewayOther = (await gatewaySummary(other)).status;
  return [
    row('AI call flood from one user: backend POST /api/ai/summary', throughBackend, backendOther),
    row(
      "AI call flood from one user's token: gateway POST /ai/v1/tasks/summary",
      atGateway,
      gatewayOther,
    ),
  ];
}
