import { describe, expect, it } from 'vitest';
import { namesAnotherCall } from './invoke-tool.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('namesAnotherCall', () => {
  it("tells a CallReply for another call from this call's own", () => {
    expect(namesAnotherCall(bytes('{"callId":"c-1","node":"n","response":{"ok":true}}'), 'c-1')).toBe(false);
    expect(namesAnotherCall(bytes('{"callId":"c-2","node":"n","response":{"ok":true}}'), 'c-1')).toBe(true);
    expect(namesAnotherCall(bytes('{"callId":"c-10","node":"n","response":{"ok":true}}'), 'c-1')).toBe(true);
    expect(namesAnotherCall(bytes('{"callId":"c","node":"n"}'), 'c-1')).toBe(true);
  });

  it("judges only what it can read exactly: other layouts, bare responses and ids past a JSON escape count as this call's", () => {
    expect(namesAnotherCall(bytes('{"ok":true,"result":{"content":[]}}'), 'c-1')).toBe(false);
    expect(namesAnotherCall(bytes('{"node":"n","callId":"c-2","response":{"ok":true}}'), 'c-1')).toBe(false);
    expect(namesAnotherCall(bytes('{"callId":"a\\"b","node":"n"}'), 'a"b')).toBe(false);
    expect(namesAnotherCall(bytes('{"callId":"x\\"y","node":"n"}'), 'a"b')).toBe(true);
    expect(namesAnotherCall(bytes('{"callId":"é","node":"n"}'), 'ü')).toBe(false);
  });
});
