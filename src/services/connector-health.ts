import type { Logger } from 'pino';

/**
 * Health figures of one connector: live and total sessions, what was received, and every refusal
 * by reason (the newest few kept with their details). Each refusal is also logged at `warn` with
 * the connector, the remote address and the reason, so an operator can tell why a platform's
 * session did not record.
 */

export type ConnectorName = 'audiohook' | 'siprec' | 'twilio';

export interface Rejection {
  readonly at: string;
  readonly reason: string;
  readonly remote?: string;
  readonly detail?: string;
}

export interface ConnectorHealthSnapshot {
  readonly connector: ConnectorName;
  readonly enabled: boolean;
  readonly listening?: Record<string, string | number>;
  readonly sessionsActive: number;
  readonly sessionsTotal: number;
  readonly probes: number;
  readonly framesReceived: number;
  readonly bytesReceived: number;
  readonly protocolErrors: number;
  readonly rejected: Record<string, number>;
  readonly recentRejections: readonly Rejection[];
}

const RECENT = 20;

export class ConnectorHealth {
  enabled = false;
  listening: Record<string, string | number> | undefined;
  sessionsActive = 0;
  sessionsTotal = 0;
  probes = 0;
  framesReceived = 0;
  bytesReceived = 0;
  protocolErrors = 0;
  private readonly rejectedByReason = new Map<string, number>();
  private readonly recent: Rejection[] = [];

  constructor(
    readonly connector: ConnectorName,
    private readonly logger: Logger,
  ) {}

  sessionStarted(): void {
    this.sessionsActive++;
    this.sessionsTotal++;
  }

  sessionEnded(): void {
    this.sessionsActive = Math.max(0, this.sessionsActive - 1);
  }

  received(bytes: number): void {
    this.framesReceived++;
    this.bytesReceived += bytes;
  }

  /** A session (or request) was refused: counted, kept among the recent ones, and logged. */
  reject(reason: string, context: { remote?: string; detail?: string; [key: string]: unknown } = {}): void {
    this.rejectedByReason.set(reason, (this.rejectedByReason.get(reason) ?? 0) + 1);
    this.recent.push({ at: new Date().toISOString(), reason, remote: context.remote, detail: context.detail?.slice(0, 300) });
    if (this.recent.length > RECENT) this.recent.shift();
    this.logger.warn({ connector: this.connector, reason, ...context }, `${this.connector}: session rejected (${reason})`);
  }

  /** A protocol violation inside an accepted session (answered per protocol, logged). */
  protocolError(detail: string, context: Record<string, unknown> = {}): void {
    this.protocolErrors++;
    this.logger.warn({ connector: this.connector, detail: detail.slice(0, 300), ...context }, `${this.connector}: protocol error`);
  }

  snapshot(): ConnectorHealthSnapshot {
    return {
      connector: this.connector,
      enabled: this.enabled,
      ...(this.listening ? { listening: this.listening } : {}),
      sessionsActive: this.sessionsActive,
      sessionsTotal: this.sessionsTotal,
      probes: this.probes,
      framesReceived: this.framesReceived,
      bytesReceived: this.bytesReceived,
      protocolErrors: this.protocolErrors,
      rejected: Object.fromEntries(this.rejectedByReason),
      recentRejections: [...this.recent],
    };
  }
}

/** Every connector's health, for the health route and the benchmark. */
export class ConnectorHealthRegistry {
  readonly audiohook: ConnectorHealth;
  readonly siprec: ConnectorHealth;
  readonly twilio: ConnectorHealth;

  constructor(logger: Logger) {
    this.audiohook = new ConnectorHealth('audiohook', logger);
    this.siprec = new ConnectorHealth('siprec', logger);
    this.twilio = new ConnectorHealth('twilio', logger);
  }

  snapshot(): ConnectorHealthSnapshot[] {
    return [this.audiohook.snapshot(), this.siprec.snapshot(), this.twilio.snapshot()];
  }
}
