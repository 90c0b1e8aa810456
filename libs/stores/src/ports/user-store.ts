import type { HealthCheckable } from '../shared/health';

export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export const SOCIAL_NETWORKS = ['github', 'linkedin', 'facebook', 'instagram', 'twitter'] as const;
export type SocialNetwork = (typeof SOCIAL_NETWORKS)[number];
export type SocialMedia = Partial<Record<SocialNetwork, string>>;

export interface UserRecord {
  readonly id: string;
  /** As the user typed it at registration (trimmed); uniqueness ignores case. */
  readonly email: string;
  readonly passwordHash: string;
  readonly createdAt: Date;
  readonly theme: Theme;
  readonly socialMedia: SocialMedia;
  /**
   * When the password last changed: access tokens issued before it (to the
   * second) are refused, so a change signs out every session. Null until then.
   */
  readonly tokensValidFrom: Date | null;
}

export interface NewUser {
  readonly email: string;
  readonly passwordHash: string;
  readonly theme?: Theme;
}

export interface UserProfileUpdate {
  readonly theme?: Theme;
  /** Merged into the stored links: absent keys keep their value, `null` removes a link. */
  readonly socialMedia?: Partial<Record<SocialNetwork, string | null>>;
}

export interface PasswordHashChange {
  readonly from: string;
  readonly to: string;
}

export interface UserStore extends HealthCheckable {
  /** Throws `EmailTakenError` when the email is in use, whatever its case. */
  create(user: NewUser): Promise<UserRecord>;
  findById(id: string): Promise<UserRecord | null>;
  /** Case-insensitive lookup. */
  findByEmail(email: string): Promise<UserRecord | null>;
  /** Returns the updated user, or null when there is no such user. */
  updateProfile(id: string, update: UserProfileUpdate): Promise<UserRecord | null>;
  /**
   * Replaces the hash `from` (the one the caller checked the current password
   * against) with `to`, and sets `tokensValidFrom` to now: every session
   * signed in before ends. A compare-and-set in one write: of two changes
   * that checked the same hash, the later finds it replaced and changes
   * nothing, instead of silently undoing the other. Returns false when there
   * is no such user or its hash is no longer `from`.
   */
  setPasswordHash(id: string, change: PasswordHashChange): Promise<boolean>;
  /** Removes the user record only; `eraseAccount` removes what the user owns. */
  delete(id: string): Promise<boolean>;
}
