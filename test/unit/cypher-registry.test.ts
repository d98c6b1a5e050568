/** The Cypher registry: files by name, an unknown name fails loudly. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CypherRegistry, UnknownCypherError, cypherRegistry } from '../../src/db/cypher.js';

describe('CypherRegistry', () => {
  it('names each file by its path under cypher/ without the extension', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cypher-'));
    mkdirSync(join(dir, 'things', 'nested'), { recursive: true });
    writeFileSync(join(dir, 'things', 'list-things.cypher'), '// returns things\nMATCH (t:Thing) RETURN t');
    writeFileSync(join(dir, 'things', 'nested', 'count-things.cypher'), '// counts\nMATCH (t:Thing) RETURN count(t)');
    writeFileSync(join(dir, 'things', 'notes.txt'), 'not cypher');
    const registry = new CypherRegistry(dir);
    expect(registry.names()).toEqual(['things/list-things', 'things/nested/count-things']);
    expect(registry.get('things/list-things')).toContain('MATCH (t:Thing) RETURN t');
  });

  it('throws on an unknown name', () => {
    const registry = cypherRegistry();
    expect(() => registry.get('directory/no-such-file')).toThrow(UnknownCypherError);
    expect(() => registry.get('directory/upsert-users.cypher')).toThrow(UnknownCypherError);
  });

  it('holds the foundation\'s statements', () => {
    const names = cypherRegistry().names();
    for (const name of ['directory/upsert-users', 'directory/upsert-grants', 'directory/remove-unlisted-grants', 'profiles/create-profile', 'auth/find-token', 'migrations/constraints']) {
      expect(names).toContain(name);
    }
  });
});
