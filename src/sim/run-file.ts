import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { SimulateResult } from './simulate.js';

/**
 * The run file: which conversation each scenario became in a `capstan simulate` run, so that
 * `capstan verify` knows where to look, and the sign-ins of simulated users who own ad-hoc
 * recordings (accounts.ts). JSON, one entry per simulated conversation.
 */

export const DEFAULT_RUN_FILE = 'capstan-run.json';

const runFileSchema = z.object({
  runId: z.string(),
  url: z.string(),
  createdAt: z.string(),
  conversations: z.array(
    z.object({
      scenario: z.string(),
      file: z.string(),
      conversationId: z.string(),
      namespace: z.string().optional(),
      t0: z.string(),
      accounts: z.record(z.string(), z.object({ username: z.string(), password: z.string() })).optional(),
      problems: z.array(z.string()),
    }),
  ),
});
export type RunFile = z.infer<typeof runFileSchema>;
export type RunEntry = RunFile['conversations'][number];

export function runFileOf(result: SimulateResult): RunFile {
  return {
    runId: result.runId,
    url: result.url,
    createdAt: new Date().toISOString(),
    conversations: result.conversations.map(({ scenario, file, conversationId, namespace, t0, accounts, problems }) => ({
      scenario,
      file,
      conversationId,
      ...(namespace ? { namespace } : {}),
      t0,
      ...(accounts ? { accounts } : {}),
      problems,
    })),
  };
}

export async function writeRunFile(file: string, run: RunFile): Promise<void> {
  await writeFile(file, `${JSON.stringify(run, null, 2)}\n`);
}

export async function readRunFile(file: string): Promise<RunFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the run file ${file} (written by capstan simulate): ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = runFileSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${file} is not a capstan simulate run file`);
  return parsed.data;
}
