import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderingOf } from '@easyremote/gateway';

// Every `REST <status>` that docs/errors.md states for a gateway or node wire code is the status the
// gateway's error table gives that code: the docs cannot promise a status the table does not send.

const markdown = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

function statedStatuses(): { code: string; status: number; line: number }[] {
  const stated: { code: string; status: number; line: number }[] = [];
  markdown.split('\n').forEach((text, index) => {
    const code = /^\| `((?:GW|NODE)_ERR_[A-Z_]+)` \|/.exec(text)?.[1];
    if (code === undefined) return;
    for (const [, status] of text.matchAll(/REST (\d{3})/g))
      stated.push({ code, status: Number(status), line: index + 1 });
  });
  return stated;
}

describe('docs/errors.md and the error table', () => {
  it('states REST statuses for the codes callers see', () => {
    expect(statedStatuses().length).toBeGreaterThan(25);
  });

  it('states, for each code, the HTTP status the table gives it', () => {
    const wrong = statedStatuses()
      .filter(({ code, status }) => renderingOf(code).http !== status)
      .map(
        ({ code, status, line }) =>
          `docs/errors.md:${line} ${code}: docs say REST ${status}, the table ${renderingOf(code).http}`,
      );
    expect(wrong).toEqual([]);
  });
});
