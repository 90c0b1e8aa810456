import { SOCIAL_NETWORKS, type SocialMedia, type UserProfileUpdate } from '../ports/user-store';

/** Applies a merge update: absent keys keep their value, `null` removes the link. */
export function mergeSocialMedia(
  current: SocialMedia,
  update: UserProfileUpdate['socialMedia'],
): SocialMedia {
  const merged: SocialMedia = { ...current };
  for (const network of SOCIAL_NETWORKS) {
    const value = update?.[network];
    if (value === null) delete merged[network];
    else if (value !== undefined) merged[network] = value;
  }
  return merged;
}
