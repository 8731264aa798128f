// One onResponse hook per app for everything that watches answered requests (the request log, usage, stats,
// the request metrics): each observer is called in the order it was added, and one that throws is logged
// without keeping the others from their turn.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type ResponseObserver = (request: FastifyRequest, reply: FastifyReply) => void;

const observersOf = new WeakMap<FastifyInstance, ResponseObserver[]>();

/** Calls `observer` with every answered request of `app`, after the observers added before it. */
export const observeResponses = (app: FastifyInstance, observer: ResponseObserver): void => {
  let observers = observersOf.get(app);
  if (!observers) {
    const list: ResponseObserver[] = [];
    observers = list;
    observersOf.set(app, list);
    // A callback hook: no promise per request.
    app.addHook('onResponse', (request, reply, done) => {
      for (const observe of list) {
        try {
          observe(request, reply);
        } catch (err) {
          request.log.error({ err }, 'a response observer failed');
        }
      }
      done();
    });
  }
  observers.push(observer);
};
