/**
 * `/docs`: the OpenAPI document as one readable, self-contained HTML page (no scripts). Every
 * piece of text is escaped, whatever it is.
 */
import type { JsonSchema, OpenApiDocument, OpenApiOperation } from './openapi.js';

/** The page's one stylesheet, inline; its Content-Security-Policy allows exactly this text by hash. */
export const DOCS_STYLE = `
body{font:15px/1.5 system-ui,sans-serif;max-width:960px;margin:2rem auto;padding:0 1rem;color:#222}
code,.path{font-family:ui-monospace,monospace}section{border-top:1px solid #ddd;padding:.5rem 0}
.method{display:inline-block;min-width:4.5em;font-weight:bold;text-transform:uppercase}
table{border-collapse:collapse;margin:.3rem 0}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
`;

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The whole page. */
export function renderDocsPage(doc: OpenApiDocument): string {
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => renderOperation(method, path, op, doc.components.schemas)));
  const schemas = Object.entries(doc.components.schemas).map(([name, schema]) => renderSchema(name, schema));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)} ${escapeHtml(doc.info.version)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${DOCS_STYLE}</style></head><body>
<h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1>
<p>${escapeHtml(doc.info.description)}</p>
<p>The machine-readable document is <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${escapeHtml(doc.openapi)}).
Errors answer <code>{ "error": { "code", "message" } }</code>.</p>
<h2>Routes</h2>
${operations.join('\n')}
<h2>Objects</h2>
${schemas.join('\n')}
</body></html>
`;
}

function renderOperation(method: string, path: string, op: OpenApiOperation, components: Readonly<Record<string, JsonSchema>>): string {
  const params = op.parameters.map((p) => row([p.name, p.in, typeText(p.schema), p.required ? 'yes' : 'no', p.description ?? '']));
  const body = op.requestBody?.content['application/json']?.schema;
  const answers = Object.entries(op.responses).map(([status, answer]) => {
    const content = Object.entries(answer.content ?? {})
      .map(([type, media]) => (type === 'application/json' ? typeText(media.schema) : type))
      .join(', ');
    return row([status, answer.description, content]);
  });
  return `<section id="${escapeHtml(op.operationId)}">
<h3><span class="method">${escapeHtml(method)}</span> <span class="path">${escapeHtml(path)}</span></h3>
<p>${escapeHtml(op.summary)}</p>${op.description === undefined ? '' : `\n<p>${escapeHtml(op.description)}</p>`}
${params.length === 0 ? '' : table(['parameter', 'in', 'type', 'required', 'meaning'], params)}
${body === undefined ? '' : `<p>Body (JSON):</p>\n${fieldTable(resolve(body, components))}`}
${table(['status', 'meaning', 'body'], answers)}
</section>`;
}

function renderSchema(name: string, schema: JsonSchema): string {
  return `<section id="schema-${escapeHtml(name)}"><h3>${escapeHtml(name)}</h3>\n${fieldTable(schema)}</section>`;
}

function fieldTable(schema: JsonSchema): string {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema.required ?? []) as readonly string[];
  const rows = Object.entries(properties).map(([name, property]) =>
    row([name, typeText(property), required.includes(name) ? 'yes' : 'no', typeof property.description === 'string' ? property.description : '']),
  );
  const closed = schema.additionalProperties === false ? '<p>No other fields are accepted.</p>' : '';
  return rows.length === 0 ? `<p>${escapeHtml(typeText(schema))}</p>` : table(['field', 'type', 'required', 'meaning'], rows) + closed;
}

/** A schema as a short type: `string | null`, `array of Item`, `one of image, video, all`. */
function typeText(schema: JsonSchema): string {
  if (typeof schema.$ref === 'string') return schema.$ref.split('/').at(-1) ?? schema.$ref;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map(String).join(', ')}${schema.default === undefined ? '' : ` (default ${JSON.stringify(schema.default)})`}`;
  const type = [schema.type].flat().map(String).join(' | ');
  const properties = schema.properties as Record<string, JsonSchema> | undefined;
  let text = type === 'undefined' ? 'any' : type;
  if (schema.type === 'array' && typeof schema.items === 'object' && schema.items !== null) text = `array of ${typeText(schema.items as JsonSchema)}`;
  else if (properties !== undefined) text = `{ ${Object.entries(properties).map(([name, property]) => `${name}: ${typeText(property)}`).join(', ')} }`;
  return schema.default === undefined ? text : `${text} (default ${JSON.stringify(schema.default)})`;
}

/** The component a `$ref` names (a body is shown field by field, not as a name). */
function resolve(schema: JsonSchema, components: Readonly<Record<string, JsonSchema>>): JsonSchema {
  if (typeof schema.$ref !== 'string') return schema;
  return components[schema.$ref.split('/').at(-1) ?? ''] ?? schema;
}

function table(headers: readonly string[], rows: readonly string[]): string {
  return `<table><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>\n${rows.join('\n')}</table>`;
}

function row(cells: readonly string[]): string {
  return `<tr>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`;
}
