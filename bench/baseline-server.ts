import http from 'node:http';
import { WebSocketServer } from 'ws';

/**
 * The benchmark's baseline: a bare WebSocket server on the same `ws` library that only counts
 * binary frames (and answers `open`/`close` so that the same load generator can drive it). What it
 * sustains is the ceiling any WebSocket ingest on this machine and core could reach.
 */

let frames = 0;
const server = http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ frames }));
});
const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      frames++;
      return;
    }
    const message = JSON.parse(data.toString()) as { type: string; stream: number };
    if (message.type === 'open') ws.send(JSON.stringify({ type: 'opened', stream: message.stream }));
    if (message.type === 'close') ws.send(JSON.stringify({ type: 'closed', stream: message.stream }));
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`LISTENING ${typeof address === 'object' && address ? address.port : 0}\n`);
});
