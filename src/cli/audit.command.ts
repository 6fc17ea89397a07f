import type { Command } from 'commander';
import { withServices } from './context.js';

/** `capstan audit`: check the audit trail's hash chain. */

function parseAnchor(value: string): { seq: number; hash: string } {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value);
  if (!match) throw new Error('--anchor must be <seq>:<hash>, as `capstan audit verify` prints it');
  return { seq: Number(match[1]), hash: match[2]! };
}

export function auditCommand(program: Command): void {
  const audit = program.command('audit').description('The audit trail');

  audit
    .command('verify')
    .description(
      'Recompute every organization\'s audit hash chain and name the first broken link (an event edited, inserted or removed in the database). Exit 0 when intact, 1 when broken.',
    )
    .option('-d, --data-dir <dir>', 'data folder (overrides CAPSTAN_DATA_DIR)')
    .option('--org <id>', 'only this organization')
    .option('--anchor <seq:hash>', 'a head printed by an earlier verify, kept elsewhere: the chain must still pass through it', parseAnchor)
    .option('--json', 'print the result as JSON')
    .action(async (opts: { dataDir?: string; org?: string; anchor?: { seq: number; hash: string }; json?: boolean }) => {
      const results = await withServices({ dataDir: opts.dataDir, org: opts.org, readOnly: true }, 'audit verify', (ctx) => ctx.services.audit.verify(opts.org, opts.anchor));
      if (opts.json) process.stdout.write(`${JSON.stringify(results)}\n`);
      else {
        for (const { orgId, verdict } of results) {
          process.stdout.write(
            verdict.ok
              ? `${orgId}: intact, ${verdict.events} events, head ${verdict.head.seq}:${verdict.head.hash}\n`
              : `${orgId}: BROKEN at event ${verdict.brokenAt.seq}${verdict.brokenAt.id ? ` (id ${verdict.brokenAt.id})` : ''}: ${verdict.reason}\n`,
          );
        }
      }
      if (results.some((r) => !r.verdict.ok)) process.exitCode = 1;
    });
}
