/**
 * An EngineHost for the tests that drive views and panels without the whole extension: requests go to a
 * real EngineClient when one is given (and are recorded), and notifications come from that client and from
 * the emitters a test fires, picked the way the code under test subscribes (`(p) => p.TrainStartedNotification`).
 */
import type { NotificationType } from 'vscode-jsonrpc';
import type { EngineClient, EngineExit } from '../../src/client/engineClient';
import type { EngineHost, EngineProtocol } from '../../src/extension/engine/engineHost';
import * as protocol from '../../src/protocol/engineRequests';
import { EventEmitter } from './vscodeStub';

type Pick<P> = (p: EngineProtocol) => NotificationType<P>;

/** `loaded`: what the host says is loaded, when not `client` (a stand-in with only what a test needs). */
export function fakeEngineHost(client?: EngineClient, loaded: unknown = client) {
  const emitters = new Map<string, EventEmitter<unknown>>();
  const emitter = <P>(pick: Pick<P>): EventEmitter<P> => {
    const method = pick(protocol).method;
    if (!emitters.has(method)) emitters.set(method, new EventEmitter<unknown>());
    return emitters.get(method) as EventEmitter<P>;
  };
  const exit = new EventEmitter<EngineExit>();
  const requests: { method: string; params: Record<string, unknown> }[] = [];
  const host = {
    loaded,
    get: async () => client,
    request: (pick: (p: EngineProtocol) => { method: string }, params: Record<string, unknown>) => {
      const type = pick(protocol);
      requests.push({ method: type.method, params });
      return client!.sendRequest(type as never, params);
    },
    event:
      <P>(pick: Pick<P>) =>
      (listener: (params: P) => unknown) => {
        const fromTest = emitter(pick).event(listener);
        const fromEngine = client?.onNotification(pick(protocol), listener);
        return { dispose: () => (fromTest.dispose(), fromEngine?.dispose()) };
      },
    onEngineExit: exit.event,
  };
  return { host: host as unknown as EngineHost, emitter, exit, requests };
}
