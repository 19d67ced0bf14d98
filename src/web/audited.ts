import type { AuditLog } from '../audit/audit-log.js';
import { isNxfError } from '../errors.js';
import type { AppContext } from '../http/app-context.js';

/**
 * Runs an administrative action and writes it to the audit log whatever its outcome: who, what, on what, from
 * where, and — when it failed — why.
 */
export async function audited<T>(
  audit: AuditLog,
  ctx: AppContext,
  action: string,
  target: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    const result = await work();
    await audit.record({ action, outcome: 'success', actor: ctx.state.user, target, sourceIp: ctx.ip });
    return result;
  } catch (error) {
    const details = isNxfError(error) ? { code: error.code, error: error.message } : { error: String(error) };
    await audit.record({ action, outcome: 'failure', actor: ctx.state.user, target, sourceIp: ctx.ip, details });
    throw error;
  }
}
