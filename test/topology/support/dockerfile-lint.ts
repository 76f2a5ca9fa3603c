/** One Dockerfile instruction, continuation lines joined. */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  /** `AS` name, or the index when unnamed. */
  name: string;
  /** The image or earlier stage it starts from. */
  from: string;
  instructions: Instruction[];
}

/** Splits a Dockerfile into stages (comments and parser directives dropped, `\` continuations joined). */
export function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // a comment inside a continued instruction
    pending += `${line.replace(/\\$/, '').trim()} `;
    if (line.endsWith('\\')) continue;
    const [keyword = '', ...rest] = pending.trim().split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' ') });
    pending = '';
  }
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = instruction.args.split(/\s+/);
      stages.push({ name: as?.toUpperCase() === 'AS' && name ? name : String(stages.length), from, instructions: [] });
    } else if (stages.length === 0) {
      args.push(instruction);
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** The user a stage runs as: its last USER, else its parent stage's, else root (the image default). */
export function effectiveUser(stages: readonly Stage[], stage: Stage): string {
  const own = stage.instructions.filter((instruction) => instruction.keyword === 'USER').at(-1);
  if (own) return own.args;
  const parent = stages.find((candidate) => candidate.name === stage.from);
  return parent ? effectiveUser(stages, parent) : 'root';
}

/** Stages a stage descends from (itself first). */
export function lineage(stages: readonly Stage[], stage: Stage): Stage[] {
  const parent = stages.find((candidate) => candidate.name === stage.from);
  return parent ? [stage, ...lineage(stages, parent)] : [stage];
}

/** The problems the deploy test refuses in a Dockerfile meant to ship a small, unprivileged image. */
export function lintDockerfile(text: string): string[] {
  const { stages } = parseDockerfile(text);
  const problems: string[] = [];
  if (stages.length < 2) problems.push('not multi-stage: build and runtime must be separate stages');
  const final = stages.at(-1);
  if (final === undefined) return [...problems, 'no FROM'];
  const runtime = lineage(stages, final);
  const user = effectiveUser(stages, final);
  if (/^(root|0)(:|$)/.test(user)) problems.push(`the final stage runs as ${user}`);
  for (const stage of runtime) {
    for (const { keyword, args } of stage.instructions) {
      if (keyword === 'RUN' && /\bnpm (ci|install|i)\b/.test(args) && !/--omit=dev|--production/.test(args)) {
        problems.push(`stage ${stage.name} installs dev dependencies: RUN ${args}`);
      }
      if (keyword === 'COPY' && !/--from=/.test(args) && /(^|\s)(\.|\.\/|libs\/?|apps\/?)\s/.test(`${args} `)) {
        problems.push(`stage ${stage.name} copies sources from the context: COPY ${args}`);
      }
    }
  }
  const build = stages.find((stage) => !runtime.includes(stage));
  if (
    build &&
    !build.instructions.some(
      ({ keyword, args }) => keyword === 'RUN' && /npm prune --omit=dev|npm ci --omit=dev/.test(args),
    )
  ) {
    problems.push('the build stage never drops dev dependencies (npm prune --omit=dev)');
  }
  return problems;
}
