import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * System tools that only some tests need. A developer who has only the README's prerequisites
 * (Node and nats-server) still gets a green `npm test`: those tests are skipped with a line saying
 * how to install the tool. In CI (`CI` set) they are never skipped: a missing tool fails them, since
 * `.ci/run` installs every one of these.
 */
const TOOLS = {
  bubblewrap: {
    binaries: ['bwrap'],
    install: 'apt-get install -y bubblewrap',
    why: 'the sandbox of distributed_code_execution',
  },
  chromium: {
    binaries: ['chromium', 'chromium-browser'],
    install: 'apt-get install -y chromium',
    why: 'the dashboard browser test',
  },
  haproxy: { binaries: ['haproxy'], install: 'apt-get install -y haproxy', why: 'the load-balancer tests' },
} as const;
export type OptionalTool = keyof typeof TOOLS;

const SYSTEM_DIRS = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin', '/bin', '/sbin'];

/** Where the tool's binary is (PATH first, then the usual system directories), or undefined. */
export function findTool(tool: OptionalTool, pathVariable: string | undefined = process.env.PATH): string | undefined {
  const dirs = [...(pathVariable ?? '').split(delimiter).filter(Boolean), ...SYSTEM_DIRS];
  for (const binary of TOOLS[tool].binaries) {
    for (const dir of dirs) {
      const candidate = join(dir, binary);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // keep looking
      }
    }
  }
  return undefined;
}

const warned = new Set<OptionalTool>();

/**
 * Whether the tests that need `tool` run here: always in CI, elsewhere only when it is installed
 * (printing once how to install it when it is not). Use as `describe.runIf(runsWith('chromium'))`.
 */
export function runsWith(tool: OptionalTool, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false') return true;
  if (findTool(tool, env.PATH) !== undefined) return true;
  if (!warned.has(tool)) {
    warned.add(tool);
    const { install, why } = TOOLS[tool];
    console.warn(
      `skipping ${why}: ${tool} is not installed (Debian/Ubuntu: ${install}; .ci/run installs it and never skips these)`,
    );
  }
  return false;
}
