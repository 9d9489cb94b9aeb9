import { z } from 'zod';
import { messageCatalog } from './message-catalog';

/** Renders every catalogued message as a JSON Schema (draft 2020-12) document, keyed by file name. */
export function renderJsonSchemas(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const [name, schema] of Object.entries(messageCatalog)) {
    const document = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' });
    files[`${name}.schema.json`] = `${JSON.stringify({ $id: `https://streamforge.dev/schemas/${name}.schema.json`, ...document }, null, 2)}\n`;
  }
  return files;
}
