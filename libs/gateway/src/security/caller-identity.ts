import type { AccessPolicy } from '@easyremote/auth';
import type { CallerIdentity } from '@easyremote/protocol';

/** The principal the call goes out under when authentication is off. */
export const ANONYMOUS_PRINCIPAL = 'anonymous';

/**
 * Who a call is for, as it travels to the node (`CallRequest.caller`, `ctx.caller`): the
 * authenticated principal and the scopes of its policy, or, with authentication off, `anonymous`
 * with the open policy's scopes (`admin`) that the route's access hook set. No policy at all (the
 * hook did not run) sends no scopes. The scopes are the policy's frozen array, so building one
 * costs one small object per call.
 */
export function callerIdentity(principal: string | undefined, access: AccessPolicy | undefined): CallerIdentity {
  return { principal: principal ?? ANONYMOUS_PRINCIPAL, scopes: (access?.scopes ?? []) as string[] };
}
