// Rewrites a staged package.json so that it lists only the dependencies the
// bundle leaves to node_modules: the app's esbuild `external` packages
// (apps/<app>/project.json). Nx's generated package.json lists every package
// the app uses, and esbuild has already put all the others into main.js;
// installing them again only made the image bigger (the AI SDKs alone added
// ~24 MB). `npm prune` then removes what nothing listed needs.
import { readFileSync, writeFileSync } from 'node:fs';

const [packagePath, projectPath] = process.argv.slice(2);
if (!packagePath || !projectPath) {
  console.error('usage: node keep-external-dependencies.mjs <package.json> <project.json>');
  process.exit(2);
}

const project = JSON.parse(readFileSync(projectPath, 'utf8'));
const externals = project.targets?.build?.options?.external;
if (!Array.isArray(externals) || externals.length === 0) {
  console.error(`${projectPath}: no build.options.external list`);
  process.exit(1);
}

/** esbuild's external patterns: a package name, or a prefix ending in `*` (`@aws-sdk/*`). */
const isExternal = (name) =>
  externals.some((pattern) =>
    pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern,
  );

const manifest = JSON.parse(readFileSync(packagePath, 'utf8'));
const kept = Object.fromEntries(
  Object.entries(manifest.dependencies ?? {}).filter(([name]) => isExternal(name)),
);
const dropped = Object.keys(manifest.dependencies ?? {}).filter((name) => !(name in kept));
manifest.dependencies = kept;
writeFileSync(packagePath, `${JSON.stringify(manifest, null, 2)}\n`);
console.log(
  `${packagePath}: kept ${Object.keys(kept).join(', ')}; bundled, so not installed: ${dropped.join(', ') || 'none'}`,
);
