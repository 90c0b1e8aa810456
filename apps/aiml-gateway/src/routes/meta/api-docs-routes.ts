import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { OpenApiDocument } from '../../openapi/openapi-document';

/** The swagger-ui-dist files the page needs, served from node_modules: no CDN. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>DocuThinker AI/ML gateway API</title>
<link rel="stylesheet" href="/api-docs/swagger-ui.css">
<link rel="icon" type="image/png" href="/api-docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api-docs/swagger-ui-bundle.js"></script>
<script src="/api-docs/swagger-ui-standalone-preset.js"></script>
<script src="/api-docs/initializer.js"></script>
</body>
</html>
`;

// A script file rather than an inline script, so a strict CSP (script-src 'self') allows it.
const INITIALIZER = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout',
});
`;

function swaggerUiDirectory(): string {
  return dirname(require.resolve('swagger-ui-dist/package.json'));
}

/** `/openapi.json` and the Swagger UI at `/api-docs` (`/docs` redirects there). */
export function registerApiDocsRoutes(app: FastifyInstance, openApi: OpenApiDocument): void {
  const assetCache = new Map<string, Buffer>();

  app.get('/openapi.json', async () => openApi.document());
  app.get('/api-docs', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(PAGE),
  );
  app.get('/docs', async (_request, reply) => reply.redirect('/api-docs', 301));
  app.get('/api-docs/initializer.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(INITIALIZER),
  );
  app.get<{ Params: { asset: string } }>('/api-docs/:asset', async (request, reply) => {
    const { asset } = request.params;
    if (!Object.hasOwn(ASSETS, asset)) return reply.callNotFound();
    const type = ASSETS[asset] as string;
    let content = assetCache.get(asset);
    if (!content) {
      content = await readFile(join(swaggerUiDirectory(), asset));
      assetCache.set(asset, content);
    }
    // An hour, as the backend keeps its Swagger UI files (and as the README says).
    return reply.type(type).header('cache-control', 'public, max-age=3600').send(content);
  });
}
