import type Koa from 'koa';
import type Router from '@koa/router';
import type { RequestState } from './request-state.js';

/** What the middleware chain learns about a request (`ctx.state`). */
export type AppState = RequestState;

/** A request as the core's handlers and the modules' handlers see it. */
export type AppContext = Koa.ParameterizedContext<AppState>;
export type AppMiddleware = Koa.Middleware<AppState>;
export type AppRouter = Router<AppState>;
