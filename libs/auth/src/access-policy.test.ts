import { describe, expect, it } from 'vitest';
import { AccessPolicy } from './access-policy.js';

describe('AccessPolicy', () => {
  it('tools:call covers every tool below security level high; tools:high lifts that', () => {
    const caller = new AccessPolicy(['tools:call']);
    expect(caller.mayCallTool({ name: 'echo' })).toBe(true);
    expect(caller.mayCallTool({ name: 'wipe', securityLevel: 'high' })).toBe(false);
    expect(new AccessPolicy(['tools:call', 'tools:high']).mayCallTool({ name: 'wipe', securityLevel: 'high' })).toBe(
      true,
    );
    expect(caller.mayListTools).toBe(false);
  });

  it('name globs and categories narrow what may be called', () => {
    const policy = new AccessPolicy(['tools:list', 'tools:call:image_*', 'category:reports']);
    expect(policy.mayCallTool({ name: 'image_resize' })).toBe(true);
    expect(policy.mayCallTool({ name: 'imagex' })).toBe(false);
    expect(policy.mayCallTool({ name: 'weekly', category: 'reports' })).toBe(true);
    expect(policy.mayCallTool({ name: 'weekly', category: 'ops' })).toBe(false);
    expect(policy.mayCallTool({ name: 'fixture.add' })).toBe(false);
    // A dot in a pattern is literal, not "any character".
    expect(new AccessPolicy(['tools:call:fixture.add']).mayCallTool({ name: 'fixtureXadd' })).toBe(false);
  });

  it('resources and prompts have their own scopes; admin has everything', () => {
    const reader = new AccessPolicy(['resources:read:easyremote://compute/*']);
    expect(reader.mayReadResource('easyremote://compute/gpu-1')).toBe(true);
    expect(reader.mayReadResource('easyremote://data/secret')).toBe(false);
    expect(reader.mayUsePrompts).toBe(false);
    const admin = new AccessPolicy(['admin']);
    expect(
      admin.mayCallTool({ name: 'wipe', securityLevel: 'high' }) &&
        admin.mayReadResource('x') &&
        admin.mayGetPrompt('p') &&
        admin.has('admin'),
    ).toBe(true);
  });
});
