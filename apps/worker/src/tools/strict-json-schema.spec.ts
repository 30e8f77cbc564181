import type { AssistantTool } from './assistant-tool';
import { DEFAULT_CONTACT_TOOLS_OPTIONS } from './contact-tool-settings';
import { TOOL_CLASSES } from './tool-registry.service';
import { UpdateContactTool } from './update-contact.tool';
import { strictJsonSchema } from './strict-json-schema';

// The schemas need no collaborators: every tool is built with none (only contact options).
const tools = TOOL_CLASSES.map(
  (Tool) => new (Tool as unknown as new (...args: unknown[]) => AssistantTool)(null, DEFAULT_CONTACT_TOOLS_OPTIONS),
);

/** Every object node of a JSON Schema, with its path. */
function objects(node: unknown, path = '$'): [string, Record<string, unknown>][] {
  if (node === null || typeof node !== 'object') return [];
  const here: [string, Record<string, unknown>][] =
    (node as { type?: unknown }).type === 'object' ? [[path, node as Record<string, unknown>]] : [];
  return [...here, ...Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => objects(v, `${path}.${k}`))];
}

describe('strictJsonSchema (what the model sees, generated from each tool’s zod schema)', () => {
  it.each(tools.map((t) => [t.name, t] as const))('%s: every object closed, every property required', (_n, tool) => {
    const schema = strictJsonSchema(tool.schema);
    expect(schema.type).toBe('object');
    for (const [path, node] of objects(schema)) {
      expect({ path, additionalProperties: node.additionalProperties }).toEqual({ path, additionalProperties: false });
      expect({ path, required: node.required }).toEqual({ path, required: Object.keys(node.properties as object) });
    }
    const text = JSON.stringify(schema);
    for (const dropped of ['$schema', 'maxLength', 'minLength', 'propertyNames']) expect(text).not.toContain(dropped);
  });

  it('keeps types, nullability, enums and descriptions', () => {
    const get = tools.find((t) => t.name === 'get_company')!;
    expect(strictJsonSchema(get.schema)).toMatchObject({
      properties: {
        cui: { type: 'string', description: 'The CUI (fiscal code), with or without the RO prefix' },
        fields: {
          anyOf: [
            { type: 'array', items: { type: 'string', enum: expect.arrayContaining(['Name', 'NACE']) } },
            { type: 'null' },
          ],
          description: 'Fields to return, or null for the default set',
        },
      },
    });
  });

  it('update_contact lists exactly the configured properties, each nullable', () => {
    const tool = new UpdateContactTool(null!, {
      ...DEFAULT_CONTACT_TOOLS_OPTIONS,
      updatableProperties: ['phone', 'city'],
    });
    const properties = (strictJsonSchema(tool.schema).properties as Record<string, { properties: object }>).properties;
    expect(properties).toEqual({
      type: 'object',
      properties: {
        phone: { type: ['string', 'null'], description: 'New phone, or null' },
        city: { type: ['string', 'null'], description: 'New city, or null' },
      },
      required: ['phone', 'city'],
      additionalProperties: false,
    });
    // What the model sends is checked by the same schema; names outside the list reach the tool's
    // own check (refused by name there), values are bounded here.
    expect(tool.schema.safeParse({ id: null, email: null, properties: { city: 'x'.repeat(1001) } }).success).toBe(
      false,
    );
  });
});
