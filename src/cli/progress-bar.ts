/** A bulk job's progress as one line of text: a bar, the percentage, the counts and the state. */

export interface JobProgressView {
  readonly state: string;
  readonly percentProgress: number;
  readonly totalRecordings: number;
  readonly totalProcessedRecordings: number;
  readonly totalFailedRecordings: number;
  readonly totalSkippedRecordings: number;
}

export function progressLine(job: JobProgressView, width = 30): string {
  const percent = Math.max(0, Math.min(100, Math.round(job.percentProgress)));
  const filled = Math.round((percent / 100) * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const done = job.totalProcessedRecordings + job.totalFailedRecordings;
  const extras = [
    job.totalFailedRecordings ? `${job.totalFailedRecordings} failed` : '',
    job.totalSkippedRecordings ? `${job.totalSkippedRecordings} skipped` : '',
  ].filter(Boolean);
  return `[${bar}] ${String(percent).padStart(3)}%  ${done}/${job.totalRecordings} recordings${extras.length ? `, ${extras.join(', ')}` : ''}  ${job.state}`;
}
