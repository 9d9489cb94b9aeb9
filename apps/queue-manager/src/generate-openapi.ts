// Writes docs/openapi.json from the running API's definition (npm run openapi:generate).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderOpenApiDocument } from '@streamforge/queue-api';
import { version } from '../package.json';

export const OPENAPI_FILE = join(__dirname, '..', '..', '..', 'docs', 'openapi.json');

if (require.main === module) {
  void renderOpenApiDocument(version).then((text) => {
    writeFileSync(OPENAPI_FILE, text);
    process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
  });
}
