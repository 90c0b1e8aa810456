/** The form of an email address that uniqueness and lookups compare. */
export function emailKey(email: string): string {
  return email.trim().normalize('NFKC').toLowerCase();
}
