import { DomainError } from '../domain/errors.js';

/**
 * Keyset pagination: a page carries an opaque cursor naming the last row's sort key, and the
 * next page starts strictly after it. No OFFSET anywhere: page 1,000 costs what page 1 costs.
 */

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}

export interface Page<T> {
  readonly entities: T[];
  /** Absent on the last page. */
  readonly nextCursor?: string;
}

export type CursorKey = readonly (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** Decodes a cursor of the expected shape; throws DomainError `paging.invalidCursor` for anything else. */
export function decodeCursor(cursor: string | undefined, shape: readonly ('string' | 'number')[]): CursorKey | undefined {
  if (!cursor) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (Array.isArray(key) && key.length === shape.length && key.every((v, i) => typeof v === shape[i])) return key as CursorKey;
  throw new DomainError('paging.invalidCursor', 'the cursor is not one this listing returned');
}

/** Turns `limit + 1` fetched rows into a page. */
export function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, keyOf: (row: R) => CursorKey): Page<T> {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  const last = shown[shown.length - 1];
  return { entities: shown.map(map), ...(more && last !== undefined ? { nextCursor: encodeCursor(keyOf(last)) } : {}) };
}
