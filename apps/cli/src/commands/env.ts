import { MeshError, MeshErrorCode } from '@easyremote/mesh';
import { devStatePath, readDevState } from '../dev-state.js';

export const envHelp = `easyremote env

Prints shell exports for the running \`easyremote dev\` (from its state file): KEY and EASYREMOTE_API_KEY
(its API key), EASYREMOTE_GATEWAY_URL and EASYREMOTE_DATA_DIR (where local dataset_path files go).
Use it as: eval "$(npx easyremote env)". Fails with MESH_ERR_NO_MESH when no easyremote dev is running.
`;

const quote = (value: string) => `'${value.replaceAll("'", "'\\\\''")}'`;

export function runEnv(env: Readonly<Record<string, string | undefined>> = process.env): void {
  const path = devStatePath(env);
  const state = readDevState(path);
  if (state === undefined)
    throw new MeshError(
      MeshErrorCode.NoMesh,
      `no easyremote dev is running (no state file at ${path}): start one with \`npm start\``,
    );
  const exports: Array<[string, string]> = [
    ...(state.apiKey
      ? ([
          ['KEY', state.apiKey],
          ['EASYREMOTE_API_KEY', state.apiKey],
        ] as Array<[string, string]>)
      : []),
    ['EASYREMOTE_GATEWAY_URL', state.gatewayUrl],
    ['EASYREMOTE_DATA_DIR', state.dataDir],
  ];
  process.stdout.write(exports.map(([name, value]) => `export ${name}=${quote(value)}\n`).join(''));
}
