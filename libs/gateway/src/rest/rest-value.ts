/** Without structured content, a single text block is returned as its text; anything else as the blocks. */
export function restValue(content: readonly Record<string, unknown>[]): unknown {
  const [only] = content;
  if (content.length === 1 && only?.type === 'text') return only.text;
  return content;
}
