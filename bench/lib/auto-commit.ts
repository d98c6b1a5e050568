import type { Driver } from 'neo4j-driver';

/**
 * A benchmark's own statements outside the API (generating, counting, undoing): each runs as one
 * auto-commit statement in a session of its own, and gives its records.
 */
export function autoCommit(driver: Driver) {
  return async (text: string, params: Record<string, unknown> = {}) => {
    const session = driver.session();
    try {
      return (await session.run(text, params)).records;
    } finally {
      await session.close();
    }
  };
}
