// Writes the page's types of the REST API from docs/openapi.yaml (which the
// Rust code generates) with openapi-typescript: `npm run generate:api`
// writes src/api-schema.ts, `npm run generate:api -- FILE` writes FILE
// instead, which is how scripts/test checks that the committed file is
// current. The output depends on nothing but the document and the pinned
// openapi-typescript, so that check can be an exact comparison.

import { writeFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';

const SOURCE = new URL('../../docs/openapi.yaml', import.meta.url);
const OUTPUT = process.argv[2] ?? new URL('../src/api-schema.ts', import.meta.url);
const HEADER = `// Generated from docs/openapi.yaml by openapi-typescript; do not edit.
// Regenerate with \`npm run generate:api\` in web/ whenever the document changes.

`;

await writeFile(OUTPUT, HEADER + astToString(await openapiTS(SOURCE)));
