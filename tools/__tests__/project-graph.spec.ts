import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Graph {
  nodes: Record<string, { type: string; data: { root: string; tags?: string[] } }>;
  dependencies: Record<string, Array<{ source: string; target: string }>>;
}

const root = join(__dirname, '..', '..');

/** The project graph as Nx computes it from the imports — the same graph `nx graph` draws. */
function projectGraph(): Graph {
  const file = join(mkdtempSync(join(tmpdir(), 'baton-graph-')), 'graph.json');
  execFileSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), 'graph', `--file=${file}`], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return (JSON.parse(readFileSync(file, 'utf8')) as { graph: Graph }).graph;
}

const tagOf = (graph: Graph, project: string, dimension: string) =>
  graph.nodes[project]?.data.tags?.find((t) => t.startsWith(`${dimension}:`))?.slice(dimension.length + 1);

describe('project graph', () => {
  let graph: Graph;

  beforeAll(() => {
    graph = projectGraph();
  }, 120_000);

  it('has every project tagged with a scope and a type', () => {
    for (const project of Object.keys(graph.nodes)) {
      expect([project, tagOf(graph, project, 'scope') !== undefined, tagOf(graph, project, 'type') !== undefined]).toEqual([
        project,
        true,
        true,
      ]);
    }
  });

  it('lets apps depend on libs only, never on other apps', () => {
    for (const [source, deps] of Object.entries(graph.dependencies)) {
      if (tagOf(graph, source, 'type') !== 'app') continue;
      for (const dep of deps.filter((d) => graph.nodes[d.target])) {
        expect([source, dep.target, tagOf(graph, dep.target, 'type')]).not.toEqual([source, dep.target, 'app']);
      }
    }
  });

  it('keeps contracts free of project dependencies and service libs free of each other', () => {
    expect((graph.dependencies['contracts'] ?? []).filter((d) => graph.nodes[d.target])).toEqual([]);
    for (const [source, deps] of Object.entries(graph.dependencies)) {
      if (tagOf(graph, source, 'type') !== 'service') continue;
      const services = deps.filter((d) => tagOf(graph, d.target, 'type') === 'service').map((d) => d.target);
      expect([source, services]).toEqual([source, []]);
    }
  });

  it('has no cycles', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[][] = [];
    const visit = (node: string, path: string[]) => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(node)), node]);
        return;
      }
      state.set(node, 'visiting');
      for (const dep of graph.dependencies[node] ?? []) if (graph.nodes[dep.target]) visit(dep.target, [...path, node]);
      state.set(node, 'done');
    };
    for (const node of Object.keys(graph.nodes)) visit(node, []);
    expect(cycles).toEqual([]);
  });
});
