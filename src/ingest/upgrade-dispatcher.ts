import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * One WebSocket upgrade handler on the HTTP server for every streaming protocol of the ingest
 * role (native media, AudioHook, Twilio Media Streams): each registers its path. A route decides
 * before the upgrade whether to accept (authentication, role), so refusals are plain HTTP answers.
 */

export type UpgradeDecision<C> =
  | { readonly accept: true; readonly context: C }
  | { readonly accept: false; readonly status: number; readonly code: string; readonly message: string };

export interface UpgradeRoute<C = unknown> {
  /** Exact path, e.g. `/api/v2/capstan/media`. */
  readonly path: string;
  accept(request: IncomingMessage): Promise<UpgradeDecision<C>>;
  connected(socket: WebSocket, context: C, request: IncomingMessage): void;
}

export interface DispatcherOptions {
  /** Largest WebSocket message accepted, in bytes. */
  readonly maxPayload?: number;
}

export class UpgradeDispatcher {
  private readonly routes = new Map<string, UpgradeRoute<any>>();
  private readonly wss: WebSocketServer;

  constructor(options: DispatcherOptions = {}) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 1024 * 1024, perMessageDeflate: false });
  }

  register<C>(route: UpgradeRoute<C>): void {
    if (this.routes.has(route.path)) throw new Error(`a WebSocket route is already registered at ${route.path}`);
    this.routes.set(route.path, route);
  }

  get paths(): string[] {
    return [...this.routes.keys()];
  }

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      void this.dispatch(request, socket, head);
    });
  }

  /** Closes every open connection with `code` (1001 "going away" at shutdown). */
  closeAll(code = 1001, reason = 'server shutting down'): void {
    for (const client of this.wss.clients) client.close(code, reason);
  }

  private async dispatch(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const path = (request.url ?? '/').split('?')[0]!;
    const route = this.routes.get(path);
    if (!route) return refuse(socket, 404, 'not.found', `no WebSocket endpoint at ${path}`);
    let decision: UpgradeDecision<unknown>;
    try {
      decision = await route.accept(request);
    } catch {
      return refuse(socket, 500, 'internal.server.error', 'the upgrade could not be decided');
    }
    if (!decision.accept) return refuse(socket, decision.status, decision.code, decision.message);
    const { context } = decision;
    this.wss.handleUpgrade(request, socket, head, (ws) => route.connected(ws, context, request));
  }
}

/** Answers the upgrade request with a plain HTTP error in the ErrorBody shape. */
function refuse(socket: Duplex, status: number, code: string, message: string): void {
  if (!socket.writable) return;
  const body = JSON.stringify({ message, code, status, details: [], errors: [] });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
