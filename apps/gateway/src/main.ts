import { runGateway } from '@easyremote/gateway';
import { onShutdown, runMain } from '@easyremote/runtime';

// The gateway process: every setting comes from the environment (`easyremote help gateway` lists
// them); SIGINT or SIGTERM stops it after the calls in flight.
runMain('easyremote-gateway', async () => {
  const running = await runGateway(process.env);
  onShutdown(() => running.close(), running.log);
});
