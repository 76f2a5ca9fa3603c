import { isValidToolName, Subjects, toolSubject } from '@easyremote/protocol';

/**
 * The `tools.<token>` subjects a node user may subscribe to for a grant (nats/secure): one subject per
 * exact tool name, or `tools.*` as soon as a glob has a `*` — NATS wildcards match whole tokens only,
 * so `image_*` cannot be said to nats-server. The gateway enforces the glob itself either way; the
 * subjects keep a node from even queue-subscribing to tools it was not granted.
 */
export function natsToolSubjects(globs: readonly string[]): string[] {
  if (globs.some((glob) => glob.includes('*') || !isValidToolName(glob))) return [`${Subjects.toolPrefix}.*`];
  return [...new Set(globs.map((name) => toolSubject(name)))].sort();
}
