/**
 * The floor's node side: a raw nats.js subscriber that answers echo calls. No SDK, no validation,
 * no envelope checks — the least a responder can do and still be a responder.
 * Usage: node bench/servers/floor-responder.ts <nats-url> <subject>
 */
import { connect } from '@nats-io/transport-node';

const [natsUrl = 'nats://127.0.0.1:4222', subject = 'bench.floor.echo'] = process.argv.slice(2);
const nc = await connect({ servers: natsUrl, name: 'bench-floor-responder' });
const encoder = new TextEncoder();

nc.subscribe(subject, {
  queue: 'bench-floor',
  callback: (error, msg) => {
    if (error) return;
    const call = msg.json<{ arguments?: { text?: unknown } }>();
    const text = String(call.arguments?.text ?? '');
    const result = { content: [{ type: 'text', text }], structuredContent: { text } };
    msg.respond(encoder.encode(JSON.stringify(result)));
  },
});
await nc.flush();
process.stdout.write(`${JSON.stringify({ msg: 'bench ready', subject })}\n`);

const stop = (): void => void nc.drain().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
