import { connectCommand } from '../mesh-target.js';
import { uploadDataSet } from '@easyremote/toolbox';

export const dataHelp = `easyremote data put <file> [--id <id>] [--nats <url>]

Uploads a CSV or JSON Lines file into the mesh's object store. It becomes the resource
easyremote://data/<id> (the file name by default), readable through any gateway and usable as
parallel_data_processing's dataset_path. Environment: NATS_URL, and the gateway's NATS credentials and
TLS (NATS_USER/NATS_PASSWORD, NATS_TOKEN, NATS_CREDS, NATS_CA, NATS_CERT/NATS_KEY, NATS_INBOX_PREFIX).
`;

export async function runData(args: readonly string[], options: { id?: string; nats?: string }): Promise<void> {
  const [verb, file] = args;
  if (verb !== 'put' || file === undefined) throw new Error(`usage:\n\n${dataHelp}`);
  const nc = await connectCommand('data', options.nats !== undefined ? { servers: options.nats } : {});
  try {
    const uploaded = await uploadDataSet(nc, file, options.id !== undefined ? { id: options.id } : {});
    process.stdout.write(`${uploaded.uri} (${uploaded.size} bytes, ${uploaded.digest})\n`);
  } finally {
    await nc.drain();
  }
}
