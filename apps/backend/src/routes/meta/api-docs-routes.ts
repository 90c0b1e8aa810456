import { dirname } from 'node:path';
import express, { Router } from 'express';
import { buildOpenApiDocument } from '../../api/openapi-document';

/** swagger-ui-dist ships no types; its files are all this needs. */
const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/swagger-ui-bundle.js'));

/** The files of swagger-ui-dist that SWAGGER_PAGE loads, and nothing else of it. */
const SWAGGER_UI_ASSETS = new Set([
  '/swagger-ui.css',
  '/favicon-32x32.png',
  '/swagger-ui-bundle.js',
]);

const SWAGGER_PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>DocuThinker API</title>
    <link rel="stylesheet" type="text/css" href="./swagger-ui.css">
    <link rel="icon" type="image/png" href="./favicon-32x32.png" sizes="32x32">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="./swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="./docuthinker-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;

// A file, not an inline script, so helmet's Content-Security-Policy can stay strict.
// `validatorUrl: null` keeps the page from calling swagger.io.
const SWAGGER_INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
  });
};
`;

/** `/openapi.json` and Swagger UI at `/api-docs`, with every asset served from here (no CDN). */
export function apiDocsRoutes(): Router {
  const router = Router();
  // Built on the first request, not at start-up: generating it costs more
  // than the rest of the app's construction.
  let document: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= JSON.stringify(buildOpenApiDocument());
    res.type('application/json').send(document);
  });
  router.get('/api-docs', (req, res, next) => {
    // Relative asset URLs need the trailing slash.
    if (req.originalUrl === '/api-docs') res.redirect(301, '/api-docs/');
    else next();
  });
  router.get('/api-docs/', (_req, res) => {
    res.type('html').send(SWAGGER_PAGE);
  });
  router.get('/api-docs/docuthinker-initializer.js', (_req, res) => {
    res.type('application/javascript').send(SWAGGER_INITIALIZER);
  });
  const serveAsset = express.static(SWAGGER_UI_DIR, {
    index: false,
    fallthrough: true,
    maxAge: '1h',
    // The API's default no-store is set before routing; send adds its own
    // (public, max-age) only to an answer that has none.
    setHeaders: (res) => res.removeHeader('Cache-Control'),
  });
  // Only what the page loads: the whole directory also held swagger-ui-dist's
  // stock page (pointed at the petstore example) and its package.json, which
  // named the exact version (found in review).
  router.use('/api-docs', (req, res, next) => {
    if (SWAGGER_UI_ASSETS.has(req.path)) serveAsset(req, res, next);
    else next();
  });
  return router;
}
