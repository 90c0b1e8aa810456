// Looks for the actual secrets a suite used (passwords, access tokens, the
// JWT key, the service token) in everything the services wrote. Searching
// for the values themselves, not for words like "password", is what proves
// that redaction works rather than that a field is named differently.

/** Each secret also in the forms a logger might write it: JSON-escaped and base64. */
function formsOf(value) {
  return [
    ...new Set([value, JSON.stringify(value).slice(1, -1), Buffer.from(value).toString('base64')]),
  ];
}

/**
 * @param {string} logs everything the services wrote
 * @param {Record<string, string>} secrets label → value (values shorter than 8 characters are skipped: they would match by chance)
 * @returns {{ checked: number, found: string[] }} labels of the secrets found
 */
export function scanLogsForSecrets(logs, secrets) {
  const found = [];
  let checked = 0;
  for (const [label, value] of Object.entries(secrets)) {
    if (typeof value !== 'string' || value.length < 8) continue;
    checked += 1;
    if (formsOf(value).some((form) => logs.includes(form))) found.push(label);
  }
  return { checked, found };
}
