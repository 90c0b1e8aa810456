import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '../..');

interface ProjectGraphFile {
  graph: {
    nodes: Record<string, { type: string; data: { tags?: string[] } }>;
    dependencies: Record<string, { target: string }[]>;
  };
}

describe('nx project graph', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dt-graph-'));
  const file = join(dir, 'graph.json');
  let graph: ProjectGraphFile['graph'];

  beforeAll(() => {
    const result = spawnSync(
      process.execPath,
      [join(root, 'node_modules/nx/dist/bin/nx.js'), 'graph', `--file=${file}`],
      {
        cwd: root,
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
        encoding: 'utf8',
      },
    );
    expect(result.status).toBe(0);
    graph = (JSON.parse(readFileSync(file, 'utf8')) as ProjectGraphFile).graph;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const targetsOf = (project: string) => (graph.dependencies[project] ?? []).map((d) => d.target);

  it('has both apps depending on libs/config', () => {
    expect(targetsOf('backend')).toContain('config');
    expect(targetsOf('aiml-gateway')).toContain('config');
  });

  it('has no edge from one app to another, nor from an app to infra', () => {
    const apps = Object.entries(graph.nodes)
      .filter(([, node]) => node.data.tags?.includes('type:app'))
      .map(([name]) => name);
    expect(apps.sort()).toEqual(['aiml-gateway', 'backend']);
    for (const app of apps) {
      const forbidden = targetsOf(app).filter(
        (target) => apps.includes(target) || target === 'infra',
      );
      expect({ app, forbidden }).toEqual({ app, forbidden: [] });
    }
  });

  it('tags every project with a scope and a type', () => {
    for (const [name, node] of Object.entries(graph.nodes)) {
      if (node.type === 'npm') continue;
      const tags = node.data.tags ?? [];
      expect({ name, scope: tags.some((t) => t.startsWith('scope:')) }).toEqual({
        name,
        scope: true,
      });
      expect({ name, type: tags.some((t) => t.startsWith('type:')) }).toEqual({ name, type: true });
    }
  });
});
