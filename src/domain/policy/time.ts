/** Time arithmetic for policy conditions: times of day, ISO-8601 intervals and durations, time zones. */

export const DAY_MS = 86_400_000;

/** `HH:mm`, `HH:mm:ss` or `HH:mm:ss.SSS` as milliseconds after midnight; `24:00` is the end of the day. */
export function parseTimeOfDay(value: string): number | undefined {
  const m = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(value);
  if (!m) return undefined;
  const [h, min, s, frac] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0), Number((m[4] ?? '0').padEnd(3, '0'))];
  if (min > 59 || s > 59) return undefined;
  if (h === 24 && min + s + frac === 0) return DAY_MS;
  if (h > 23) return undefined;
  return ((h * 60 + min) * 60 + s) * 1000 + frac;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An instant as its wall-clock weekday (1 = Monday … 7 = Sunday) and time of day in a zone. */
export function wallClock(atMs: number, timeZone: string): { day: number; msOfDay: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(atMs));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  const msOfDay = ((Number(get('hour')) * 60 + Number(get('minute'))) * 60 + Number(get('second'))) * 1000 + (atMs % 1000 + 1000) % 1000;
  return { day, msOfDay };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An instant written as an ISO-8601 date-time with a zone, or a date (UTC midnight). */
export function parseInstant(value: string): number | undefined {
  if (!DATE_ONLY.test(value) && !DATE_TIME.test(value)) return undefined;
  const ms = Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `start/end`, both instants, start before end; the end is exclusive. */
export function parseDateRange(value: string): { startMs: number; endMs: number } | undefined {
  const parts = value.split('/');
  if (parts.length !== 2) return undefined;
  const [startMs, endMs] = parts.map((p) => parseInstant(p.trim()));
  return startMs !== undefined && endMs !== undefined && startMs < endMs ? { startMs, endMs } : undefined;
}

/** An ISO-8601 duration without years or months (`P1DT2H`, `PT5M`, `PT0.5S`) in milliseconds. */
export function parseDuration(value: string): number | undefined {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value.trim());
  if (!m || value.trim() === 'P' || value.trim().endsWith('T')) return undefined;
  const [w, d, h, min, s] = [m[1], m[2], m[3], m[4], m[5]].map((v) => Number(v ?? 0));
  return Math.round(((((w! * 7 + d!) * 24 + h!) * 60 + min!) * 60 + s!) * 1000);
}

/** One duration (`PT5M`) or two separated by a slash (`PT1M/PT5M`). */
export function parseDurationRange(value: string): number[] | undefined {
  const parts = value.split('/').map(parseDuration);
  return parts.length <= 2 && parts.every((p) => p !== undefined) ? (parts as number[]) : undefined;
}
