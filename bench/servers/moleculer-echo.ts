/**
 * Baseline 3's responder: a Moleculer broker with an `echo` service over Moleculer's NATS
 * transporter (same nats-server as ours). Default broker settings, logging off.
 * Usage: node bench/servers/moleculer-echo.ts <nats-url>
 */
import { ServiceBroker } from 'moleculer';

const [natsUrl = 'nats://127.0.0.1:4222'] = process.argv.slice(2);
const broker = new ServiceBroker({
  nodeID: 'bench-moleculer-echo',
  transporter: { type: 'NATS', options: { url: natsUrl } },
  logger: false,
});

broker.createService({
  name: 'echo',
  actions: {
    echo(ctx: { params: { text: string } }) {
      return { text: ctx.params.text };
    },
  },
});
await broker.start();
process.stdout.write(`${JSON.stringify({ msg: 'bench ready' })}\n`);

const stop = (): void => void broker.stop().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
