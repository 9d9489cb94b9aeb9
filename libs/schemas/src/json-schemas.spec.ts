import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJsonSchemas } from './json-schemas';

describe('committed JSON Schema files', () => {
  const dir = join(__dirname, '..', 'json-schema');
  const rendered = renderJsonSchemas();

  it('match what the zod schemas render now (run `npm run schemas:generate` when this fails)', () => {
    const committed = readdirSync(dir).filter((f) => f.endsWith('.schema.json')).sort();
    expect(committed).toEqual(Object.keys(rendered).sort());
    for (const [file, text] of Object.entries(rendered)) {
      expect({ file, text: readFileSync(join(dir, file), 'utf8') }).toEqual({ file, text });
    }
  });

  it('declare draft 2020-12', () => {
    for (const text of Object.values(rendered)) {
      expect(JSON.parse(text).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });
});
