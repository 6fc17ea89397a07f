/**
 * Media retention policies as `/api/v2/recording/mediaretentionpolicies` reads and writes them,
 * and the flat form the editor works on. The editor edits `mediaPolicies.callPolicy` (the one
 * Capstan evaluates); a policy written in the legacy top-level form is moved there on save, and
 * fields the form does not show are kept as they were.
 */

export interface Ref {
  readonly id: string;
  readonly name?: string;
}

export interface TimeSlot {
  readonly day: number;
  readonly startTime: string;
  readonly stopTime: string;
}

export interface Conditions {
  readonly forUsers?: Ref[];
  readonly directions?: string[];
  readonly dateRanges?: string[];
  readonly forQueues?: Ref[];
  readonly wrapupCodes?: Ref[];
  readonly languages?: Ref[];
  readonly timeAllowed?: { timeSlots?: TimeSlot[]; timeZoneId?: string };
  readonly duration?: { durationMode: string; durationRange: string };
  readonly [other: string]: unknown;
}

interface Retention {
  readonly archiveRetention?: { days: number; storageMedium?: string };
  readonly deleteRetention?: { days: number };
}

export interface Actions {
  readonly retainRecording?: boolean;
  readonly deleteRecording?: boolean;
  readonly alwaysDelete?: boolean;
  readonly retentionDuration?: Retention;
  readonly assignEvaluations?: { evaluationForm: Ref; user: Ref }[];
  readonly integrationExport?: { integration: Ref; shouldExportScreenRecordings?: boolean };
  readonly initiateScreenRecording?: Retention & { recordACW?: boolean };
  readonly [other: string]: unknown;
}

interface MediaPolicy {
  readonly conditions?: Conditions;
  readonly actions?: Actions;
}

export interface Policy {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  readonly enabled: boolean;
  readonly order?: number;
  readonly modifiedDate: string;
  readonly mediaPolicies?: Record<string, MediaPolicy | undefined>;
  readonly conditions?: Conditions;
  readonly actions?: Actions;
  readonly policyErrors?: { policyErrorMessages: { userMessage: string; errorCode: string }[] };
}

export type RetentionChoice = 'retain' | 'delete' | 'alwaysDelete';
export type DurationMode = '' | 'Between' | 'Over' | 'Under';

export interface Draft {
  name: string;
  description: string;
  enabled: boolean;
  order: string;
  users: string[];
  directions: string[];
  queues: string[];
  wrapupCodes: string;
  languages: string;
  dateRanges: { start: string; end: string }[];
  timeZoneId: string;
  timeSlots: TimeSlot[];
  durationMode: DurationMode;
  durationFrom: string;
  durationTo: string;
  retention: RetentionChoice;
  archiveDays: string;
  deleteDays: string;
  evaluations: { formId: string; userId: string }[];
  exportIntegration: string;
  exportScreens: boolean;
  screen: boolean;
  screenACW: boolean;
  screenArchiveDays: string;
  screenDeleteDays: string;
}

/** The fields the editor shows errors for (API fieldNames after the callPolicy prefix). */
export const FIELD_KEYS = [
  'name',
  'description',
  'order',
  'conditions.forUsers',
  'conditions.directions',
  'conditions.forQueues',
  'conditions.wrapupCodes',
  'conditions.languages',
  'conditions.dateRanges',
  'conditions.timeAllowed',
  'conditions.duration',
  'actions.retainRecording',
  'actions.retentionDuration',
  'actions.assignEvaluations',
  'actions.integrationExport',
  'actions.initiateScreenRecording',
] as const;
export const FIELD_PREFIXES = ['mediaPolicies.callPolicy.'];

export function callPolicy(p: Policy | undefined): MediaPolicy {
  return p?.mediaPolicies?.callPolicy ?? { conditions: p?.conditions, actions: p?.actions };
}

const ids = (refs?: Ref[]) => (refs ?? []).map((r) => r.id);
const text = (n?: number) => (n === undefined ? '' : String(n));

/** The form for a stored policy (or an empty one for a new policy). */
export function draftOf(p: Policy | undefined, toLocal: (iso: string) => string): Draft {
  const { conditions: c = {}, actions: a = {} } = callPolicy(p);
  const range = c.duration?.durationRange.split('/') ?? [];
  return {
    name: p?.name ?? '',
    description: p?.description ?? '',
    enabled: p?.enabled ?? true,
    order: text(p?.order),
    users: ids(c.forUsers),
    directions: c.directions ?? [],
    queues: ids(c.forQueues),
    wrapupCodes: ids(c.wrapupCodes).join(', '),
    languages: ids(c.languages).join(', '),
    dateRanges: (c.dateRanges ?? []).map((r) => {
      const [start = '', end = ''] = r.split('/');
      return { start: toLocal(start), end: toLocal(end) };
    }),
    timeZoneId: c.timeAllowed?.timeZoneId ?? 'UTC',
    timeSlots: c.timeAllowed?.timeSlots ?? [],
    durationMode: (c.duration?.durationMode as DurationMode | undefined) ?? '',
    durationFrom: range[0] ?? '',
    durationTo: range[1] ?? '',
    retention: a.alwaysDelete ? 'alwaysDelete' : a.retainRecording === false && a.deleteRecording ? 'delete' : 'retain',
    archiveDays: text(a.retentionDuration?.archiveRetention?.days),
    deleteDays: text(a.retentionDuration?.deleteRetention?.days),
    evaluations: (a.assignEvaluations ?? []).map((e) => ({ formId: e.evaluationForm.id, userId: e.user.id })),
    exportIntegration: a.integrationExport?.integration.id ?? '',
    exportScreens: a.integrationExport?.shouldExportScreenRecordings ?? false,
    screen: a.initiateScreenRecording !== undefined,
    screenACW: a.initiateScreenRecording?.recordACW ?? false,
    screenArchiveDays: text(a.initiateScreenRecording?.archiveRetention?.days),
    screenDeleteDays: text(a.initiateScreenRecording?.deleteRetention?.days),
  };
}

/** A number typed in a field; NaN (refused by the API, next to the field) when it is not one. */
const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
const refs = (list: string[]) => (list.length ? list.map((id) => ({ id })) : undefined);
const days = (s: string) => (num(s) === undefined ? undefined : { days: num(s)! });

function retention(archive: string, del: string): Retention | undefined {
  const archiveRetention = days(archive);
  const deleteRetention = days(del);
  if (!archiveRetention && !deleteRetention) return undefined;
  return { ...(archiveRetention ? { archiveRetention: { ...archiveRetention, storageMedium: 'CLOUDARCHIVE' } } : {}), ...(deleteRetention ? { deleteRetention } : {}) };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The request body for POST or PUT: the form over the stored policy's call policy. */
export function bodyOf(d: Draft, original: Policy | undefined, fromLocal: (local: string) => string) {
  const { conditions: oc = {}, actions: oa = {} } = callPolicy(original);
  const split = (s: string) => s.split(/[\s,]+/).filter(Boolean);
  const conditions = defined({
    ...oc,
    forUsers: refs(d.users),
    directions: d.directions.length ? d.directions : undefined,
    forQueues: refs(d.queues),
    wrapupCodes: refs(split(d.wrapupCodes)),
    languages: refs(split(d.languages)),
    dateRanges: d.dateRanges.length ? d.dateRanges.map((r) => `${fromLocal(r.start)}/${fromLocal(r.end)}`) : undefined,
    timeAllowed: d.timeSlots.length ? { timeZoneId: d.timeZoneId.trim() || 'UTC', timeSlots: d.timeSlots } : undefined,
    duration: d.durationMode
      ? { durationMode: d.durationMode, durationRange: d.durationMode === 'Between' ? `${d.durationFrom.trim()}/${d.durationTo.trim()}` : d.durationFrom.trim() }
      : undefined,
  });
  const actions = defined({
    ...oa,
    retainRecording: d.retention === 'retain',
    deleteRecording: d.retention === 'delete' ? true : undefined,
    alwaysDelete: d.retention === 'alwaysDelete' ? true : undefined,
    retentionDuration: retention(d.archiveDays, d.deleteDays),
    assignEvaluations: d.evaluations.length ? d.evaluations.map((e) => ({ evaluationForm: { id: e.formId.trim() }, user: { id: e.userId } })) : undefined,
    integrationExport: d.exportIntegration ? { integration: { id: d.exportIntegration }, shouldExportScreenRecordings: d.exportScreens } : undefined,
    initiateScreenRecording: d.screen ? { recordACW: d.screenACW, ...retention(d.screenArchiveDays, d.screenDeleteDays) } : undefined,
  });
  return defined({
    name: d.name,
    description: d.description || undefined,
    enabled: d.enabled,
    order: num(d.order),
    mediaPolicies: { ...original?.mediaPolicies, callPolicy: { conditions, actions } },
  });
}

/** One line that says what a policy does, for the list. */
export function summarize(p: Policy): { when: string; then: string } {
  const { conditions: c = {}, actions: a = {} } = callPolicy(p);
  const when: string[] = [];
  if (c.directions?.length) when.push(c.directions.map((d) => d.toLowerCase()).join(' or '));
  if (c.forQueues?.length) when.push(`queues ${c.forQueues.map((q) => q.name ?? q.id).join(', ')}`);
  if (c.forUsers?.length) when.push(`users ${c.forUsers.map((u) => u.name ?? u.id).join(', ')}`);
  if (c.wrapupCodes?.length) when.push(`wrap-up ${ids(c.wrapupCodes).join(', ')}`);
  if (c.languages?.length) when.push(`language ${ids(c.languages).join(', ')}`);
  if (c.dateRanges?.length) when.push(`${c.dateRanges.length} date range${c.dateRanges.length > 1 ? 's' : ''}`);
  if (c.timeAllowed?.timeSlots?.length) when.push(`${c.timeAllowed.timeSlots.length} time slot${c.timeAllowed.timeSlots.length > 1 ? 's' : ''} (${c.timeAllowed.timeZoneId ?? 'UTC'})`);
  if (c.duration) when.push(`duration ${c.duration.durationMode.toLowerCase()} ${c.duration.durationRange}`);
  const then: string[] = [];
  if (a.alwaysDelete) then.push('always delete');
  else if (a.retainRecording === false && a.deleteRecording) then.push('delete at once');
  else then.push('retain');
  if (a.retentionDuration?.archiveRetention) then.push(`archive after ${a.retentionDuration.archiveRetention.days} d`);
  if (a.retentionDuration?.deleteRetention) then.push(`delete after ${a.retentionDuration.deleteRetention.days} d`);
  if (a.integrationExport) then.push(`export to ${a.integrationExport.integration.name ?? a.integrationExport.integration.id}`);
  if (a.assignEvaluations?.length) then.push(`${a.assignEvaluations.length} evaluation${a.assignEvaluations.length > 1 ? 's' : ''}`);
  if (a.initiateScreenRecording) then.push('screen recording');
  return { when: when.length ? when.join('; ') : 'every call', then: then.join(', ') };
}
