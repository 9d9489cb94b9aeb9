/**
 * fast-check arbitraries of the values a JSON Schema (OpenAPI 3.1) allows, for the contract test.
 * Only the keywords our document uses are known: any other keyword that constrains a value throws,
 * so a new constraint cannot slip past the test unchecked.
 */
import fc from 'fast-check';

export type JsonSchema = Record<string, unknown>;

/** Keywords that say nothing about which values are valid. */
const ANNOTATIONS = new Set(['description', 'title', 'examples', 'example', 'default', 'deprecated', 'readOnly', 'writeOnly', '$schema']);
const KNOWN = new Set([
  'type', 'enum', 'const', 'pattern', 'minLength', 'maxLength', 'minimum', 'maximum', 'items', 'minItems', 'maxItems',
  'properties', 'required', 'additionalProperties', 'anyOf', 'oneOf',
]);

function checkKeywords(schema: JsonSchema): void {
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key) && !ANNOTATIONS.has(key) && !key.startsWith('x-')) throw new Error(`the contract test's generator does not know the JSON Schema keyword "${key}" (in ${JSON.stringify(schema).slice(0, 200)})`);
  }
}

/** Values `schema` accepts (valid by construction for every keyword in KNOWN), examples among them. */
export function valueOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  checkKeywords(schema);
  const generated = generatedValueOf(schema);
  const examples = Array.isArray(schema.examples) ? (schema.examples as unknown[]) : [];
  return examples.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...examples), weight: 1 }, { arbitrary: generated, weight: 2 }) : generated;
}

function generatedValueOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives) return fc.oneof(...alternatives.map(valueOf));
  switch (schema.type) {
    case 'string':
      return stringOf(schema);
    case 'integer':
      return fc.integer({ min: (schema.minimum as number | undefined) ?? -1_000_000, max: (schema.maximum as number | undefined) ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum as number | undefined, max: schema.maximum as number | undefined, noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(valueOf((schema.items ?? {}) as JsonSchema), { minLength: (schema.minItems as number | undefined) ?? 0, maxLength: Math.min((schema.maxItems as number | undefined) ?? 3, 3) });
    case 'object':
      return objectOf(schema);
    default:
      throw new Error(`the contract test's generator needs a type (got ${JSON.stringify(schema).slice(0, 200)})`);
  }
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = (schema.maxLength as number | undefined) ?? 60;
  const fits = (text: string) => [...text].length >= minLength && [...text].length <= maxLength;
  if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  return fc.string({ minLength, maxLength: Math.min(maxLength, 60), unit: 'grapheme' });
}

function objectOf(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema.required ?? []) as string[];
  if (schema.additionalProperties !== false && schema.additionalProperties !== undefined) {
    // A map (e.g. z.record): a few entries of its value schema.
    return fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), valueOf(schema.additionalProperties as JsonSchema), { maxKeys: 3 });
  }
  return fc.record(Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, valueOf(property)])), { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
}

/**
 * A value that may break `schema` anywhere: the value at one path replaced by arbitrary JSON, a
 * property dropped or an unknown one added, or arbitrary JSON instead of the whole. Whether it is
 * still valid is for the validator to say, never assumed.
 */
export function mutatedValueOf(schema: JsonSchema): fc.Arbitrary<unknown> {
  const anyJson = fc.jsonValue({ maxDepth: 2 });
  return fc.oneof(
    { arbitrary: anyJson, weight: 1 },
    { arbitrary: fc.tuple(valueOf(schema), fc.nat(), anyJson).map(([value, at, replacement]) => replaceAt(value, at, replacement)), weight: 3 },
    { arbitrary: fc.tuple(valueOf(schema), fc.nat()).map(([value, at]) => dropAt(value, at)), weight: 1 },
    { arbitrary: fc.tuple(valueOf(schema), fc.nat(), fc.string({ minLength: 1, maxLength: 8 })).map(([value, at, key]) => addAt(value, at, key)), weight: 1 },
  );
}

/** Every object or array inside `value` (itself first), to pick one by index. */
function containers(value: unknown, into: Array<Record<string, unknown> | unknown[]> = []): Array<Record<string, unknown> | unknown[]> {
  if (value !== null && typeof value === 'object') {
    into.push(value as Record<string, unknown>);
    for (const child of Object.values(value)) containers(child, into);
  }
  return into;
}

function replaceAt(value: unknown, at: number, replacement: unknown): unknown {
  const copy = structuredClone(value);
  const all = containers(copy);
  if (all.length === 0) return replacement;
  const target = all[at % all.length] as Record<string, unknown>;
  const keys = Object.keys(target);
  if (keys.length === 0) return replacement;
  target[keys[at % keys.length] as string] = replacement;
  return copy;
}

function dropAt(value: unknown, at: number): unknown {
  const copy = structuredClone(value);
  const objects = containers(copy).filter((c) => !Array.isArray(c)) as Array<Record<string, unknown>>;
  const target = objects[at % Math.max(objects.length, 1)];
  const keys = target ? Object.keys(target) : [];
  if (target && keys.length > 0) delete target[keys[at % keys.length] as string];
  return copy;
}

function addAt(value: unknown, at: number, key: string): unknown {
  const copy = structuredClone(value);
  const objects = containers(copy).filter((c) => !Array.isArray(c)) as Array<Record<string, unknown>>;
  const target = objects[at % Math.max(objects.length, 1)];
  if (target) target[`zz_${key}`] = 1;
  return copy;
}
