/** The CSV exports' answers that are no CSV: coded JSON errors, with the retry hint of RATE_LIMITED and SERVICE_UNAVAILABLE. */
import type { ServerResponse } from 'node:http';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

export function sendError(res: ServerResponse, status: number, code: string, message: string, details: { retryAfterSeconds?: number } = {}): void {
  const retry = details.retryAfterSeconds !== undefined ? { 'retry-after': String(details.retryAfterSeconds) } : {};
  res.writeHead(status, { 'content-type': 'application/json', ...retry });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code, ...details } }] }));
}

const STATUS: Record<string, number> = { BAD_USER_INPUT: 400, UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, SERVICE_UNAVAILABLE: 503 };

/** An error before the CSV began: ours with its code (SERVICE_UNAVAILABLE with its retry hint), anything else INTERNAL. */
export function sendAppError(res: ServerResponse, error: unknown, logger: Logger): void {
  if (error instanceof AppError) {
    const code = String(error.extensions.code);
    const retryAfterSeconds = typeof error.extensions.retryAfterSeconds === 'number' ? error.extensions.retryAfterSeconds : undefined;
    sendError(res, STATUS[code] ?? 500, code, error.message, retryAfterSeconds === undefined ? {} : { retryAfterSeconds });
    return;
  }
  logger.error('export failed', { message: (error as Error).message });
  sendError(res, 500, 'INTERNAL', 'Internal error');
}
