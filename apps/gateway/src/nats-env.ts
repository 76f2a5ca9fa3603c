// The NATS_* reading moved to @easyremote/mesh, so the CLI's one-shot commands and the node runner use
// it without the gateway; these names stay exported from the gateway for existing callers.
export { hasNatsCredentials, natsClientOptionsFromEnv } from '@easyremote/mesh';
export type { NatsClientOptions } from '@easyremote/mesh';
