/** The audit actions are one typed list, and the audit page documents each of them. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../src/audit/trail.js';

describe('audit actions', () => {
  it('are each documented in docs/audit.md, and the page names no other', () => {
    const page = readFileSync(new URL('../../docs/audit.md', import.meta.url), 'utf8');
    const rows = page.split('\n').filter((line) => line.startsWith('| `'));
    const documented = new Set(rows.flatMap((row) => [...row.split('|')[1]!.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1]!)));
    expect([...documented].sort()).toEqual([...AUDIT_ACTIONS].sort());
  });
});
