import neo4j from 'neo4j-driver';

/** JS numbers that are whole become Cypher integers (LIMIT, SKIP and counters need them). */
export function toCypherValues(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? neo4j.int(value) : value;
  if (Array.isArray(value)) return value.map(toCypherValues);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCypherValues(v)]));
  }
  return value;
}
