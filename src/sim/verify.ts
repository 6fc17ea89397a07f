import { setTimeout as sleep } from 'node:timers/promises';
import { CapstanClient } from './api-client.js';
import { decodeAudio, type DecodedAudio } from './audio-decode.js';
import { compareAnnotations, compareAudio, type ApiAnnotation } from './compare.js';
import { IdScope } from './compile.js';
import type { RunEntry, RunFile } from './run-file.js';
import type { Scenario } from './scenario.js';
import type { ExpectedRecording } from './scenario.schema.js';

/**
 * `capstan verify`: fetches each simulated conversation's recordings through the public
 * recordings API and playback URLs, decodes them, and compares them with the scenario's
 * expectations: which recordings exist, and for each who is audible on which channel when, its
 * length, format, owner and annotations.
 */

/** A recording as `GET /api/v2/conversations/{id}/recordings` returns it (the fields verify reads). */
export interface ApiRecording {
  readonly id: string;
  readonly startTime?: string | null;
  readonly media?: string | null;
  readonly mediaSubtype?: string | null;
  readonly fileState?: string | null;
  readonly recordingFileRole?: string | null;
  readonly outputDurationMs?: number | null;
  readonly annotations?: readonly ApiAnnotation[] | null;
  readonly mediaUris?: Record<string, { mediaUri?: string | null } | null> | null;
  readonly capstan?: {
    readonly kind: string;
    readonly participantId: string;
    readonly userId?: string | null;
    readonly format?: string | null;
    readonly beepTone?: boolean;
    readonly partial?: boolean;
    readonly health?: { readonly warnings?: readonly string[] } | null;
  } | null;
}

export interface RecordingVerdict {
  /** e.g. `station recording of a`. */
  readonly label: string;
  /** Id, format, channels and length, when known. */
  readonly details: string;
  readonly findings: string[];
}

export interface ScenarioVerdict {
  readonly scenario: string;
  readonly file: string;
  readonly conversationId: string;
  readonly ok: boolean;
  /** Findings about the conversation as a whole (missing or unexpected recordings, simulation errors). */
  readonly problems: string[];
  readonly recordings: RecordingVerdict[];
  readonly audioSec: number;
}

export interface VerifyOptions {
  readonly client: CapstanClient;
  readonly scenarios: readonly Scenario[];
  readonly run: RunFile;
  /** How long to wait for recordings still being written, in seconds. */
  readonly waitSec: number;
  readonly concurrency: number;
}

const SUBTYPE: Record<string, string> = { trunk: 'Trunk', station: 'Station', consult: 'Consult', snippet: 'Snippet' };
const IN_PROGRESS = new Set(['UPLOADING', 'RESTORING']);
/**
 * Health warnings that mean a simulated call was not recorded cleanly (a simulated call has every
 * frame and nobody silent by accident); silent channels and absent voices are judged by ear instead.
 */
const UNHEALTHY = new Set(['partial', 'noAudio', 'framesLost', 'shorterThanPlanned']);

export async function verify(options: VerifyOptions): Promise<ScenarioVerdict[]> {
  const byName = new Map(options.scenarios.map((s) => [s.name, s]));
  const entries = options.run.conversations.filter((e) => byName.has(e.scenario));
  const missing = options.scenarios.filter((s) => !entries.some((e) => e.scenario === s.name));
  const verdicts: ScenarioVerdict[] = missing.map((s) => ({
    scenario: s.name,
    file: s.file,
    conversationId: '-',
    ok: false,
    problems: ['not simulated in this run'],
    recordings: [],
    audioSec: 0,
  }));
  const deadline = Date.now() + options.waitSec * 1000;
  let next = 0;
  const results: ScenarioVerdict[] = new Array(entries.length);
  const worker = async () => {
    while (next < entries.length) {
      const i = next++;
      const entry = entries[i]!;
      results[i] = await verifyConversation(options.client, byName.get(entry.scenario)!, entry, deadline);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, entries.length)) }, worker));
  return [...results, ...verdicts];
}

async function verifyConversation(client: CapstanClient, scenario: Scenario, entry: RunEntry, deadline: number): Promise<ScenarioVerdict> {
  const problems = entry.problems.map((p) => `simulation: ${p}`);
  const recordings: RecordingVerdict[] = [];
  let audioSec = 0;
  const verdict = () => ({
    scenario: scenario.name,
    file: scenario.file,
    conversationId: entry.conversationId,
    ok: problems.length === 0 && recordings.every((r) => r.findings.length === 0),
    problems,
    recordings,
    audioSec,
  });
  // Who listed each recording plays it: ad-hoc recordings are listed (and played) only to their owner.
  const listedBy = new Map<string, CapstanClient>();
  const actual: ApiRecording[] = [];
  const denied: string[] = [];
  try {
    const adhocOwners = new Set(scenario.expect.recordings.filter((r) => r.kind === 'adhoc').map((r) => r.user));
    const owners = Object.entries(entry.accounts ?? {})
      .filter(([user]) => adhocOwners.has(user))
      .map(([, account]) => new CapstanClient(client.baseUrl, account));
    for (const listener of [client, ...owners]) {
      for (const rec of await fetchRecordings(listener, entry.conversationId, deadline, problems, denied)) {
        if (listedBy.has(rec.id)) continue;
        listedBy.set(rec.id, listener);
        actual.push(rec);
      }
    }
  } catch (err) {
    problems.push((err as Error).message);
    return verdict();
  }
  const scope = new IdScope(scenario, entry.namespace);
  const t0Ms = Date.parse(entry.t0);
  const audible = actual.filter((r) => r.capstan?.kind !== 'screen' && r.media !== 'screen' && r.fileState !== 'DELETED');
  const pending = [...audible].sort((a, b) => Date.parse(a.startTime ?? '') - Date.parse(b.startTime ?? ''));
  for (const expected of scenario.expect.recordings) {
    const label = `${expected.kind} recording of ${expected.perspective}`;
    const i = pending.findIndex((r) => r.capstan?.kind === expected.kind && r.capstan.participantId === expected.perspective);
    if (i < 0) {
      const unseen = expected.kind === 'adhoc' && expected.user !== undefined && !entry.accounts?.[expected.user];
      problems.push(`missing: ${label}${unseen ? ` (ad-hoc recordings are listed only to their owner, and no sign-in of ${expected.user} is known)` : ''}`);
      continue;
    }
    const rec = pending.splice(i, 1)[0]!;
    const checked = await checkRecording(listedBy.get(rec.id)!, scenario, scope, t0Ms, expected, rec);
    audioSec += checked.audio?.durationSec ?? 0;
    recordings.push({ label, details: details(rec, checked.audio), findings: checked.findings });
  }
  if (problems.some((p) => p.startsWith('missing:'))) problems.push(...denied.map((d) => `(${d})`));
  for (const rec of pending) {
    const start = rec.startTime ? ` starting at ${((Date.parse(rec.startTime) - t0Ms) / 1000).toFixed(1)} s` : '';
    problems.push(`unexpected: ${rec.capstan?.kind ?? rec.mediaSubtype ?? 'unknown'} recording of ${rec.capstan?.participantId ?? '?'}${start} (${rec.id})`);
  }
  return verdict();
}

/**
 * The recordings a listener may see. A listener who may see none of them (403) gets an empty
 * list, and the refusal is kept in `denied` to explain recordings found missing.
 */
async function fetchRecordings(client: CapstanClient, conversationId: string, deadline: number, problems: string[], denied: string[]): Promise<ApiRecording[]> {
  const path = `/api/v2/conversations/${encodeURIComponent(conversationId)}/recordings`;
  for (;;) {
    const { status, body } = await client.json<ApiRecording[] | { entities?: ApiRecording[]; message?: string }>('GET', path, undefined, [200, 202, 403]);
    if (status === 403) {
      denied.push(`${path}: 403 ${(body as { message?: string } | undefined)?.message ?? ''}`.trim());
      return [];
    }
    const list = status === 200 ? (Array.isArray(body) ? body : (body?.entities ?? [])) : undefined;
    const busy = list?.filter((r) => IN_PROGRESS.has(r.fileState ?? '')) ?? [];
    if (list && busy.length === 0) return list;
    if (Date.now() >= deadline) {
      if (!list) throw new Error(`the recordings were still being prepared (202) when the wait ran out`);
      problems.push(`${busy.length} recording(s) still ${busy.map((r) => r.fileState).join(', ')} when the wait ran out`);
      return list;
    }
    await sleep(300);
  }
}

async function checkRecording(client: CapstanClient, scenario: Scenario, scope: IdScope, t0Ms: number, expected: ExpectedRecording, rec: ApiRecording) {
  const findings: string[] = [];
  const tolerance = scenario.expect.tolerance;
  const meta = rec.capstan!;
  if (expected.user !== undefined && scope.unscoped(meta.userId) !== expected.user) {
    findings.push(`belongs to ${scope.unscoped(meta.userId) ?? 'nobody'}, expected ${expected.user}`);
  }
  const role = expected.kind === 'adhoc' ? 'ADHOC' : 'CUSTOMER_EXPERIENCE';
  if (rec.recordingFileRole && rec.recordingFileRole !== role) findings.push(`recordingFileRole is ${rec.recordingFileRole}, expected ${role}`);
  const subtype = SUBTYPE[expected.kind];
  if (subtype && rec.mediaSubtype && rec.mediaSubtype !== subtype) findings.push(`mediaSubtype is ${rec.mediaSubtype}, expected ${subtype}`);
  if (expected.format && meta.format && meta.format !== expected.format) findings.push(`format is ${meta.format}, expected ${expected.format}`);
  if (expected.beepTone !== undefined && meta.beepTone !== expected.beepTone) findings.push(`beep tone is ${meta.beepTone ? 'on' : 'off'}, expected ${expected.beepTone ? 'on' : 'off'}`);
  if (expected.startsAt !== undefined && rec.startTime) {
    const startsAt = (Date.parse(rec.startTime) - t0Ms) / 1000;
    if (Math.abs(startsAt - expected.startsAt) > tolerance.duration) findings.push(`starts at ${startsAt.toFixed(1)} s of the conversation, expected ${expected.startsAt.toFixed(1)} s`);
  }
  if (meta.partial) findings.push('is partial (finished from what reached disk after an interruption)');
  const warnings = (meta.health?.warnings ?? []).filter((w) => UNHEALTHY.has(w) && w !== 'partial');
  if (warnings.length) findings.push(`health warnings: ${warnings.join(', ')}`);
  findings.push(...compareAnnotations(expected.annotations, rec.annotations ?? [], tolerance));

  const uri = rec.mediaUris?.S?.mediaUri;
  if (!uri) {
    if (expected.duration > 0) findings.push('has no playable media (no mediaUris.S)');
    return { findings, audio: undefined };
  }
  let audio: DecodedAudio;
  try {
    const response = await client.fetch('GET', uri);
    if (response.status !== 200) {
      findings.push(`playback URL answered HTTP ${response.status}`);
      await response.body?.cancel();
      return { findings, audio: undefined };
    }
    audio = await decodeAudio(Buffer.from(await response.arrayBuffer()));
  } catch (err) {
    findings.push(`cannot be played: ${(err as Error).message}`);
    return { findings, audio: undefined };
  }
  const claimed = meta.format ?? expected.format;
  if (claimed && audio.format !== claimed) findings.push(`is stored as ${audio.format}, but claims ${claimed}`);
  if (rec.outputDurationMs !== undefined && rec.outputDurationMs !== null && Math.abs(rec.outputDurationMs / 1000 - audio.durationSec) > tolerance.duration) {
    findings.push(`outputDurationMs says ${(rec.outputDurationMs / 1000).toFixed(1)} s, the media lasts ${audio.durationSec.toFixed(1)} s`);
  }
  findings.push(...compareAudio(expected, audio, scenario.signatures, tolerance));
  return { findings, audio };
}

function details(rec: ApiRecording, audio: DecodedAudio | undefined): string {
  const parts = [rec.id];
  if (audio) parts.push(audio.format, `${audio.channels.length} ch`, `${audio.sampleRate} Hz`, `${audio.durationSec.toFixed(1)} s`);
  else parts.push('no media');
  return parts.join(', ');
}

/** The readable report: one line per scenario (or only the failing ones), and under a failing one what differs. */
export function formatVerdicts(verdicts: readonly ScenarioVerdict[], onlyFailures = false): string {
  const lines: string[] = [];
  for (const v of verdicts) {
    if (onlyFailures && v.ok) continue;
    const audio = v.audioSec > 0 ? `, ${v.audioSec.toFixed(1)} s of audio` : '';
    lines.push(`${v.ok ? 'PASS' : 'FAIL'} ${v.scenario} (${v.recordings.length} recording${v.recordings.length === 1 ? '' : 's'}${audio}; conversation ${v.conversationId})`);
    if (v.ok) continue;
    lines.push(`     ${v.file}`);
    for (const p of v.problems) lines.push(`     ${p}`);
    for (const r of v.recordings) {
      if (r.findings.length === 0) continue;
      lines.push(`     ${r.label} [${r.details}]`);
      for (const f of r.findings) lines.push(`       ${f}`);
    }
  }
  const failed = verdicts.filter((v) => !v.ok).length;
  lines.push(`${verdicts.length - failed} passed, ${failed} failed`);
  return lines.join('\n');
}
