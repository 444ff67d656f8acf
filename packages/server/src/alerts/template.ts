/**
 * The alert templates' small language: `{{name}}` inserts a value,
 * `{{#name}}…{{/name}}` keeps its inside only when the value is not empty,
 * `{{^name}}…{{/name}}` only when it is. A section tag alone on its line
 * takes the whole line, newline included. Nothing else: no loops, no logic.
 * A template is checked when it is compiled, so an unknown name or an
 * unclosed section fails at load time with the file's name, not at the alert.
 */

export class TemplateError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'TemplateError';
  }
}

export type TemplateValues = Readonly<Record<string, string>>;
export type CompiledTemplate = (values: TemplateValues) => string;

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; name: string }
  | { kind: 'section'; name: string; inverted: boolean; children: Node[] };

const TAG = /\{\{\s*([#^/]?)\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}|\{\{/g;

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

function lineOf(source: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Compiles `source`. `names` are the placeholders it may use; `escaping` says
 * whether values are HTML-escaped (for `.html` files) or inserted as they are.
 */
export function compileTemplate(
  source: string,
  file: string,
  names: readonly string[],
  escaping: 'html' | 'none',
): CompiledTemplate {
  const root: Node[] = [];
  const stack: { name: string; children: Node[]; index: number }[] = [];
  let children = root;
  let last = 0;
  for (const match of source.matchAll(TAG)) {
    const [all, sigil = '', name] = match;
    const at = `line ${lineOf(source, match.index)}`;
    if (name === undefined)
      throw new TemplateError(file, `${at}: '{{' that is not a placeholder such as {{job}}`);
    if (!names.includes(name)) {
      throw new TemplateError(file, `${at}: unknown placeholder {{${name}}}; known: ${names.join(', ')}`);
    }
    let start = match.index;
    let end = match.index + all.length;
    if (sigil !== '') {
      // A section tag alone on its line takes the line with it, so sections can sit on lines of their own.
      const lineStart = source.lastIndexOf('\n', start - 1) + 1;
      const newline = source.indexOf('\n', end);
      const lineEnd = newline === -1 ? source.length : newline + 1;
      if (lineStart >= last && !source.slice(lineStart, start).trim() && !source.slice(end, lineEnd).trim()) {
        start = lineStart;
        end = lineEnd;
      }
    }
    if (start > last) children.push({ kind: 'text', text: source.slice(last, start) });
    last = end;
    if (sigil === '') {
      children.push({ kind: 'value', name });
    } else if (sigil === '#' || sigil === '^') {
      const section: Node = { kind: 'section', name, inverted: sigil === '^', children: [] };
      children.push(section);
      stack.push({ name, children, index: match.index });
      children = section.children;
    } else {
      const open = stack.pop();
      if (!open) throw new TemplateError(file, `${at}: {{/${name}}} closes no section`);
      if (open.name !== name) {
        throw new TemplateError(
          file,
          `${at}: {{/${name}}} closes {{#${open.name}}} (opened on line ${lineOf(source, open.index)})`,
        );
      }
      children = open.children;
    }
  }
  const unclosed = stack.pop();
  if (unclosed) {
    throw new TemplateError(
      file,
      `line ${lineOf(source, unclosed.index)}: {{#${unclosed.name}}} is never closed`,
    );
  }
  if (last < source.length) children.push({ kind: 'text', text: source.slice(last) });

  const insert = escaping === 'html' ? escapeHtml : (text: string) => text;
  const render = (nodes: readonly Node[], values: TemplateValues): string => {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') out += node.text;
      else if (node.kind === 'value') out += insert(values[node.name] ?? '');
      else if (((values[node.name] ?? '') !== '') !== node.inverted) out += render(node.children, values);
    }
    return out;
  };
  return (values) => render(root, values);
}
