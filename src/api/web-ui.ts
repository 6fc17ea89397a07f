import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * The web UI: the single-page app that `npm run build` puts in dist/web (sources in web/), served
 * from `/`. Its files are immutable and fingerprinted (`/assets/…`); every other browser
 * navigation that is not an API path gets index.html, so that deep links such as
 * `/interactions/<id>` reload. Both src/api and dist/api sit two levels below the project root.
 */

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/web');

/** Paths that belong to the API and connectors: never answered with the app. */
const NOT_THE_APP = /^\/(api|oauth|audiohook|twilio|healthz|metrics|openapi\.json)(\/|$|\?)/;

const CSP = "default-src 'self'; media-src 'self' blob:; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

export async function registerWebUi(app: FastifyInstance, root = WEB_ROOT): Promise<void> {
  const built = existsSync(path.join(root, 'index.html'));
  if (built) {
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: false,
      setHeaders: (res, file) => {
        if (file.includes(`${path.sep}assets${path.sep}`)) res.header('cache-control', 'public, max-age=31536000, immutable');
      },
    });
  }
  app.decorateReply('sendWebApp', function (this: FastifyReply) {
    if (!built) {
      return this.code(503).type('text/plain; charset=utf-8').send('The web UI is not built. Run `npm run build`, then restart Capstan.\n');
    }
    return this.header('cache-control', 'no-cache').header('content-security-policy', CSP).sendFile('index.html', root);
  });
}

/** Whether a request that matched no route is a browser navigation the app should answer. */
export function wantsWebApp(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (NOT_THE_APP.test(request.url)) return false;
  return (request.headers.accept ?? '').includes('text/html');
}

declare module 'fastify' {
  interface FastifyReply {
    sendWebApp(): FastifyReply;
  }
}
