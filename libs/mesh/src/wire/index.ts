// Every dependence of the mesh on nats.js internals, switched on only by enableWireDeviations.
export { enableWireDeviations, logWireDeviations } from './wire-deviations.js';
export type { WireDeviationReport } from './wire-deviations.js';
export { PINNED_NATS_VERSION } from './wire-deviations.js';
