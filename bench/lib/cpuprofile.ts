/** Reads a V8 .cpuprofile (written by `node --cpu-prof`) and aggregates self time per function. */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FrameCost {
  /** `function (where:line)`. */
  frame: string;
  /** Package or area the frame belongs to (`fastify`, `libs/gateway`, `node:internal`, ...). */
  area: string;
  selfMs: number;
  /** Share of busy time (all samples except idle). */
  percent: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  busyMs: number;
  idleMs: number;
  gcMs: number;
  top: FrameCost[];
  /**
   * Inclusive (self + callees) time of our own functions and the SDK's, i.e. what each step of the
   * request path costs in total; a function that recurses is counted once per sample.
   */
  inclusive: FrameCost[];
  areas: Array<{ area: string; selfMs: number; percent: number }>;
}

/** Areas whose functions get an inclusive-time line: our packages and the MCP SDK. */
function inclusiveWorthy(area: string): boolean {
  return (
    area.startsWith('apps/') ||
    area.startsWith('libs/') ||
    area.startsWith('@modelcontextprotocol/') ||
    area === 'fastify'
  );
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** Where a script URL lives, in words a reader of docs/performance.md recognises. */
export function areaOf(url: string, functionName: string): string {
  if (url === '') return SPECIAL.has(functionName) ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node:internal';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const ours = /\/(apps|libs)\/([^/]+)\//.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  return url;
}

function shortUrl(url: string): string {
  if (url === '') return '';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const ours = /\/((apps|libs)\/.*)$/.exec(url);
  return ours ? (ours[1] as string) : url.replace(/^file:\/\//, '');
}

/** Only samples taken this many ms after the profile started (e.g. the load phase, not the start-up). */
export interface ProfileWindow {
  fromMs: number;
  toMs: number;
}

export function summarizeProfile(file: string, topN = 25, window?: ProfileWindow): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const keyOf = (frame: CallFrame): string => {
    const where = frame.url ? ` (${shortUrl(frame.url)}:${frame.lineNumber + 1})` : '';
    return `${frame.functionName || '(anonymous)'}${where}`;
  };
  const inclusiveUs = new Map<string, { area: string; us: number }>();

  const selfUs = new Map<number, number>();
  // timeDeltas[i] is the time between sample i-1 and sample i; it is charged to sample i.
  let elapsedUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = Math.max(0, profile.timeDeltas[i] ?? 0);
    elapsedUs += delta;
    if (window && (elapsedUs < window.fromMs * 1000 || elapsedUs > window.toMs * 1000)) continue;
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
    if (byId.get(id)?.callFrame.functionName === '(idle)') continue;
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (!frame) break;
      const area = areaOf(frame.url, frame.functionName);
      if (!inclusiveWorthy(area)) continue;
      const key = keyOf(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      const entry = inclusiveUs.get(key) ?? { area, us: 0 };
      entry.us += delta;
      inclusiveUs.set(key, entry);
    }
  }

  const frames = new Map<string, { area: string; us: number }>();
  const areas = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  let gcUs = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    totalUs += us;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    if (frame.functionName === '(garbage collector)') gcUs += us;
    const area = areaOf(frame.url, frame.functionName);
    const key = keyOf(frame);
    const entry = frames.get(key) ?? { area, us: 0 };
    entry.us += us;
    frames.set(key, entry);
    areas.set(area, (areas.get(area) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const pct = (us: number): number => (busyUs > 0 ? (100 * us) / busyUs : 0);
  const top = [...frames.entries()]
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, topN)
    .map(([frame, { area, us }]) => ({ frame, area, selfMs: us / 1000, percent: pct(us) }));
  const inclusive = [...inclusiveUs.entries()]
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, topN)
    .map(([frame, { area, us }]) => ({ frame, area, selfMs: us / 1000, percent: pct(us) }));
  const areaList = [...areas.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([area, us]) => ({ area, selfMs: us / 1000, percent: pct(us) }));
  return {
    file,
    totalMs: totalUs / 1000,
    busyMs: busyUs / 1000,
    idleMs: idleUs / 1000,
    gcMs: gcUs / 1000,
    top,
    inclusive,
    areas: areaList,
  };
}

export function formatProfile(summary: ProfileSummary, topAreas = 12): string {
  const lines = [
    `profile ${summary.file}`,
    `  wall ${summary.totalMs.toFixed(0)} ms, busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms, GC ${summary.gcMs.toFixed(0)} ms (${((100 * summary.gcMs) / Math.max(1, summary.busyMs)).toFixed(1)}% of busy)`,
    '  self time by area (% of busy):',
    ...summary.areas.slice(0, topAreas).map((a) => `    ${a.percent.toFixed(1).padStart(5)}%  ${a.area}`),
    '  top frames by self time (% of busy):',
    ...summary.top.map((f) => `    ${f.percent.toFixed(1).padStart(5)}%  ${f.frame}`),
    '  our code and the SDK, inclusive time (self + callees, % of busy):',
    ...summary.inclusive.map((f) => `    ${f.percent.toFixed(1).padStart(5)}%  ${f.frame}`),
  ];
  return lines.join('\n');
}
