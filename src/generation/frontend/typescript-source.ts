// Writing TypeScript source as text: literals and names that stay valid whatever a spec called things.

/** A single-quoted string literal. */
export function quote(value: string): string {
  const escaped = JSON.stringify(value).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${escaped}'`;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A key of an object literal or type: bare when it can be, quoted otherwise. */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : quote(name);
}

/** Reading a property: `item.name`, or `item['odd-name']`. */
export function propertyAccess(target: string, name: string): string {
  return IDENTIFIER.test(name) ? `${target}.${name}` : `${target}[${quote(name)}]`;
}

/** A JSDoc comment on its own lines, indented; nothing when there is no text. */
export function docComment(text: string | undefined, indent = ''): string {
  if (!text?.trim()) return '';
  const body = text.replace(/\*\//g, '*\\/').trim().split(/\r?\n/);
  if (body.length === 1) return `${indent}/** ${body[0]} */\n`;
  return `${indent}/**\n${body.map((line) => `${indent} * ${line}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
