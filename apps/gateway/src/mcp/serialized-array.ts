/**
 * An array whose JSON text is computed once and then reused by every answer that carries it: a
 * `tools/list` page is the same for every caller until the registry changes, and serialising 500
 * tools on each request was the tail of the listing latency (docs/performance.md). `resultMessage`
 * splices `text` into the response; anything else sees `items` (or `toJSON`).
 */
export class SerializedArray<T> {
  readonly items: readonly T[];
  #text: string | undefined;

  constructor(items: readonly T[]) {
    this.items = items;
  }

  get text(): string {
    this.#text ??= JSON.stringify(this.items);
    return this.#text;
  }

  toJSON(): readonly T[] {
    return this.items;
  }
}
