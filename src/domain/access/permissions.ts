/**
 * Permissions are strings `domain:entity:action`, as in the reference API (`recording:recording:view`).
 * A role grants a list of them; a granted entry may use `*` for any segment (`recording:*:*`, `*`).
 * The catalog below is every permission Capstan checks: roles may only name these (or patterns
 * over them), so a typo in a role is refused instead of silently granting nothing.
 */

export const PERMISSIONS = {
  // Recordings: listening and viewing, by kind (the seed's "Who can listen to the recording?").
  'recording:recording:view': 'Play and view policy-based recordings (trunk, station, consult)',
  'recording:recordingSegment:view': 'Hear the spans of policy-based recordings handled in the queues the role is scoped to',
  'recording:snippetRecording:view': 'Play snippet recordings',
  'recording:screenRecording:view': 'View screen recordings (never download)',
  'recording:recording:download': 'Download the audio of recordings one can play',
  'recording:recording:editRetention': 'Change archive and delete dates of policy-based recordings',
  'recording:recording:restore': 'Restore archived policy-based recordings',
  'recording:snippetRecording:editRetention': 'Change archive and delete dates of snippet recordings',
  'recording:snippetRecording:restore': 'Restore archived snippet recordings',
  'recording:screenRecording:editRetention': 'Change archive and delete dates of screen recordings',
  'recording:screenRecording:restore': 'Restore archived screen recordings',
  'recording:annotation:view': 'See bookmarks and other annotations',
  'recording:annotation:add': 'Add annotations',
  'recording:annotation:edit': 'Edit annotations',
  'recording:annotation:delete': 'Delete annotations',
  'recording:retentionPolicy:view': 'See media retention policies',
  'recording:retentionPolicy:add': 'Create media retention policies',
  'recording:retentionPolicy:edit': 'Edit media retention policies',
  'recording:retentionPolicy:delete': 'Delete media retention policies',
  'recording:job:view': 'See bulk recording jobs',
  'recording:job:add': 'Create bulk recording jobs',
  'recording:job:edit': 'Execute bulk recording jobs',
  'recording:job:delete': 'Cancel bulk recording jobs',
  'recording:encryptionKey:view': 'See encryption key configurations and keys',
  'recording:encryptionKey:edit': 'Change encryption keys and their rotation',
  'recording:deletionProtection:apply': 'Protect conversations from deletion (legal hold)',
  'recording:deletionProtection:revoke': 'Lift protection from deletion',
  'recording:orphan:view': 'See orphaned recordings',
  'recording:orphan:edit': 'Attach orphaned recordings to conversations',
  'recording:orphan:delete': 'Delete orphaned recordings',
  'recording:settings:editScreenRecordings': 'Change screen recording settings',
  'recording:settings:editRegionalStorage': 'Change regional recording storage',
  'recording:settings:editUrlExpiration': 'Change playback and download URL lifetimes',
  'recording:settings:editConferenceRecording': 'Change conference recording settings',
  'recording:settings:editHierarchyAccessControl': 'Change recording access control settings',
  'recording:settings:editRetention': 'Change the default snippet retention and the maximum retention of interaction data',
  'recording:recording:viewSensitiveData': 'Include recordings with sensitive data in bulk jobs',
  'analytics:conversationDetail:view': 'Search every conversation (interaction search); without it, a user finds only the conversations they took part in',
  'integrations:integration:view': 'See export integrations (S3-compatible buckets)',
  'integrations:integration:edit': 'Create, change and delete export integrations',
  // Capstan's own.
  'conversation:event:add': 'Send conversation events (telephony integrations)',
  'conversation:conversation:view': 'See conversations: participants, timeline and recording plan (not the audio)',
  'telephony:config:view': 'See trunks, stations, flows, queues and users as recording configuration',
  'telephony:config:edit': 'Change trunks, stations, flows, queues and users as recording configuration',
  'telephony:connector:view': 'See the protocol connectors (AudioHook, SIPREC, Twilio): where they listen, sessions, traffic and refusals',
  'quality:evaluation:view': 'See every evaluation',
  'quality:evaluation:add': 'Assign evaluations',
  'quality:evaluation:edit': 'Change any evaluation',
  'quality:evaluation:delete': 'Delete evaluations',
  'directory:user:view': 'See users, their roles and state',
  'directory:user:add': 'Create users',
  'directory:user:edit': 'Change users: name, username, password, roles, state',
  'directory:user:delete': 'Delete users',
  'authorization:role:view': 'See roles',
  'authorization:role:add': 'Create roles',
  'authorization:role:edit': 'Change roles',
  'authorization:role:delete': 'Delete roles',
  'oauth:client:view': 'See API clients',
  'oauth:client:add': 'Create API clients',
  'oauth:client:edit': 'Change API clients and regenerate their secrets',
  'oauth:client:delete': 'Delete API clients',
  'audit:audit:view': 'Query the audit trail',
} as const satisfies Record<string, string>;

export type Permission = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

/**
 * Permissions a role may limit to some queues. A holder of only `recording:recordingSegment:view`
 * scoped to queues hears only the spans of a conversation handled in those queues.
 */
export const QUEUE_SCOPABLE = ['recording:recordingSegment:view'] as const satisfies readonly Permission[];
export type QueueScopable = (typeof QUEUE_SCOPABLE)[number];

const SEGMENT = /^(\*|[A-Za-z][A-Za-z0-9]*)$/;

/** True when `pattern` is a well-formed grant: `*`, or three segments each a name or `*`. */
export function isPermissionPattern(pattern: string): boolean {
  if (pattern === '*') return true;
  const parts = pattern.split(':');
  return parts.length === 3 && parts.every((p) => SEGMENT.test(p));
}

/** Does the granted `pattern` cover the `permission`? `*` matches one whole segment (or everything alone). */
export function patternCovers(pattern: string, permission: string): boolean {
  if (pattern === '*' || pattern === permission) return true;
  const want = permission.split(':');
  const have = pattern.split(':');
  return have.length === want.length && have.every((segment, i) => segment === '*' || segment === want[i]);
}

/** Does a set of granted patterns cover `permission`? */
export function holds(granted: Iterable<string>, permission: string): boolean {
  for (const pattern of granted) if (patternCovers(pattern, permission)) return true;
  return false;
}

/** Why a role's permission list is not acceptable, or undefined when it is. */
export function invalidPermission(pattern: string): string | undefined {
  if (!isPermissionPattern(pattern)) return `"${pattern}" is not a permission (domain:entity:action, each part a name or *)`;
  if (!ALL_PERMISSIONS.some((p) => patternCovers(pattern, p))) return `"${pattern}" names no permission Capstan knows`;
  return undefined;
}
