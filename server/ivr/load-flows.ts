// Reads every `*.flow.yaml` in a folder at start-up and validates it. Any problem in any file stops
// start-up with one FlowError listing them all ("<file>: node "<id>": <problem> (line N)").
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Scalar } from 'yaml';
import { FlowError, validateFlow, type Flow, type FlowProblem } from './flow.js';
import type { Path } from './flow-schema.js';

const FLOW_FILE = /\.flow\.ya?ml$/;

/** Flows by name. Throws a FlowError naming file and node for every problem found. */
export function loadFlows(dir: string): Map<string, Flow> {
  const flows = new Map<string, Flow>();
  const problems: FlowProblem[] = [];
  const files = readdirSync(dir)
    .filter((name) => FLOW_FILE.test(name))
    .sort();
  for (const name of files) {
    const file = displayPath(path.join(dir, name));
    try {
      const flow = parseFlow(file, readFileSync(path.join(dir, name), 'utf8'));
      const previous = flows.get(flow.name);
      if (previous)
        problems.push({ file, node: null, line: null, message: `flow name "${flow.name}" is already used by ${previous.file}` });
      else flows.set(flow.name, flow);
    } catch (err) {
      if (!(err instanceof FlowError)) throw err;
      problems.push(...err.problems);
    }
  }
  if (problems.length > 0) throw new FlowError(problems);
  return flows;
}

/** Parses and validates one flow file's text; `file` is only used in messages. */
export function parseFlow(file: string, source: string): Flow {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new FlowError(
      doc.errors.map((e) => ({ file, node: null, line: lineCounter.linePos(e.pos[0]).line, message: `YAML: ${e.message.split('\n')[0]}` })),
    );
  }
  return validateFlow(file, doc.toJS({ maxAliasCount: 100 }), lineOfPath(doc, lineCounter));
}

// The line of the deepest part of `path` that exists in the document: a missing key points at its
// parent, a mapping at its key (`menu:`), a scalar at its value. Keys match as text (`1:` is "1").
function lineOfPath(doc: Document, lineCounter: LineCounter) {
  const lineAt = (node: { range?: [number, number, number] | null } | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : null;
  return (target: Path): number | null => {
    let line: number | null = null;
    let at: unknown = doc.contents;
    for (const step of target) {
      if (isMap(at)) {
        const pair = at.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
        if (!pair) break;
        line = lineAt(pair.key as Scalar) ?? line;
        at = pair.value;
      } else if (isSeq(at) && typeof step === 'number' && at.items[step]) {
        at = at.items[step];
        line = lineAt(at as Scalar) ?? line;
      } else break;
      if (isScalar(at)) line = lineAt(at) ?? line;
    }
    return line;
  };
}

// Messages show paths relative to the working directory when the file is under it, as people type them.
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative.split(path.sep).join('/') : file;
}
