/**
 * Audit events, in the reference API's AuditLogMessage vocabulary: who (user and/or API client),
 * did what (`action`) to which entity (`entityType`, `entity`), when, from where (`remoteIp`),
 * with which outcome (`status`) and which changed properties (`propertyChanges`).
 */

/** The area of Capstan an event belongs to (the reference's `serviceName`). */
export const AUDIT_SERVICES = ['Recording', 'Quality', 'Directory', 'PeoplePermissions', 'Platform', 'Telephony'] as const;
export type AuditServiceName = (typeof AUDIT_SERVICES)[number];

export const AUDIT_STATUSES = ['SUCCESS', 'FAILURE', 'WARNING'] as const;
export type AuditStatus = (typeof AUDIT_STATUSES)[number];

/** USER: a person or API client did it; SYSTEM: Capstan did it on its own (policies, schedules, start-up). */
export const AUDIT_LEVELS = ['USER', 'SYSTEM'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];

export interface PropertyChange {
  readonly property: string;
  readonly oldValues: readonly string[];
  readonly newValues: readonly string[];
}

/** Who acted. A user signed in through the web carries userId; an API client carries clientId. */
export interface AuditActor {
  readonly userId?: string;
  readonly clientId?: string;
  readonly name?: string;
  readonly remoteIp?: string;
}

export interface AuditRecordInput {
  readonly orgId: string;
  readonly actor: AuditActor;
  readonly serviceName: AuditServiceName;
  readonly level?: AuditLevel;
  /** What was done or attempted: View, Play, Download, Export, Archive, Restore, Delete, Create, Update, Protect, Unprotect, SignIn, SignOut, Authenticate, Access, ... */
  readonly action: string;
  readonly entityType: string;
  readonly entity?: { readonly id: string; readonly name?: string };
  readonly status: AuditStatus;
  readonly message?: string;
  readonly propertyChanges?: readonly PropertyChange[];
  /** Small facts that help a reader: conversation id, HTTP route, error code, why access was given. */
  readonly context?: Readonly<Record<string, string>>;
}

type Value = string | number | boolean | null | undefined | readonly unknown[] | Record<string, unknown>;

function asValues(value: Value): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return [typeof value === 'string' ? value : JSON.stringify(value)];
}

/** The properties that differ between two versions of an entity (or a created or deleted one), as PropertyChanges. */
export function propertyChanges<T extends object>(
  before: T | undefined,
  after: T | undefined,
  properties: readonly (keyof T & string)[],
): PropertyChange[] {
  const changes: PropertyChange[] = [];
  for (const property of properties) {
    const oldValues = asValues(before?.[property] as Value);
    const newValues = asValues(after?.[property] as Value);
    if (JSON.stringify(oldValues) === JSON.stringify(newValues)) continue;
    changes.push({ property, oldValues, newValues });
  }
  return changes;
}
