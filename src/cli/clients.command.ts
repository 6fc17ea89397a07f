import type { Command } from 'commander';
import { newClientSchema } from '../domain/access/accounts.js';
import { collect, installOptions, table, withServices, type InstallOptions } from './context.js';

/** `capstan clients`: API clients for the OAuth2 client-credentials grant. */

export function clientsCommand(program: Command): void {
  const clients = program
    .command('clients')
    .description('Manage API clients (OAuth2 client credentials); works on the database directly; audited');

  installOptions(clients.command('create'))
    .description('Create an API client and print its id and secret (the secret is shown once)')
    .requiredOption('-n, --name <name>', 'what the client is for, e.g. "SBC connector"')
    .option('-r, --role <roleId>', 'a role to grant (repeatable)', collect, [])
    .option('--id <id>', 'client id (default: generated)')
    .option('--description <text>')
    .action(async (opts: InstallOptions & { name: string; role: string[]; id?: string; description?: string }) => {
      await withServices(opts, 'clients create', async (ctx) => {
        const input = newClientSchema.parse({ id: opts.id, name: opts.name, description: opts.description, roleIds: opts.role });
        const { client, secret } = await ctx.services.clients.create(ctx.caller, input);
        process.stdout.write(`client id:     ${client.id}\nclient secret: ${secret}\nroles:         ${client.roleIds.join(', ') || '(none)'}\n(the secret is shown once: store it now)\n`);
      });
    });

  installOptions(clients.command('list'))
    .description('List API clients and their roles')
    .action(async (opts: InstallOptions) => {
      await withServices(opts, 'clients list', async (ctx) => {
        const rows: string[][] = [['ID', 'NAME', 'STATE', 'ROLES']];
        let cursor: string | undefined;
        do {
          const page = await ctx.services.clients.list(ctx.orgId, { limit: 500, cursor });
          for (const c of page.entities) rows.push([c.id, c.name, c.state, c.roleIds.join(',') || '-']);
          cursor = page.nextCursor;
        } while (cursor);
        process.stdout.write(table(rows));
      });
    });

  installOptions(clients.command('rotate <clientId>'))
    .description('Regenerate a client secret and print it once; the old secret and its tokens stop working')
    .action(async (clientId: string, opts: InstallOptions) => {
      await withServices(opts, 'clients rotate', async (ctx) => {
        const result = await ctx.services.clients.regenerateSecret(ctx.caller, clientId);
        if (!result) throw new Error(`no API client ${clientId} in organization ${ctx.orgId}`);
        process.stdout.write(`client id:     ${clientId}\nclient secret: ${result.secret}\n(the secret is shown once: store it now)\n`);
      });
    });

  installOptions(clients.command('delete <clientId>'))
    .description('Delete an API client and its tokens')
    .action(async (clientId: string, opts: InstallOptions) => {
      await withServices(opts, 'clients delete', async (ctx) => {
        if (!(await ctx.services.clients.remove(ctx.caller, clientId))) throw new Error(`no API client ${clientId} in organization ${ctx.orgId}`);
        process.stdout.write(`deleted ${clientId}\n`);
      });
    });
}
