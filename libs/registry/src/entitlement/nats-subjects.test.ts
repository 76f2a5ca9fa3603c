import { describe, expect, it } from 'vitest';
import { natsToolSubjects } from './nats-subjects.js';

describe('natsToolSubjects', () => {
  it('names each granted tool’s subject (dots become ~), sorted and once each', () => {
    expect(natsToolSubjects(['image.resize', 'echo', 'echo'])).toEqual(['tools.echo', 'tools.image~resize']);
  });

  it('falls back to tools.* for a glob, which NATS cannot express', () => {
    expect(natsToolSubjects(['echo', 'image_*'])).toEqual(['tools.*']);
  });
});
