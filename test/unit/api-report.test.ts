// The public surface is chosen and reviewed like code: docs/api.md lists every exported name per
// subpath, and this test fails when the code and the committed list disagree.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
// @ts-expect-error -- a plain ESM script without type declarations
import { apiReport, REPORT_PATH } from '../../scripts/api-report.mjs';

it('docs/api.md lists exactly what the subpaths export (regenerate with `npm run api:report`)', () => {
  const committed = readFileSync(REPORT_PATH as string, 'utf8');
  expect((apiReport as () => string)(), 'the public API changed: run `npm run api:report` and review docs/api.md').toBe(committed);
}, 60_000);
