import { metadataOf, type Database } from './database.js';

/** Creates constraints and indexes; safe on a fresh or an existing database. */
export async function migrate(db: Database): Promise<void> {
  const text = db.cypher.get('migrations/constraints');
  const statements = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('//'))
    .join('\n')
    .split(/;\s*\n/)
    .map((s) => s.trim())
    .filter(Boolean);
  const session = db.driver.session({ database: db.database });
  try {
    for (const statement of statements) await session.run(statement, {}, { metadata: metadataOf('db.migrate') });
    await session.run('CALL db.awaitIndexes(60)', {}, { metadata: metadataOf('db.migrate') });
  } finally {
    await session.close();
  }
}
