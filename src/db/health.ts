/**
 * GET /health: 200 `{status: "ok", neo4j: true}` while Neo4j answers, 503 `{status: "unavailable",
 * neo4j: false, reason}` otherwise, always within HEALTH_ANSWER_MS whatever Neo4j does. The answer
 * is the availability probe's (src/db/availability.ts), shared by concurrent callers and reused
 * for a second, so a thousand /health calls reach Neo4j about once a second.
 */
import type { ServerResponse } from 'node:http';
import { RETRY_AFTER_SECONDS, type Availability, type Probe } from './availability.js';

/** The longest /health takes to answer. */
export const HEALTH_ANSWER_MS = 800;

export async function healthOf(availability: Availability): Promise<Probe> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Probe>((resolve) => {
    timer = setTimeout(() => resolve({ up: false, reason: `it did not answer within ${HEALTH_ANSWER_MS} ms` }), HEALTH_ANSWER_MS);
  });
  try {
    return await Promise.race([availability.recent(), late]);
  } finally {
    clearTimeout(timer);
  }
}

export async function healthRoute(res: ServerResponse, availability: Availability): Promise<void> {
  const probe = await healthOf(availability);
  const body = probe.up ? { status: 'ok', neo4j: true } : { status: 'unavailable', neo4j: false, reason: `Neo4j: ${probe.reason}` };
  res.writeHead(probe.up ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store', ...(probe.up ? {} : { 'retry-after': String(RETRY_AFTER_SECONDS) }) });
  res.end(JSON.stringify(body));
}
