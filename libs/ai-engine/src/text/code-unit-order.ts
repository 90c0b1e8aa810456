/**
 * Orders strings by UTF-16 code units, for tie-breaks in the engine's output.
 * `localeCompare` would order by the process's locale (LC_ALL, LANG): a
 * Swedish server sorts "ä" after "z", an American one next to "a", and the
 * same text would give different topics, graph edges or result order on each.
 */
export function compareCodeUnits(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
