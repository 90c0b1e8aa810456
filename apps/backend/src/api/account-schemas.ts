import * as z from 'zod';
import { SOCIAL_NETWORKS, THEMES } from '@docuthinker/stores';

export const MIN_PASSWORD_LENGTH = 8;
/** argon2 hashes any length, but an unbounded password is a cheap CPU attack. */
const MAX_PASSWORD_LENGTH = 256;

const email = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ error: 'must be an email address' }));
const newPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, { error: `must be at least ${MIN_PASSWORD_LENGTH} characters` })
  .max(MAX_PASSWORD_LENGTH);

export const registerBody = z.object({ email, password: newPassword }).strict();
export const loginBody = z
  .object({ email: z.string().trim().min(1).max(254), password: z.string().min(1).max(256) })
  .strict();

export const userSummary = z.object({
  id: z.string(),
  email: z.string(),
  createdAt: z.iso.datetime(),
});

export const sessionResponse = z.object({
  user: userSummary,
  accessToken: z.string(),
  expiresIn: z.number().int().describe('Seconds until the access token expires'),
});

const socialLink = z.string().trim().max(500);
export const socialMedia = z.object(
  Object.fromEntries(SOCIAL_NETWORKS.map((network) => [network, socialLink.optional()])) as Record<
    (typeof SOCIAL_NETWORKS)[number],
    z.ZodOptional<typeof socialLink>
  >,
);

export const profileResponse = z.object({
  id: z.string(),
  email: z.string(),
  createdAt: z.iso.datetime(),
  daysSinceJoined: z.number().int(),
  documentCount: z.number().int(),
  theme: z.enum(THEMES),
  socialMedia,
});

export const profileUpdateBody = z
  .object({
    theme: z.enum(THEMES).optional(),
    socialMedia: z
      .object(
        Object.fromEntries(
          SOCIAL_NETWORKS.map((network) => [network, socialLink.nullable().optional()]),
        ) as Record<
          (typeof SOCIAL_NETWORKS)[number],
          z.ZodOptional<z.ZodNullable<typeof socialLink>>
        >,
      )
      .strict()
      .optional(),
  })
  .strict();

export const passwordChangeBody = z
  .object({ currentPassword: z.string().min(1).max(256), newPassword })
  .strict();
