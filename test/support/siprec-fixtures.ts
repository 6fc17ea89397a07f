import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './process.js';

/** The SIPREC INVITE corpus of test/fixtures/siprec/, as the bytes a recorder receives. */

export const SIPREC_FIXTURES = path.join(ROOT, 'test/fixtures/siprec');

export function siprecFixtureNames(): string[] {
  return readdirSync(SIPREC_FIXTURES).filter((f) => f.endsWith('.sip')).sort();
}

/** Loads a fixture: CRLF line ends (unless `-lf-only`), Content-Length filled in. */
export function loadSiprecFixture(name: string, overrides: { callId?: string; branch?: string } = {}): Buffer {
  let text = readFileSync(path.join(SIPREC_FIXTURES, name), 'utf8');
  if (overrides.callId) text = text.replace(/^(Call-ID|i): .*$/m, `$1: ${overrides.callId}`);
  if (overrides.branch) text = text.replace(/branch=[^\s;]+/, `branch=${overrides.branch}`);
  const eol = name.includes('-lf-only') ? '\n' : '\r\n';
  const [head, ...rest] = text.split('\n\n');
  const body = rest.join('\n\n').split('\n').join(eol);
  const headers = head!.split('\n').join(eol).replace('[len]', String(Buffer.byteLength(body)));
  return Buffer.from(`${headers}${eol}${eol}${body}`);
}
