import { AsyncLocalStorage } from 'node:async_hooks';
import type { AppContext } from '../../http/app-context.js';

/**
 * The request a module's handler is serving, so `ctx.render(view, data)` can answer page or fragment for it
 * without the module passing the request around. Set by the dispatcher around every module request.
 */
export const moduleRequestScope = new AsyncLocalStorage<AppContext>();
