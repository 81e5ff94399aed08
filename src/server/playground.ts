import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Request, type Response, Router } from 'express';
import { FAVICON_SVG, PLAYGROUND_CSS, PLAYGROUND_JS } from './playground/client';

/**
 * The offline GraphiQL playground at `/`.
 *
 * Apollo's landing page loads its code from a CDN, which shows nothing in an air-gapped plant.
 * This page and everything it loads come from this server: GraphiQL 3's UMD build, React 18's
 * UMD builds and graphql-ws' UMD client out of the installed npm packages, plus the small
 * bootstrap in ./playground/client.ts. Its CSP lets the page reach only its own origin.
 */

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

interface PackageFile {
  pkg: string;
  file: string;
  type: string;
  /** Why this file must exist, for the start-up error when it does not. */
  needs: string;
}

/** URL under /playground/ → file of an installed package. */
const PACKAGE_FILES: Record<string, PackageFile> = {
  'react.production.min.js': {
    pkg: 'react',
    file: 'umd/react.production.min.js',
    type: JS,
    needs: 'react 18 (React 19 ships no UMD build)',
  },
  'react-dom.production.min.js': {
    pkg: 'react-dom',
    file: 'umd/react-dom.production.min.js',
    type: JS,
    needs: 'react-dom 18 (React 19 ships no UMD build)',
  },
  'graphiql.min.js': {
    pkg: 'graphiql',
    file: 'graphiql.min.js',
    type: JS,
    needs: 'graphiql 3 (later majors ship no UMD build)',
  },
  'graphiql.min.css': {
    pkg: 'graphiql',
    file: 'graphiql.min.css',
    type: CSS,
    needs: 'graphiql 3',
  },
  'graphql-ws.min.js': {
    pkg: 'graphql-ws',
    file: 'umd/graphql-ws.min.js',
    type: JS,
    needs: 'graphql-ws with its umd/ folder',
  },
};

/** Source maps, for the browser's developer tools only; optional. */
const SOURCE_MAPS: Record<string, { pkg: string; file: string }> = {
  // graphiql.min.js ends with `//# sourceMappingURL=index.umd.js.map`.
  'index.umd.js.map': { pkg: 'graphiql', file: 'graphiql.min.js.map' },
};

const OWN_FILES: Record<string, { body: string; type: string }> = {
  'playground.js': { body: PLAYGROUND_JS, type: JS },
  'playground.css': { body: PLAYGROUND_CSS, type: CSS },
  'favicon.svg': { body: FAVICON_SVG, type: 'image/svg+xml; charset=utf-8' },
};

/**
 * Paths are relative so that the page also works behind a proxy that mounts the API under a prefix.
 * The nonce is for the one `<style>` element GraphiQL's dialogs add at run time (scroll lock, from
 * react-remove-scroll); playground.js hands it over as `__webpack_nonce__`, which that code reads.
 */
function pageHtml(styleNonce: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="twin-style-nonce" content="${styleNonce}" />
    <title>twin-graph playground</title>
    <link rel="icon" type="image/svg+xml" href="playground/favicon.svg" />
    <link rel="stylesheet" href="playground/graphiql.min.css" />
    <link rel="stylesheet" href="playground/playground.css" />
  </head>
  <body>
    <div id="graphiql"><p class="playground-message">Loading the playground…</p></div>
    <noscript><p class="playground-message">The playground needs JavaScript.</p></noscript>
    <script src="playground/react.production.min.js"></script>
    <script src="playground/react-dom.production.min.js"></script>
    <script src="playground/graphiql.min.js"></script>
    <script src="playground/graphql-ws.min.js"></script>
    <script src="playground/playground.js"></script>
  </body>
</html>
`;
}

/**
 * The folder of an installed package. `pkg/package.json` may be hidden by the package's
 * `exports`; then the folder is looked up along Node's own search path for `pkg`.
 */
export function packageDir(pkg: string): string {
  try {
    return dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    for (const base of require.resolve.paths(pkg) ?? []) {
      const dir = join(base, pkg);
      if (existsSync(join(dir, 'package.json'))) return dir;
    }
    throw new Error(`the playground needs the npm package "${pkg}", which is not installed`);
  }
}

class Asset {
  private body: Buffer | undefined;
  private gzipped: Buffer | undefined;
  private etag: string | undefined;

  constructor(
    readonly type: string,
    private readonly load: () => Buffer,
  ) {}

  send(req: Request, res: Response): void {
    this.body ??= this.load();
    this.etag ??= `W/"${createHash('sha256').update(this.body).digest('base64url').slice(0, 27)}"`;
    res.setHeader('Content-Type', this.type);
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', this.etag);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    if (this.body.length > 1024 && req.acceptsEncodings('gzip') === 'gzip') {
      this.gzipped ??= gzipSync(this.body);
      res.setHeader('Content-Encoding', 'gzip');
      res.send(this.gzipped);
      return;
    }
    res.send(this.body);
  }
}

/** Only a plain host[:port] (name, IPv4 or [IPv6]) is echoed into the CSP. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

function contentSecurityPolicy(req: Request, styleNonce: string): string {
  const host = req.get('host');
  // 'self' covers ws(s) to the same host in current browsers (CSP 3); older ones need the origin.
  const ws = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    `style-src 'self' 'nonce-${styleNonce}'`,
    // graphiql.min.css embeds its fonts and icons as data: URLs.
    "font-src 'self' data:",
    "img-src 'self' data:",
    `connect-src 'self'${ws}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** GET / serves the page; GET /playground/<file> its assets. Throws at once if an asset is missing. */
export function playgroundRouter(apiKey?: string): Router {
  const assets = new Map<string, Asset>();
  for (const [name, { pkg, file, type, needs }] of Object.entries(PACKAGE_FILES)) {
    const path = join(packageDir(pkg), file);
    if (!existsSync(path)) {
      throw new Error(`the playground needs ${pkg}/${file}, which is missing: install ${needs}`);
    }
    assets.set(name, new Asset(type, () => readFileSync(path)));
  }
  for (const [name, { pkg, file }] of Object.entries(SOURCE_MAPS)) {
    const path = join(packageDir(pkg), file);
    if (existsSync(path)) {
      assets.set(name, new Asset('application/json; charset=utf-8', () => readFileSync(path)));
    }
  }
  for (const [name, { body, type }] of Object.entries(OWN_FILES)) {
    // `npm start` pre-fills the headers with its demo key (PLAYGROUND_API_KEY)
    const text = apiKey ? body.replaceAll('Bearer <key>', `Bearer ${apiKey}`) : body;
    assets.set(name, new Asset(type, () => Buffer.from(text, 'utf8')));
  }
  const router = Router();
  router.get('/', (req, res) => {
    const styleNonce = randomBytes(16).toString('base64');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(req, styleNonce));
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.send(pageHtml(styleNonce));
  });
  router.get('/playground/:file', (req, res, next) => {
    const asset = assets.get(req.params.file);
    if (!asset) {
      next();
      return;
    }
    asset.send(req, res);
  });
  return router;
}
