import type { Command } from 'commander';
import { newSecret } from '../crypto/secrets.js';
import { newUserSchema, passwordSchema, usernameSchema } from '../domain/access/accounts.js';
import { collect, installOptions, readStdin, table, withServices, type CommandContext, type InstallOptions } from './context.js';

/** `capstan users`: create the first administrator and manage users without signing in. */

async function byUsername(ctx: CommandContext, username: string) {
  const user = await ctx.services.repositories.users.byUsername(usernameSchema.parse(username));
  if (!user || user.orgId !== ctx.orgId) throw new Error(`no user ${username} in organization ${ctx.orgId}`);
  return user;
}

async function passwordFrom(opts: { passwordStdin?: boolean }): Promise<{ password: string; generated: boolean }> {
  if (opts.passwordStdin) return { password: passwordSchema.parse(await readStdin()), generated: false };
  return { password: newSecret(12), generated: true };
}

export function usersCommand(program: Command): void {
  const users = program
    .command('users')
    .description('Manage users who sign in to the web UI (works on the database directly; audited)');

  installOptions(users.command('create'))
    .description('Create a user; without --password-stdin a password is generated and printed once')
    .requiredOption('-u, --username <username>', 'sign-in name')
    .option('-n, --name <name>', 'display name (default: the username)')
    .option('-r, --role <roleId>', 'a role to grant (repeatable): admin, supervisor, evaluator, agent, user, or your own', collect, [])
    .option('--id <id>', 'user id as telephony events name it (default: the username)')
    .option('--email <email>')
    .option('--external-partner', 'the user works for an external partner (no screen recordings)')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: InstallOptions & { username: string; name?: string; role: string[]; id?: string; email?: string; externalPartner?: boolean; passwordStdin?: boolean }) => {
      const { password, generated } = await passwordFrom(opts);
      await withServices(opts, 'users create', async (ctx) => {
        const input = newUserSchema.parse({
          id: opts.id,
          name: opts.name ?? opts.username,
          username: opts.username,
          email: opts.email,
          password,
          roleIds: opts.role,
          externalPartner: opts.externalPartner ?? false,
        });
        const user = await ctx.services.users.create(ctx.caller, input);
        process.stdout.write(`created user ${user.username} (id ${user.id}) with roles ${user.roleIds.join(', ') || '(none)'}\n`);
        if (generated) process.stdout.write(`password: ${password}\n(shown once: store it now)\n`);
      });
    });

  installOptions(users.command('list'))
    .description('List users, their roles and state')
    .action(async (opts: InstallOptions) => {
      await withServices(opts, 'users list', async (ctx) => {
        const rows: string[][] = [['ID', 'USERNAME', 'NAME', 'STATE', 'ROLES']];
        let cursor: string | undefined;
        do {
          const page = await ctx.services.users.list(ctx.orgId, { limit: 500, cursor });
          for (const u of page.entities) rows.push([u.id, u.username ?? '-', u.name, u.active ? 'active' : 'inactive', u.roleIds.join(',') || '-']);
          cursor = page.nextCursor;
        } while (cursor);
        process.stdout.write(table(rows));
      });
    });

  installOptions(users.command('passwd <username>'))
    .description("Set a user's password (generated and printed once unless --password-stdin); their sessions end")
    .option('--password-stdin', 'read the password from standard input')
    .action(async (username: string, opts: InstallOptions & { passwordStdin?: boolean }) => {
      const { password, generated } = await passwordFrom(opts);
      await withServices(opts, 'users passwd', async (ctx) => {
        const user = await byUsername(ctx, username);
        await ctx.services.users.update(ctx.caller, user.id, { password });
        process.stdout.write(`password of ${user.username} changed\n`);
        if (generated) process.stdout.write(`password: ${password}\n(shown once: store it now)\n`);
      });
    });

  installOptions(users.command('set-roles <username> [roleIds...]'))
    .description("Replace a user's roles")
    .action(async (username: string, roleIds: string[], opts: InstallOptions) => {
      await withServices(opts, 'users set-roles', async (ctx) => {
        const user = await byUsername(ctx, username);
        const updated = await ctx.services.users.update(ctx.caller, user.id, { roleIds: [...new Set(roleIds)].sort() });
        process.stdout.write(`${user.username} now holds ${updated?.roleIds.join(', ') || '(no roles)'}\n`);
      });
    });

  for (const [name, state] of [['disable', 'inactive'], ['enable', 'active']] as const) {
    installOptions(users.command(`${name} <username>`))
      .description(name === 'disable' ? 'Deactivate a user: they cannot sign in and their sessions end' : 'Reactivate a user')
      .action(async (username: string, opts: InstallOptions) => {
        await withServices(opts, `users ${name}`, async (ctx) => {
          const user = await byUsername(ctx, username);
          await ctx.services.users.update(ctx.caller, user.id, { state });
          process.stdout.write(`${user.username} is ${state}\n`);
        });
      });
  }
}
