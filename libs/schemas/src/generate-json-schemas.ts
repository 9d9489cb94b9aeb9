// Writes libs/schemas/json-schema/*.schema.json from the zod schemas (npm run schemas:generate).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderJsonSchemas } from './json-schemas';

const outDir = join(__dirname, '..', 'json-schema');
mkdirSync(outDir, { recursive: true });
for (const stale of readdirSync(outDir).filter((f) => f.endsWith('.schema.json'))) rmSync(join(outDir, stale));
for (const [file, text] of Object.entries(renderJsonSchemas())) writeFileSync(join(outDir, file), text);
process.stdout.write(`wrote ${Object.keys(renderJsonSchemas()).length} JSON Schema files to ${outDir}\n`);
