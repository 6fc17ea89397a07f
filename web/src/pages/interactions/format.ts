/** How the Recordings pages write times, durations and people. */

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** A playback position, to the tenth of a second: `1:05.3`. */
export function position(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function day(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });
}

/** A compact instant for tables: `Nov 22, 2:08 AM`. */
export function short(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
}

export function clock(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
}

const DAY_MS = 86_400_000;

/** An analytics `interval` covering the last `days` days up to tomorrow (so that today is all in). */
export function lastDays(days: number, now = Date.now()): string {
  return `${new Date(now - days * DAY_MS).toISOString()}/${new Date(now + DAY_MS).toISOString()}`;
}

/** An analytics `interval` of a day either side of an instant. */
export function around(iso: string): string {
  const at = Date.parse(iso);
  return `${new Date(at - DAY_MS).toISOString()}/${new Date(at + DAY_MS).toISOString()}`;
}
