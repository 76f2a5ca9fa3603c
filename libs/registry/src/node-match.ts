import type { NodeAdvert, NodeCapabilities, PlacementConstraints, ToolRequirements } from '@easyremote/protocol';

/**
 * Why a node cannot run a call, or undefined when it can: the tool's requirements (GPU, memory, CPUs,
 * model, labels) against the node's advertised capabilities, then the call's own constraints (node,
 * labels, and its own `requirements`, judged like the tool's).
 * Pure, so every gateway replica decides the same way for the same registry.
 */
export function placementMismatch(
  advert: NodeAdvert,
  requirements: ToolRequirements | undefined,
  args: Readonly<Record<string, unknown>>,
  constraints: PlacementConstraints | undefined,
): string | undefined {
  const caps = advert.capabilities;
  if (requirements !== undefined) {
    const problem = requirementMismatch(caps, requirements, args);
    if (problem !== undefined) return problem;
  }
  if (constraints !== undefined) {
    if (constraints.nodeId !== undefined && constraints.nodeId !== advert.nodeId) return 'not the requested node';
    const labelProblem = labelMismatch(caps.labels, constraints.labels);
    if (labelProblem !== undefined) return labelProblem;
    // The call's own requirements are judged exactly like the tool's.
    if (constraints.requirements !== undefined) {
      const problem = requirementMismatch(caps, constraints.requirements, args);
      if (problem !== undefined) return `${problem} (the call's requirements)`;
    }
  }
  return undefined;
}

function requirementMismatch(
  caps: NodeCapabilities,
  requirements: ToolRequirements,
  args: Readonly<Record<string, unknown>>,
): string | undefined {
  const gpus = caps.gpus ?? [];
  const { gpu } = requirements;
  if (gpu === true && gpus.length === 0) return 'no GPU';
  if (typeof gpu === 'object') {
    const fitting = gpus.filter((g) => g.memoryBytes >= (gpu.memoryBytes ?? 0)).length;
    if (fitting < (gpu.count ?? 1)) return `fewer than ${gpu.count ?? 1} GPU(s) with ${gpu.memoryBytes ?? 0} bytes`;
  }
  if (requirements.memoryBytes !== undefined && caps.memoryBytes < requirements.memoryBytes)
    return `memory ${caps.memoryBytes} < ${requirements.memoryBytes}`;
  if (requirements.cpus !== undefined && caps.cpus < requirements.cpus)
    return `cpus ${caps.cpus} < ${requirements.cpus}`;
  const models = caps.models ?? [];
  if (requirements.model !== undefined && !models.includes(requirements.model))
    return `does not serve model ${requirements.model}`;
  if (requirements.modelArgument !== undefined) {
    const wanted = args[requirements.modelArgument];
    if (typeof wanted === 'string' && wanted !== '' && !models.includes(wanted))
      return `does not serve model ${wanted}`;
  }
  return labelMismatch(caps.labels, requirements.labels);
}

function labelMismatch(
  labels: Readonly<Record<string, string>>,
  wanted: Readonly<Record<string, string>> | undefined,
): string | undefined {
  if (wanted === undefined) return undefined;
  for (const [key, value] of Object.entries(wanted)) {
    if (labels[key] !== value) return `label ${key}=${value} missing`;
  }
  return undefined;
}

/** Free concurrency slots by the advert alone (the gateway adds its own in-flight counts). */
export function advertisedFreeSlots(advert: NodeAdvert): number {
  return Math.max(0, advert.load.maxConcurrency - advert.load.inFlight);
}
