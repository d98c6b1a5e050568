/** Writes schema.graphql from the Pothos builder (sorted), or with --check fails when it drifted. */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { printedSchema } from '../src/schema/index.js';

const path = join(dirname(fileURLToPath(import.meta.url)), '..', 'schema.graphql');
const printed = printedSchema();
if (process.argv.includes('--check')) {
  if (readFileSync(path, 'utf8') !== printed) {
    process.stderr.write('schema.graphql is out of date: run npm run schema\n');
    process.exit(1);
  }
} else {
  writeFileSync(path, printed);
}
