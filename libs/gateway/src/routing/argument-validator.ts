import type { ToolDescriptor } from '@easyremote/protocol';
import Schema from 'typebox/schema';
import { withDefaults } from './schema-defaults.js';
import { withLinearPatterns } from './schema-guard.js';

type Check = (args: unknown) => string | undefined;

/**
 * Validates call arguments against each tool's JSON Schema at the gateway, before anything crosses
 * the mesh. Validators are compiled once per descriptor object (the registry view keeps descriptor
 * identity stable across heartbeats) and never per call.
 */
export class ArgumentValidator {
  readonly #cache = new WeakMap<ToolDescriptor, Check>();

  /** A readable list of violations ("/text: must be string"), or undefined when the arguments are valid. */
  check(descriptor: ToolDescriptor, args: unknown): string | undefined {
    let check = this.#cache.get(descriptor);
    if (!check) {
      check = compile(descriptor.inputSchema);
      this.#cache.set(descriptor, check);
    }
    return check(args);
  }
}

function compile(schema: Record<string, unknown>): Check {
  let validator: ReturnType<typeof Schema.Compile>;
  try {
    // Patterns match on RE2: an advertised schema never makes the gateway backtrack.
    validator = Schema.Compile(withLinearPatterns(schema) as Parameters<typeof Schema.Compile>[0]);
  } catch {
    // A schema this gateway cannot compile is still enforced by the node that declared it.
    return () => undefined;
  }
  const hasDefaults = JSON.stringify(schema).includes('"default"');
  return (input) => {
    const args = hasDefaults ? withDefaults(schema, input) : input;
    if (validator.Check(args)) return undefined;
    const [, errors] = validator.Errors(args);
    const lines = errors.slice(0, 8).map((error) => `${error.instancePath || '/'}: ${error.message}`);
    return lines.length > 0 ? lines.join('; ') : 'arguments do not match the input schema';
  };
}
