import { z } from 'zod';

/** Query-string helpers shared by routes. */

/** Keyset paging: `pageSize` (1..max, default 25) and an opaque `cursor`. */
export const pagingQuery = (max = 100) =>
  z.object({
    pageSize: z.coerce.number().int().min(1).max(max).default(25),
    cursor: z.string().max(512).optional(),
  });

/** A list parameter sent comma-joined (`a,b`), repeated (`x=a&x=b`), or both. */
export const queryList = <T extends z.ZodType<string, string>>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item));

export const queryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');

export const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
