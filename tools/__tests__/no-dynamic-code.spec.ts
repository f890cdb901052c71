import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function productFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return ['node_modules', 'dist', '__tests__', 'test'].includes(entry.name) ? [] : productFiles(path);
    return /\.(ts|js|mjs|cjs)$/.test(entry.name) && !/\.(spec|integration-spec|e2e-spec)\.ts$/.test(entry.name) ? [path] : [];
  });
}

// Workflow expressions are CEL, evaluated by a CEL interpreter; nothing in the product may hand
// a string to a JavaScript evaluator, however indirectly.
const FORBIDDEN: Array<[string, RegExp]> = [
  ['eval(', /(^|[^.\w])eval\s*\(/],
  ['new Function(', /new\s+Function\s*\(/],
  ['Function constructor call', /(^|[^.\w])Function\s*\(\s*['"`]/],
  ['node:vm', /(from\s+|require\s*\(\s*)['"](node:)?vm['"]/],
  ['setTimeout/setInterval with a string', /set(Timeout|Interval)\s*\(\s*['"`]/],
];

describe('product code', () => {
  it('never evaluates strings as code: no eval, Function or vm in apps/ and libs/', () => {
    const offences: string[] = [];
    for (const file of [...productFiles(join(root, 'apps')), ...productFiles(join(root, 'libs'))]) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return;
        for (const [name, pattern] of FORBIDDEN) if (pattern.test(line)) offences.push(`${relative(root, file)}:${i + 1} ${name}`);
      });
    }
    expect(offences).toEqual([]);
  });
});
