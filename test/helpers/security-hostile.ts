/** Hostile strings, and graph fingerprints to prove that pushing them through the API changed nothing else. */
import type { App } from '../../src/app.js';

export const HOSTILE_STRINGS: { name: string; value: string }[] = [
  { name: 'quotes', value: `O'Brien "the" \\ back\\slash` },
  { name: 'backticks', value: '`n` `MATCH (n) RETURN n`' },
  { name: 'shell', value: '$(rm -rf /) ${process.env} `id`' },
  { name: 'cypher close-and-delete', value: `' }) MATCH (n) DETACH DELETE n //` },
  { name: 'cypher double-quote', value: `"}) WITH 1 AS x MATCH (n) SET n.pwned = true RETURN x //` },
  { name: 'cypher call', value: `'); CALL apoc.cypher.runFile('x'); CALL db.labels() //` },
  { name: 'cypher parameter', value: '$hash $userId {id: $id}' },
  { name: 'comment and newline', value: 'a /* b */ c\r\n// d\nMATCH (n) DELETE n' },
  { name: 'NUL', value: 'before\u0000after' },
  { name: 'RTL override', value: 'admin\u202Egnp.exe' },
  { name: 'emoji and ZWJ', value: '👩\u200D💻🔥 x' },
  { name: 'combining and zero-width', value: 'a\u200Bb\u0301\uFEFF' },
  { name: 'lone surrogate', value: 'x\uD800y' },
  { name: 'template and html', value: '{{7*7}} <script>alert(1)</script>' },
  { name: '1 MB', value: 'A'.repeat(1024 * 1024) },
];

/** Labels and relationship types background work writes (the sync, the event log): not counted. */
const BACKGROUND_LABELS = ['SyncRun', 'SyncLease', 'Event', 'Counter'];
const BACKGROUND_TYPES = ['OF_PROFILE', 'STAGED_ENROLL', 'STAGED_UNENROLL', 'CREATED_BY_RUN'];

export type Fingerprint = Record<string, number>;

/** Nodes by label and relationships by type, plus nodes carrying a property an injection would set. */
export async function fingerprint(app: App): Promise<Fingerprint> {
  const session = app.services.db.driver.session();
  try {
    const out: Fingerprint = {};
    const result = await session.run(
      // An audit entry counts once, chained or still pending (the sealer chains it after commit).
      `CALL { MATCH (n) UNWIND labels(n) AS label WITH CASE label WHEN 'AuditPending' THEN 'AuditEntry' ELSE label END AS label
          WHERE NOT label IN $labels RETURN ':' + label AS key, count(*) AS n
        UNION ALL MATCH ()-[r]->() WITH type(r) AS type WHERE NOT type IN $types RETURN '-' + type + '-' AS key, count(*) AS n
        UNION ALL MATCH (n) WHERE n.pwned IS NOT NULL RETURN 'pwned' AS key, count(n) AS n }
       RETURN key, n`,
      { labels: BACKGROUND_LABELS, types: BACKGROUND_TYPES },
    );
    for (const r of result.records) out[r.get('key') as string] = Number(r.get('n'));
    out.pwned ??= 0;
    return out;
  } finally {
    await session.close();
  }
}

export function delta(before: Fingerprint, after: Fingerprint): Fingerprint {
  const out: Fingerprint = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const d = (after[key] ?? 0) - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}
