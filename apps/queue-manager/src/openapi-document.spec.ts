import { readFileSync } from 'node:fs';
import { renderOpenApiDocument } from '@streamforge/queue-api';
import { version } from '../package.json';
import { OPENAPI_FILE } from './generate-openapi';

describe('docs/openapi.json', () => {
  it('is the document queue-manager serves (run `npm run openapi:generate` when this fails)', async () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(await renderOpenApiDocument(version));
  });
});
