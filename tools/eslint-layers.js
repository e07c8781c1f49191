// A local ESLint rule that enforces Omnidesk's import direction (see ARCHITECTURE.md).
// Each file belongs to a layer by its path; a relative import may only reach the layers listed for it.
import path from 'node:path';

const LAYERS = [
  ['domain', /^server\/domain\//],
  ['realtime', /^server\/realtime\//],
  ['http', /^server\/http\//],
  ['outbox', /^server\/outbox\//],
  ['routing', /^server\/routing\//],
  ['cluster', /^server\/cluster\//],
  ['app', /^server\/(usecases|security|storage)\/|^server\/event-bus\.ts$/],
  ['root', /^server\/[^/]+\.ts$/],
  ['db', /^db\//],
  ['channels', /^channels\//],
  ['ui', /^agent-ui\//],
  ['free', /^(test|bench|scripts|tools)\//],
];

// Who may import whom. `contract` is server/realtime/contract.ts, the one file the UI shares.
const ALLOWED = {
  domain: ['domain'],
  db: ['db', 'domain'],
  channels: ['channels', 'domain'],
  app: ['app', 'domain', 'db', 'channels'],
  outbox: ['outbox', 'app', 'domain', 'db', 'channels'],
  routing: ['routing', 'app', 'domain', 'db'],
  cluster: ['cluster', 'app', 'domain', 'routing'],
  realtime: ['realtime', 'app', 'domain', 'db', 'channels', 'routing'],
  http: ['http', 'app', 'domain', 'db', 'channels', 'root', 'routing'],
  root: ['root', 'app', 'domain', 'db', 'channels', 'outbox', 'realtime', 'http', 'routing', 'cluster'],
  ui: ['ui', 'contract', 'domain'],
  free: null,
};

function layerOf(rel) {
  if (rel === 'server/realtime/contract.ts') return 'contract';
  for (const [name, re] of LAYERS) if (re.test(rel)) return name;
  return undefined;
}

export const layersPlugin = {
  rules: {
    'import-direction': {
      meta: { type: 'problem', docs: { description: 'enforce the layer import rules of ARCHITECTURE.md' }, schema: [] },
      create(context) {
        const root = context.cwd;
        const fromRel = path.relative(root, context.filename).split(path.sep).join('/');
        let from = layerOf(fromRel);
        if (from === 'contract') from = 'realtime';
        if (!from || !ALLOWED[from]) return {};
        const check = (node, source) => {
          if (typeof source !== 'string' || !source.startsWith('.')) return;
          const target = path
            .relative(root, path.resolve(path.dirname(context.filename), source))
            .split(path.sep)
            .join('/')
            .replace(/\.js$/, '.ts');
          const to = layerOf(target);
          if (!to) return;
          const ok = ALLOWED[from].includes(to) || (to === 'contract' && ALLOWED[from].includes('realtime'));
          if (!ok) context.report({ node, message: `${from} code may not import ${to} code (${source}); see ARCHITECTURE.md` });
        };
        return {
          ImportDeclaration: (node) => check(node, node.source.value),
          ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
          ExportAllDeclaration: (node) => check(node, node.source.value),
          ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
        };
      },
    },
  },
};
