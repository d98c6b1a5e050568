/**
 * Runs around every test of every file: a test ends only once the background work it caused
 * (holders-changed syncs, event and webhook delivery) has finished, so none of it writes into the
 * next test's counts.
 */
import { afterEach } from 'vitest';
import { quiescent } from './app.js';

afterEach(async () => {
  await quiescent();
});
