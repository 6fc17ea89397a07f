import dgram from 'node:dgram';
import net from 'node:net';

/** A port number free for both UDP and TCP on 127.0.0.1 right now (for peers that need a fixed port). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const server = net.createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
    const udp = dgram.createSocket('udp4');
    const udpFree = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, '127.0.0.1', () => resolve(true));
    });
    udp.close();
    await new Promise((r) => server.close(r));
    if (udpFree) return port;
  }
  throw new Error('no free port');
}
