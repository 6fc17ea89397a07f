import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { SIGNATURE_HZ } from './signature.js';
import { inlineConfigSchema, scenarioFileSchema, type ScenarioConfig, type ScenarioFile, type Step } from './scenario.schema.js';

/** Loading scenario files: YAML, schema, the configuration they include, and the checks across fields. */

export interface Scenario extends Omit<ScenarioFile, 'config'> {
  /** The file it came from, as given or found. */
  readonly file: string;
  /** The configuration the scenario sets up (empty when it relies on the organization's). */
  readonly config: ScenarioConfig;
  /** Each participant's signature frequency (Hz). */
  readonly signatures: ReadonlyMap<string, number>;
}

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(`${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

const SCENARIO_FILE = /\.ya?ml$/;
const CONFIG_FILE = /\.config\.ya?ml$/;

/** Scenario files named by the arguments: files as they are, directories searched recursively (sorted). */
export async function findScenarioFiles(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (!info) throw new ScenarioError(p, ['no such file or directory']);
    if (info.isFile()) {
      found.push(p);
      continue;
    }
    const entries = await readdir(p, { recursive: true, withFileTypes: true });
    found.push(
      ...entries
        .filter((e) => e.isFile() && SCENARIO_FILE.test(e.name) && !CONFIG_FILE.test(e.name))
        .map((e) => path.join(e.parentPath, e.name))
        .sort(),
    );
  }
  return found;
}

/** Loads and checks every scenario under the given paths; throws ScenarioError naming the file and each problem. */
export async function loadScenarios(paths: readonly string[]): Promise<Scenario[]> {
  const scenarios: Scenario[] = [];
  const byName = new Map<string, string>();
  for (const file of await findScenarioFiles(paths)) {
    const scenario = await loadScenario(file);
    const other = byName.get(scenario.name);
    if (other) throw new ScenarioError(file, [`name ${scenario.name} is already used by ${other}`]);
    byName.set(scenario.name, file);
    scenarios.push(scenario);
  }
  return scenarios;
}

export async function loadScenario(file: string): Promise<Scenario> {
  const raw = await readYaml(file);
  const parsed = scenarioFileSchema.safeParse(raw);
  if (!parsed.success) throw new ScenarioError(file, issues(parsed.error));
  const config = typeof parsed.data.config === 'string' ? await loadConfigFile(path.resolve(path.dirname(file), parsed.data.config)) : (parsed.data.config ?? inlineConfigSchema.parse({}));
  const problems: string[] = [];
  const signatures = assignSignatures(parsed.data, problems);
  checkTimeline(parsed.data, problems);
  checkExpectations(parsed.data, problems);
  if (problems.length) throw new ScenarioError(file, problems);
  return { ...parsed.data, file, config, signatures };
}

async function readYaml(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(file, [`cannot read: ${(err as Error).message}`]);
  }
  try {
    return parseYaml(text);
  } catch (err) {
    throw new ScenarioError(file, [`not valid YAML: ${(err as Error).message}`]);
  }
}

async function loadConfigFile(file: string): Promise<ScenarioConfig> {
  const parsed = inlineConfigSchema.safeParse(await readYaml(file));
  if (!parsed.success) throw new ScenarioError(file, issues(parsed.error));
  return parsed.data;
}

function issues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
}

function assignSignatures(s: ScenarioFile, problems: string[]): Map<string, number> {
  const signatures = new Map<string, number>();
  const taken = new Map<number, string>();
  for (const [pid, p] of Object.entries(s.participants)) {
    if (p.signature === undefined) continue;
    const owner = taken.get(p.signature);
    if (owner) problems.push(`participants.${pid}.signature: ${p.signature} Hz is already ${owner}'s`);
    taken.set(p.signature, pid);
    signatures.set(pid, p.signature);
  }
  const free = SIGNATURE_HZ.filter((hz) => !taken.has(hz));
  for (const pid of Object.keys(s.participants)) {
    if (signatures.has(pid)) continue;
    const hz = free.shift();
    if (hz === undefined) {
      problems.push(`participants: at most ${SIGNATURE_HZ.length} participants can have distinct signatures`);
      break;
    }
    signatures.set(pid, hz);
  }
  return signatures;
}

/** Participant ids a step names. */
export function stepParticipants(step: Step): string[] {
  const a = step.args as Record<string, unknown>;
  switch (step.verb) {
    case 'join':
    case 'leave':
    case 'ivr':
    case 'wait':
    case 'talk':
    case 'hold':
    case 'wrapup':
      return a[step.verb] as string[];
    case 'wrapupDone':
    case 'snippet':
    case 'monitorEnd':
      return [a[step.verb] as string];
    case 'transfer':
      return [a.from as string, a.to as string];
    case 'consult':
      return a.consult as string[];
    case 'monitor':
    case 'coach':
    case 'barge':
      return [a[step.verb] as string, a.target as string];
    default:
      return [];
  }
}

function checkTimeline(s: ScenarioFile, problems: string[]) {
  if (s.timeline[0]?.verb !== 'start') problems.push('timeline.0: the first step must be start');
  s.timeline.forEach((step, i) => {
    const previous = s.timeline[i - 1];
    if (previous && step.at < previous.at) problems.push(`timeline.${i}: at ${step.at} is before the previous step (${previous.at}); keep the timeline in order`);
    for (const pid of stepParticipants(step)) {
      if (!(pid in s.participants)) problems.push(`timeline.${i}: unknown participant ${pid}`);
    }
  });
  for (const [pid, p] of Object.entries(s.participants)) {
    if (!p.speaks) continue;
    p.speaks.forEach(([from, to], i) => {
      if (to <= from) problems.push(`participants.${pid}.speaks.${i}: ends before it starts`);
    });
  }
}

function checkExpectations(s: ScenarioFile, problems: string[]) {
  s.expect.recordings.forEach((rec, r) => {
    const where = `expect.recordings.${r}`;
    if (!(rec.perspective in s.participants)) problems.push(`${where}.perspective: unknown participant ${rec.perspective}`);
    let at = 0;
    rec.spans.forEach((span, i) => {
      if (span.from !== at) problems.push(`${where}.spans.${i}: starts at ${span.from}, expected ${at} (spans must cover the recording without gaps)`);
      if (span.to <= span.from) problems.push(`${where}.spans.${i}: ends before it starts`);
      for (const pid of [...span.ch1, ...span.ch2]) {
        if (!(pid in s.participants)) problems.push(`${where}.spans.${i}: unknown participant ${pid}`);
      }
      at = span.to;
    });
    if (rec.spans.length > 0 && at !== rec.duration) problems.push(`${where}.spans: cover ${at} s, but duration is ${rec.duration} s`);
    if (rec.spans.length === 0 && rec.duration > 0) problems.push(`${where}.spans: a recording with media needs spans`);
    rec.annotations.forEach((a, i) => {
      if (a.at > rec.duration) problems.push(`${where}.annotations.${i}: at ${a.at} is past the end (${rec.duration})`);
    });
  });
}
