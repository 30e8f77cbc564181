import { z } from 'zod';

/** Keywords the strict function-calling subset does not take: validation stays with zod. */
const DROPPED = new Set(['$schema', 'minLength', 'maxLength', 'propertyNames', 'default']);

/**
 * The JSON Schema a model sees for a tool's zod schema, in the strict subset: every object closed
 * (`additionalProperties: false`) with every property required (optional values are nullable in
 * the zod schema). Limits such as lengths are enforced by zod when the call arrives.
 */
export function strictJsonSchema(schema: z.ZodObject): Record<string, unknown> {
  return clean(z.toJSONSchema(schema, { io: 'input', target: 'draft-7' })) as Record<string, unknown>;
}

function clean(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(clean);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (!DROPPED.has(key)) out[key] = clean(value);
  }
  collapseNullable(out);
  if (out.type === 'object' && out.properties) {
    out.required = Object.keys(out.properties);
    out.additionalProperties = false;
  }
  return out;
}

/** `anyOf: [{type: 'string'}, {type: 'null'}]` → `type: ['string', 'null']`: the same, in fewer tokens. */
function collapseNullable(node: Record<string, unknown>): void {
  const options = node.anyOf;
  if (!Array.isArray(options) || options.length !== 2) return;
  const [value, none] = (options as Record<string, unknown>[]).sort((a) => (a.type === 'null' ? 1 : -1));
  if (none.type !== 'null' || Object.keys(none).length !== 1) return;
  if (typeof value.type !== 'string' || Object.keys(value).some((k) => k !== 'type')) return;
  delete node.anyOf;
  node.type = [value.type, 'null'];
}
