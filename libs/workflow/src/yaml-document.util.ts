import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/** A position inside a document, as segments: `['decision', 'rules', 0, 'when']`. */
export type DocumentPath = ReadonlyArray<string | number>;

export interface SourcePosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface YamlSyntaxProblem extends Partial<SourcePosition> {
  readonly message: string;
}

/** Renders segments the way authors read them: `decision.rules[0].when`. */
export function formatDocumentPath(path: DocumentPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/**
 * A parsed YAML file that can say where any value came from, so validation errors found on the
 * plain data can point back at a line and column.
 */
export class YamlDocument {
  private constructor(
    private readonly document: Document.Parsed,
    private readonly lines: LineCounter,
  ) {}

  static parse(text: string): YamlDocument {
    const lines = new LineCounter();
    // The core schema has no !!binary, timestamps or merge keys; unique keys catch copy-paste slips.
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true, schema: 'core' });
    return new YamlDocument(document, lines);
  }

  get syntaxProblems(): YamlSyntaxProblem[] {
    return this.document.errors.map((error) => {
      const start = error.linePos?.[0];
      const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
      return start ? { message, line: start.line, column: start.col } : { message };
    });
  }

  /** The plain data; aliases are expanded with a cap that stops "billion laughs" documents. */
  toJS(): unknown {
    return this.document.toJS({ maxAliasCount: 100 });
  }

  /**
   * Where the value at `path` starts; with `key`, where its key starts (for "unknown field").
   * Falls back to the nearest ancestor that exists, and to 1:1 for an empty document.
   */
  locate(path: DocumentPath, options: { key?: boolean } = {}): SourcePosition {
    let node: Node | null | undefined = this.resolve(this.document.contents);
    let offset = node?.range?.[0] ?? 0;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        const keyNode = pair.key as Node;
        const valueNode = this.resolve(pair.value as Node | null);
        if (last && options.key) {
          offset = keyNode.range?.[0] ?? offset;
          break;
        }
        offset = valueNode?.range?.[0] ?? keyNode.range?.[0] ?? offset;
        node = valueNode;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = this.resolve(node.items[segment] as Node | null | undefined);
        if (!item) break;
        offset = item.range?.[0] ?? offset;
        node = item;
      } else {
        break;
      }
    }
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  private resolve(node: Node | null | undefined): Node | null | undefined {
    return isAlias(node) ? (node.resolve(this.document) as Node | undefined) : node;
  }
}
