import { z } from 'zod';

/** What users and API clients look like at the edges (API, command line, bootstrap variables). */

const entityId = z.string().min(1).max(128).regex(/^[A-Za-z0-9._:@+\-]+$/, 'only letters, digits and . _ : @ + -');
const roleIds = z.array(z.string().min(1).max(64)).max(50).transform((ids) => [...new Set(ids)].sort());

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._@+-]*$/, 'letters, digits and . _ @ + - (starting with a letter or digit)');

export const passwordSchema = z.string().min(8, 'at least 8 characters').max(256);

export const USER_STATES = ['active', 'inactive'] as const;

export const newUserSchema = z.object({
  id: entityId.optional(),
  name: z.string().trim().min(1).max(200),
  email: z.string().trim().max(200).nullable().optional(),
  username: usernameSchema.optional(),
  password: passwordSchema.optional(),
  roleIds: roleIds.default([]),
  state: z.enum(USER_STATES).default('active'),
  externalPartner: z.boolean().default(false),
});

export const userChangesSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  email: z.string().trim().max(200).nullable().optional(),
  username: usernameSchema.nullable().optional(),
  /** A new password; null removes password sign-in. */
  password: passwordSchema.nullable().optional(),
  roleIds: roleIds.optional(),
  state: z.enum(USER_STATES).optional(),
  externalPartner: z.boolean().optional(),
});

export const clientIdSchema = z.string().min(3).max(128).regex(/^[A-Za-z0-9._:@+\-]+$/, 'only letters, digits and . _ : @ + -');
export const clientSecretSchema = z.string().min(16, 'at least 16 characters').max(256);

export const CLIENT_STATES = ['active', 'disabled'] as const;

/** The reference's OAuthClientRequest, for the client-credentials grant only. */
export const newClientSchema = z.object({
  id: clientIdSchema.optional(),
  name: z.string().trim().min(1).max(200),
  description: z.string().max(500).default(''),
  authorizedGrantType: z.literal('CLIENT-CREDENTIALS').default('CLIENT-CREDENTIALS'),
  roleIds: roleIds.default([]),
  state: z.enum(CLIENT_STATES).default('active'),
});

export const clientChangesSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  description: z.string().max(500).optional(),
  authorizedGrantType: z.literal('CLIENT-CREDENTIALS').optional(),
  roleIds: roleIds.optional(),
  state: z.enum(CLIENT_STATES).optional(),
});
