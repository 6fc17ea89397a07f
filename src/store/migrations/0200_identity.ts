import type { Kysely } from 'kysely';

/** Identity: users who sign in, roles, API clients, tokens and sessions, sign-in throttling, evaluations. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('username', 'text').execute();
  await db.schema.alterTable('users').addColumn('password_hash', 'text').execute();
  await db.schema.alterTable('users').addColumn('active', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  // Usernames are unique across the install: signing in needs no organization picker.
  await db.schema.createIndex('users_username').on('users').column('username').unique().execute();

  await db.schema
    .createTable('roles')
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('permissions', 'text', (c) => c.notNull())
    .addColumn('queue_scopes', 'text', (c) => c.notNull())
    .addColumn('built_in', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('roles_pk', ['org_id', 'id'])
    .execute();

  await db.schema
    .createTable('user_roles')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('role_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_roles_pk', ['org_id', 'user_id', 'role_id'])
    .addForeignKeyConstraint('user_roles_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint('user_roles_role', ['org_id', 'role_id'], 'roles', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('user_roles_role').on('user_roles').columns(['org_id', 'role_id']).execute();

  await db.schema
    .createTable('api_clients')
    // Client ids are unique across the install: the token endpoint learns the organization from the client.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull().references('organizations.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('secret_digest', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('api_clients_org').on('api_clients').columns(['org_id', 'id']).execute();

  await db.schema
    .createTable('client_roles')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().references('api_clients.id').onDelete('cascade'))
    .addColumn('role_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_roles_pk', ['client_id', 'role_id'])
    .addForeignKeyConstraint('client_roles_role', ['org_id', 'role_id'], 'roles', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('client_roles_role').on('client_roles').columns(['org_id', 'role_id']).execute();

  await db.schema
    .createTable('auth_tokens')
    // SHA-256 of the token: the token itself is never stored.
    .addColumn('digest', 'text', (c) => c.primaryKey())
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('client_id', 'text', (c) => c.references('api_clients.id').onDelete('cascade'))
    .addColumn('remote_ip', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addForeignKeyConstraint('auth_tokens_user', ['org_id', 'user_id'], 'users', ['org_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('auth_tokens_expiry').on('auth_tokens').column('expires_at').execute();

  await db.schema
    .createTable('signin_failures')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('first_at', 'bigint', (c) => c.notNull())
    .addColumn('locked_until', 'bigint')
    .execute();

  await db.schema
    .createTable('evaluations')
    .addColumn('org_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('evaluator_user_id', 'text', (c) => c.notNull())
    .addColumn('agent_user_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('evaluations_pk', ['org_id', 'id'])
    .addForeignKeyConstraint('evaluations_conversation', ['org_id', 'conversation_id'], 'conversations', ['org_id', 'id'])
    .execute();
  await db.schema.createIndex('evaluations_conversation').on('evaluations').columns(['org_id', 'conversation_id']).execute();
  await db.schema.createIndex('evaluations_evaluator').on('evaluations').columns(['org_id', 'evaluator_user_id', 'id']).execute();
  await db.schema.createIndex('evaluations_agent').on('evaluations').columns(['org_id', 'agent_user_id', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['evaluations', 'signin_failures', 'auth_tokens', 'client_roles', 'api_clients', 'user_roles', 'roles']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex('users_username').execute();
  for (const column of ['active', 'password_hash', 'username']) await db.schema.alterTable('users').dropColumn(column).execute();
}
