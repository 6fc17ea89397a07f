import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './process.js';

/** AudioHook and Twilio message fixtures (test/fixtures/audiohook, test/fixtures/twilio). */

export function fixtureText(...parts: string[]): string {
  return readFileSync(path.join(ROOT, 'test/fixtures', ...parts), 'utf8');
}

export function fixtureLines(...parts: string[]): string[] {
  return fixtureText(...parts).split('\n').filter((l) => l.trim() !== '');
}
