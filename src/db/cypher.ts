/**
 * The Cypher file registry: every statement lives in `cypher/<capability>/<name>.cypher` and is
 * asked for by its path without the extension. An unknown name fails loudly.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CYPHER_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'cypher');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.cypher') ? [path] : [];
  });
}

export class UnknownCypherError extends Error {
  constructor(name: string) {
    super(`no Cypher statement named "${name}" in cypher/`);
  }
}

export class CypherRegistry {
  private readonly statements = new Map<string, string>();

  constructor(dir = CYPHER_DIR) {
    for (const path of walk(dir)) {
      const name = relative(dir, path).slice(0, -'.cypher'.length).split(sep).join('/');
      this.statements.set(name, readFileSync(path, 'utf8'));
    }
  }

  get(name: string): string {
    const text = this.statements.get(name);
    if (text === undefined) throw new UnknownCypherError(name);
    return text;
  }

  names(): string[] {
    return [...this.statements.keys()].sort();
  }
}

let shared: CypherRegistry | undefined;
export function cypherRegistry(): CypherRegistry {
  shared ??= new CypherRegistry();
  return shared;
}
