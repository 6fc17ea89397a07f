import { z } from 'zod';
import { QUEUE_SCOPABLE, holds, invalidPermission, type Permission, type QueueScopable } from './permissions.js';

/**
 * Roles: a named list of permission grants, some of which may be limited to queues. Every role
 * is editable; the defaults below are what a new organization starts with, derived from the
 * seeds' "Who can listen to the recording?" table and the screen-recording rules.
 */

const roleId = z.string().min(1).max(64).regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, _ and -');
const queueId = z.string().min(1).max(128);

export const roleInputSchema = z
  .object({
    id: roleId.optional(),
    name: z.string().trim().min(1).max(100),
    description: z.string().max(500).default(''),
    permissions: z
      .array(z.string().max(100))
      .max(200)
      .superRefine((list, ctx) => {
        list.forEach((p, i) => {
          const problem = invalidPermission(p);
          if (problem) ctx.addIssue({ code: 'custom', path: [i], message: problem });
        });
      })
      .transform((list) => [...new Set(list)].sort()),
    /** Permission → the queues it is limited to; only the permissions in QUEUE_SCOPABLE. */
    queueScopes: z.partialRecord(z.enum(QUEUE_SCOPABLE), z.array(queueId).min(1).max(500)).default({}),
  })
  .superRefine((role, ctx) => {
    for (const permission of Object.keys(role.queueScopes)) {
      if (!holds(role.permissions, permission)) {
        ctx.addIssue({ code: 'custom', path: ['queueScopes', permission], message: `the role does not grant ${permission}` });
      }
    }
  });

export interface Role {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly string[];
  readonly queueScopes: Partial<Record<QueueScopable, readonly string[]>>;
  /** One of the roles every organization starts with (still editable). */
  readonly builtIn: boolean;
}

export const DEFAULT_ROLE_IDS = ['admin', 'supervisor', 'evaluator', 'agent', 'user'] as const;
export type DefaultRoleId = (typeof DEFAULT_ROLE_IDS)[number];

type DefaultRole = Omit<Role, 'id' | 'builtIn' | 'queueScopes'> & { permissions: readonly (Permission | '*')[] };

/**
 * The default roles. Access that comes from a relationship rather than a permission (an
 * evaluator assigned to the conversation, an agent reviewing an evaluation of themselves or
 * their own snippet, the owner of an ad-hoc recording) is decided by the rules in
 * recording-access.ts and needs no permission here.
 */
export const DEFAULT_ROLES: Record<DefaultRoleId, DefaultRole> = {
  admin: {
    name: 'Administrator',
    description: 'Everything. Ad-hoc recordings stay private to their owners and screen recordings are never downloadable, whatever the role.',
    permissions: ['*'],
  },
  supervisor: {
    // "Supervisors with the correct permissions" listen to policy-based and snippet recordings;
    // screen viewing "is granted to management and supervisors by default today".
    name: 'Supervisor',
    description: 'Finds and plays interactions: policy-based, snippet and screen recordings; downloads audio; assigns evaluations.',
    permissions: [
      'conversation:conversation:view',
      'analytics:conversationDetail:view',
      'recording:recording:view',
      'recording:snippetRecording:view',
      'recording:screenRecording:view',
      'recording:recording:download',
      'recording:annotation:view',
      'recording:annotation:add',
      'recording:annotation:edit',
      'recording:annotation:delete',
      'recording:retentionPolicy:view',
      'quality:evaluation:view',
      'quality:evaluation:add',
      'quality:evaluation:edit',
      'quality:evaluation:delete',
      'telephony:config:view',
      'telephony:connector:view',
      'directory:user:view',
    ],
  },
  evaluator: {
    // "Evaluators assigned to evaluate an interaction" listen to it: by assignment, not by permission.
    name: 'Quality evaluator',
    description: 'Plays the policy-based recordings of the interactions they are assigned to evaluate, and bookmarks them.',
    // They find the interactions to evaluate in the search, as they see every conversation already.
    permissions: ['conversation:conversation:view', 'analytics:conversationDetail:view', 'recording:annotation:view', 'recording:annotation:add', 'directory:user:view'],
  },
  agent: {
    // "Agents can review their own snippet recordings" and recordings of evaluations of themselves;
    // "Agents do not currently have permission to view their own screen recordings."
    name: 'Agent',
    description: 'Plays their own snippets and the recordings of finished evaluations of themselves; no screen recordings.',
    permissions: ['recording:annotation:view'],
  },
  user: {
    // "The user who made the recording" is the only listener of an ad-hoc recording.
    name: 'User',
    description: 'Plays and downloads their own ad-hoc recordings (the inbox).',
    permissions: [],
  },
};

export function defaultRoles(): Role[] {
  return DEFAULT_ROLE_IDS.map((id) => ({ id, ...DEFAULT_ROLES[id], permissions: [...DEFAULT_ROLES[id].permissions], queueScopes: {}, builtIn: true }));
}

/** What a principal holding some roles may do: the union of their grants. */
export interface Grants {
  readonly permissions: ReadonlySet<string>;
  /** Scopable permission → the queues it covers; absent when some role grants it without limit. */
  readonly queueScopes: ReadonlyMap<string, ReadonlySet<string>>;
}

export function grantsOf(roles: readonly Pick<Role, 'permissions' | 'queueScopes'>[]): Grants {
  const permissions = new Set<string>();
  const queueScopes = new Map<string, Set<string>>();
  for (const scopable of QUEUE_SCOPABLE) {
    const granting = roles.filter((r) => holds(r.permissions, scopable));
    if (granting.length === 0 || granting.some((r) => !r.queueScopes[scopable])) continue;
    queueScopes.set(scopable, new Set(granting.flatMap((r) => r.queueScopes[scopable] ?? [])));
  }
  for (const role of roles) for (const p of role.permissions) permissions.add(p);
  return { permissions, queueScopes };
}
