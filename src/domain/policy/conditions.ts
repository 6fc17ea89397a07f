import type { PolicyFacts } from './facts.js';
import type { PolicyConditions } from './schema.js';
import { parseDateRange, parseDurationRange, parseTimeOfDay, wallClock } from './time.js';

/**
 * Whether a policy's conditions hold for a conversation. Every condition given must hold (an
 * empty list is no condition); within one list any entry will do. The answer says why, in words
 * a supervisor can read: each condition that held, or the first that did not.
 */
export interface ConditionResult {
  readonly matched: boolean;
  /** When matched: one sentence per condition that held ("no conditions" when there were none). */
  readonly reasons: readonly string[];
  /** When not matched: the condition that failed. */
  readonly failed?: string;
}

type Check = (facts: PolicyFacts) => { ok: boolean; reason: string } | undefined;

const anyOf = (wanted: readonly { id: string }[] | undefined, have: readonly string[], what: string, caseless = false): Check => () => {
  if (!wanted || wanted.length === 0) return undefined;
  const norm = (s: string) => (caseless ? s.toLowerCase() : s);
  const hit = wanted.find((w) => have.some((h) => norm(h) === norm(w.id)));
  return hit ? { ok: true, reason: `${what} ${hit.id}` } : { ok: false, reason: `${what} is none of ${wanted.map((w) => w.id).join(', ')}` };
};

function checks(c: PolicyConditions, facts: PolicyFacts): Check[] {
  return [
    anyOf(c.forUsers, facts.userIds, 'user'),
    () => {
      if (!c.directions || c.directions.length === 0) return undefined;
      const direction = facts.direction.toUpperCase();
      return (c.directions as string[]).includes(direction)
        ? { ok: true, reason: `direction ${direction}` }
        : { ok: false, reason: `direction ${direction} is not ${c.directions.join(' or ')}` };
    },
    anyOf(c.forQueues, facts.queueIds, 'queue'),
    anyOf(c.wrapupCodes, facts.wrapupCodes, 'wrap-up code'),
    anyOf(c.languages, facts.languages, 'language', true),
    () => {
      if (!c.dateRanges || c.dateRanges.length === 0) return undefined;
      const hit = c.dateRanges.find((r) => {
        const range = parseDateRange(r)!;
        return facts.startedAtMs >= range.startMs && facts.startedAtMs < range.endMs;
      });
      return hit ? { ok: true, reason: `started within ${hit}` } : { ok: false, reason: 'started outside every date range' };
    },
    () => {
      const t = c.timeAllowed;
      if (!t || t.empty || t.timeSlots.length === 0) return undefined;
      const { day, msOfDay } = wallClock(facts.startedAtMs, t.timeZoneId);
      const hit = t.timeSlots.find((s) => s.day === day && msOfDay >= parseTimeOfDay(s.startTime)! && msOfDay < parseTimeOfDay(s.stopTime)!);
      return hit
        ? { ok: true, reason: `started on day ${day} between ${hit.startTime} and ${hit.stopTime} (${t.timeZoneId})` }
        : { ok: false, reason: `started outside the allowed time slots (${t.timeZoneId})` };
    },
    () => {
      const d = c.duration;
      if (!d) return undefined;
      const [a, b] = parseDurationRange(d.durationRange)!;
      const ms = facts.endedAtMs - facts.startedAtMs;
      const ok = d.durationMode === 'Over' ? ms > a! : d.durationMode === 'Under' ? ms < a! : ms >= a! && ms <= b!;
      const text = `lasted ${Math.round(ms / 1000)} s`;
      return { ok, reason: ok ? `${text}, ${d.durationMode} ${d.durationRange}` : `${text}, not ${d.durationMode} ${d.durationRange}` };
    },
  ];
}

export function matchConditions(conditions: PolicyConditions | undefined, facts: PolicyFacts): ConditionResult {
  if (!conditions) return { matched: true, reasons: ['no conditions'] };
  if (conditions.mediaTypes && conditions.mediaTypes.length > 0 && !conditions.mediaTypes.includes('CALL')) {
    return { matched: false, reasons: [], failed: 'media type is not CALL' };
  }
  const reasons: string[] = [];
  for (const check of checks(conditions, facts)) {
    const result = check(facts);
    if (!result) continue;
    if (!result.ok) return { matched: false, reasons: [], failed: result.reason };
    reasons.push(result.reason);
  }
  return { matched: true, reasons: reasons.length ? reasons : ['no conditions'] };
}
