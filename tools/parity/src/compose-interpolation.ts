/** `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?message}`, `${NAME?message}`, or `$$`. */
const REFERENCE =
  /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * A compose value with its variables filled in from `variables` (a `.env`
 * file), as `docker compose` does: `:-`/`-` give a default when the variable
 * is unset (`:` also when empty), `:?`/`?` refuse to start without it, and
 * `$$` is a literal `$`. Throws with compose's message where compose would
 * refuse.
 */
export function interpolate(value: string, variables: ReadonlyMap<string, string>): string {
  return value.replace(
    REFERENCE,
    (
      whole,
      braced?: string,
      colon?: string,
      operator?: string,
      argument?: string,
      bare?: string,
    ) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare) as string;
      const set = variables.get(name);
      const missing = set === undefined || (colon === ':' && set === '');
      if (!missing) return set;
      if (operator === '-') return argument ?? '';
      if (operator === '?') throw new Error(`${name}: ${argument || 'required'}`);
      return '';
    },
  );
}
