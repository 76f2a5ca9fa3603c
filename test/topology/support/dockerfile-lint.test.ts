import { describe, expect, it } from 'vitest';
import { lintDockerfile } from './dockerfile-lint.js';

// The linter itself, on small Dockerfiles: it must refuse what deploy/Dockerfile must never do.
describe('lintDockerfile', () => {
  const good = [
    'FROM node:24-slim AS build',
    'COPY . .',
    'RUN npm ci && npm run build \\',
    ' && npm prune --omit=dev',
    'FROM node:24-slim AS runtime',
    'COPY --from=build /out/ ./',
    'USER node',
    'FROM runtime AS final',
    'CMD ["gateway"]',
  ].join('\n');

  it('accepts a multi-stage, non-root, production-only image (USER inherited from the parent stage)', () => {
    expect(lintDockerfile(good)).toEqual([]);
  });

  it('refuses a single stage, root, dev dependencies and sources in the runtime image', () => {
    expect(lintDockerfile('FROM node:24\nCOPY . .\nRUN npm ci\nCMD ["x"]')).toEqual([
      'not multi-stage: build and runtime must be separate stages',
      'the final stage runs as root',
      'stage 0 copies sources from the context: COPY . .',
      'stage 0 installs dev dependencies: RUN npm ci',
    ]);
    expect(lintDockerfile(good.replace('USER node', 'USER root'))).toContain('the final stage runs as root');
    expect(lintDockerfile(good.replace(' && npm prune --omit=dev', ''))).toContain(
      'the build stage never drops dev dependencies (npm prune --omit=dev)',
    );
  });
});
