import { runNode } from '@easyremote/node-runner';
import { onShutdown, runMain } from '@easyremote/runtime';
import * as toolbox from '@easyremote/toolbox';

// A compute node serving the toolbox: node settings (NATS_URL, EASYREMOTE_NODE_*) and the toolbox's
// own (EASYREMOTE_LLM_*, EASYREMOTE_SANDBOX_*, ...) come from the environment.
runMain('easyremote-toolbox', async () => {
  const running = await runNode({ modules: [toolbox], env: process.env, cwd: process.cwd() });
  onShutdown(() => running.close(), running.log);
});
