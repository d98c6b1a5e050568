/**
 * Every Cypher file of the registry is checked by Neo4j itself (EXPLAIN plans it without running
 * it), so a syntax error in any file fails the suite; and an unknown name fails loudly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CypherRegistry, UnknownCypherError } from '../../src/db/cypher.js';
import { Database } from '../../src/db/database.js';
import { migrate } from '../../src/db/migrate.js';
import { createLogger } from '../../src/logger.js';
import { resetGraph, startTestApp, testNeo4jUri, type TestApp } from '../helpers/app.js';

let t: TestApp;
const registry = new CypherRegistry();

beforeAll(async () => {
  t = await startTestApp();
  await resetGraph(t.app);
});
afterAll(async () => t?.stop());

/** The statements of a file without its comment lines; the migrations file holds several, split on `;`. */
function statementsOf(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n')
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter(Boolean);
}

describe('the Cypher files', () => {
  const names = registry.names();

  it('are many, each starting with a comment that says what it takes and returns', () => {
    expect(names.length).toBeGreaterThan(40);
    for (const name of names) {
      expect(registry.get(name).trimStart().startsWith('//'), name).toBe(true);
      expect(name, 'cypher/<capability>/<verb>-<noun>').toMatch(/^[a-z]+\/[a-z0-9]+(-[a-z0-9]+)*$/);
    }
  });

  it.each(names.filter((n) => !n.startsWith('migrations/')))('%s is one statement that Neo4j plans', async (name) => {
    const statements = statementsOf(registry.get(name));
    expect(statements, 'one statement per file').toHaveLength(1);
    const session = t.app.services.db.driver.session();
    try {
      await session.run(`EXPLAIN ${statements[0]}`);
    } finally {
      await session.close();
    }
  });

  it('migrations run again on an existing database without error (idempotent)', async () => {
    const statements = statementsOf(registry.get('migrations/constraints'));
    expect(statements.length).toBeGreaterThan(10);
    const session = t.app.services.db.driver.session();
    try {
      for (const statement of statements) await session.run(statement);
    } finally {
      await session.close();
    }
    const { records } = await t.app.services.db.driver.executeQuery('SHOW CONSTRAINTS YIELD name RETURN collect(name) AS names');
    const constraints = records[0]!.get('names') as string[];
    for (const name of ['user_id', 'user_external_id', 'app_external_id', 'entitlement_external_id', 'grant_key', 'api_token_hash']) expect(constraints).toContain(name);
  });

  it('migrations give open tasks made before openOn their entitlement, leave closed ones alone, and drop the text index on openKey', async () => {
    const run = (text: string) => t.app.services.db.driver.executeQuery(text);
    await run(`CREATE (:Task {id: 'm-open', openKey: 'GRANT|u-m|e-m'}), (:Task {id: 'm-closed', state: 'DONE'})`);
    await run(`CREATE TEXT INDEX task_open_key_text IF NOT EXISTS FOR (n:Task) ON (n.openKey)`);
    await migrate(t.app.services.db);
    const { records } = await run(`MATCH (t:Task) WHERE t.id STARTS WITH 'm-' RETURN t.id AS id, t.openOn AS openOn ORDER BY id`);
    expect(records.map((r) => r.toObject())).toEqual([
      { id: 'm-closed', openOn: null },
      { id: 'm-open', openOn: 'e-m' },
    ]);
    const indexes = await run(`SHOW INDEXES YIELD name RETURN collect(name) AS names`);
    expect(indexes.records[0]!.get('names')).toContain('task_open_on');
    expect(indexes.records[0]!.get('names')).not.toContain('task_open_key_text');
    await run(`MATCH (t:Task) WHERE t.id STARTS WITH 'm-' DELETE t`);
  });

  it('migrations go to the configured database (NEO4J_DATABASE), not the server default', async () => {
    const logger = createLogger('error');
    const elsewhere = new Database({ uri: testNeo4jUri(), user: 'neo4j', password: '', database: 'nosuchdatabase' }, logger);
    try {
      // Community has one user database: a migration sent to another one fails rather than
      // quietly creating the constraints in the default database.
      await expect(migrate(elsewhere)).rejects.toMatchObject({ code: 'Neo.ClientError.Database.DatabaseNotFound' });
    } finally {
      await elsewhere.close();
    }
    const named = new Database({ uri: testNeo4jUri(), user: 'neo4j', password: '', database: 'neo4j' }, logger);
    try {
      await migrate(named);
    } finally {
      await named.close();
    }
  });

  it('an unknown name throws, in the registry and in a transaction, and runs nothing', async () => {
    expect(() => registry.get('directory/no-such-statement')).toThrow(UnknownCypherError);
    await expect(t.app.services.db.read('test.cypher-files', (tx) => tx.run('directory/no-such-statement'))).rejects.toThrow(/no Cypher statement named "directory\/no-such-statement"/);
    // Nothing was sent for it (other statements, such as the event poll, may run meanwhile).
    expect(t.app.services.db.statementCounts.has('directory/no-such-statement')).toBe(false);
  });
});
