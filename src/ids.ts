import { randomUUID } from 'node:crypto';
import { badInput, notFound, type AppError } from './errors.js';

/** Opaque global ids: base64url of "Type:rawId", the same encoding the Relay plugin uses. */
export function encodeGlobalId(type: string, rawId: string): string {
  return Buffer.from(`${type}:${rawId}`).toString('base64');
}

export function decodeGlobalId(globalId: string): { type: string; id: string } {
  const decoded = Buffer.from(globalId, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) throw badInput(`Invalid id: ${JSON.stringify(globalId.slice(0, 100))}`);
  return { type: decoded.slice(0, colon), id: decoded.slice(colon + 1) };
}

/** "a User", "an AccessProfile": a type name with its English article. */
export const withArticle = (typeName: string): string => `${/^[AEIO]/i.test(typeName) ? 'an' : 'a'} ${typeName}`;

/** Decodes an id that must be of one type; a wrong type is bad input. */
export function rawIdOf(type: string, globalId: string): string {
  const { type: actual, id } = decodeGlobalId(globalId);
  if (actual !== type) throw badInput(`Expected ${withArticle(type)} id, got ${withArticle(actual)} id`);
  return id;
}

export const newId = (): string => randomUUID();
export const now = (): string => new Date().toISOString();

const LABELS = { AccessProfile: 'access profile', SyncRun: 'sync run', User: 'user', Task: 'task', Entitlement: 'entitlement' } as const;

/** NOT_FOUND naming what was asked for, by its global id (never the raw uuid). */
export const noSuch = (type: keyof typeof LABELS, rawId: string): AppError => notFound(`No such ${LABELS[type]}: ${encodeGlobalId(type, rawId)}`);
