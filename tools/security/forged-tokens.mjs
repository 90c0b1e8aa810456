// Access tokens an attacker can make without the signing key (or with the
// key but the wrong claims), each of which both services must refuse. Built
// with jose where a signature is needed and by hand where the point is to
// break the format.
import { SignJWT } from 'jose';

const ISSUER = 'docuthinker-backend';
const AUDIENCE = 'docuthinker-api';

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

function sign(
  secret,
  subject,
  { issuer = ISSUER, audience = AUDIENCE, alg = 'HS256', exp = '15m', iat } = {},
) {
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg, typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(issuer)
    .setAudience(audience);
  jwt = iat === undefined ? jwt.setIssuedAt() : jwt.setIssuedAt(iat);
  if (exp !== null) jwt = jwt.setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(secret));
}

/**
 * `attackerToken` is a real token the backend issued to the attacker; the
 * forgeries start from it or from the platform's key with a wrong claim.
 * @returns {Promise<Array<{ name: string, token: string }>>}
 */
export async function forgedTokens({ jwtSecret, attackerToken, victimId, attackerId }) {
  const [header, payload, signature] = attackerToken.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const now = Math.floor(Date.now() / 1000);
  const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
  return [
    {
      name: 'payload tampered (subject swapped to the victim, signature kept)',
      token: `${header}.${b64({ ...claims, sub: victimId })}.${signature}`,
    },
    { name: 'signature tampered', token: `${header}.${payload}.${flipped}` },
    { name: 'signature stripped', token: `${header}.${payload}.` },
    {
      name: '"alg": "none", unsigned',
      token: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, sub: victimId })}.`,
    },
    {
      name: '"alg": "NONE", unsigned',
      token: `${b64({ alg: 'NONE', typ: 'JWT' })}.${b64({ ...claims, sub: victimId })}.`,
    },
    {
      name: 'expired a minute ago (right key)',
      token: await sign(jwtSecret, attackerId, { iat: now - 1000, exp: now - 60 }),
    },
    {
      name: 'no expiry claim (right key)',
      token: await sign(jwtSecret, attackerId, { exp: null }),
    },
    {
      name: 'wrong audience (right key)',
      token: await sign(jwtSecret, attackerId, { audience: 'some-other-api' }),
    },
    {
      name: 'wrong issuer (right key)',
      token: await sign(jwtSecret, attackerId, { issuer: 'https://evil.example' }),
    },
    {
      name: 'HS512 instead of HS256 (right key)',
      token: await sign(jwtSecret, attackerId, { alg: 'HS512' }),
    },
    {
      name: 'signed with another key',
      token: await sign('not-the-platform-key-0123456789abcdef', victimId),
    },
  ];
}
