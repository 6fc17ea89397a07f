/**
 * One ingest protocol as the load generator drives it: how a simulated call connects, sends each
 * frame of its two parties, and ends. Every driver sends the same audio at the same pace, so the
 * figures of `bench:ingest --protocol …` compare the protocols' cost in Capstan.
 */

export const PROTOCOLS = ['native', 'audiohook', 'siprec', 'twilio'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface BenchCall {
  readonly id: string;
  readonly index: number;
  /** Frames each party sends in all. */
  readonly frames: number;
  sent: number;
  /** When the next frame is due (performance.now() ms); undefined until the call is ready for audio. */
  nextDue: number | undefined;
  done: boolean;
}

export interface DriverContext {
  readonly host: string;
  /** Capstan's HTTP port (WebSocket protocols) */
  readonly port: number;
  /** SIPREC: the server's SIP port. */
  readonly sipPort: number;
  readonly frameMs: number;
  /** µ-law audio of one frame, the same for every call and party. */
  readonly payload: Buffer;
  /** Credentials for Capstan's API and native media endpoint (connectors authenticate their own way). */
  readonly auth: Record<string, string>;
}

export interface ProtocolDriver {
  /** Before the calls start: configuration, conversations described by events (native). */
  prepare(calls: readonly BenchCall[]): Promise<void>;
  /** Connects a call ahead of its start at `startAt` (wall clock ms); resolves false when it was refused. */
  connect(call: BenchCall, startAt: number): Promise<boolean>;
  /**
   * Starts the call at `startAt` (wall clock of its first frame); `ready` is called once audio may
   * flow (after `opened`, the 200 OK, …) or with false when the server refused it.
   */
  start(call: BenchCall, startAt: number, ready: (ok: boolean) => void): void;
  /** Sends frame `call.sent` of both parties. */
  send(call: BenchCall): void;
  /** Ends the call the protocol's way and resolves when the server has been told. */
  end(call: BenchCall): Promise<void>;
  /** The conversation the call records into. */
  conversationId(call: BenchCall): string;
  backlogBytes(call: BenchCall): number;
  close(call: BenchCall): void;
}

export async function postJson(url: string, body: unknown, auth: Record<string, string>, method = 'POST'): Promise<Response> {
  return fetch(url, { method, headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
