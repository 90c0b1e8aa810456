/**
 * `${NAME}`, `${NAME:-default}`, `${NAME-default}`, `${NAME:?message}`,
 * `${NAME?message}`, `${NAME:+other}`, `${NAME+other}`, `$NAME` or `$$`.
 */
const REFERENCE =
  /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * A compose value with its variables filled in from `variables` (a `.env`
 * file), as `docker compose` does: `:-`/`-` give a default when the variable
 * is unset (`:` also when empty), `:?`/`?` refuse to start without it,
 * `:+`/`+` give another value when it is set, and `$$` is a literal `$`.
 * Throws with compose's message where compose would refuse, and on a
 * reference inside another's default, which this reader does not resolve
 * (a wrong value would pass for the real one).
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
      if (argument?.includes('${')) {
        throw new Error(`${whole}: a nested reference is not supported by the parity check`);
      }
      const name = (braced ?? bare) as string;
      const set = variables.get(name);
      const missing = set === undefined || (colon === ':' && set === '');
      if (operator === '+') return missing ? '' : (argument ?? '');
      if (!missing) return set;
      if (operator === '-') return argument ?? '';
      if (operator === '?') throw new Error(`${name}: ${argument || 'required'}`);
      return '';
    },
  );
}
