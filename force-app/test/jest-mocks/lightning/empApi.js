/**
 * Mock of lightning/empApi. Tests deliver platform events with jestMockPublish() and stream errors with
 * jestMockStreamError(); isEmpEnabled and subscribe can be made to fail per test with mockResolvedValueOnce /
 * mockRejectedValueOnce.
 */
let messageCallback;
let errorCallback;

export const subscribe = jest.fn((channel, replayId, callback) => {
  messageCallback = callback;
  return Promise.resolve({ id: `_${channel}`, channel, replayId });
});

export const unsubscribe = jest.fn((subscription, callback) => {
  messageCallback = undefined;
  if (callback) {
    callback({ successful: true, subscription: subscription && subscription.channel });
  }
  return Promise.resolve(true);
});

export const onError = jest.fn((callback) => {
  errorCallback = callback;
});

export const setDebugFlag = jest.fn(() => Promise.resolve(true));

export const isEmpEnabled = jest.fn(() => Promise.resolve(true));

/** Delivers an event to the current subscriber, shaped as empApi delivers it. */
export function jestMockPublish(channel, payload) {
  if (messageCallback) {
    messageCallback({ channel, data: { schema: 'test-schema', payload, event: { replayId: 1 } } });
  }
}

/** Reports a streaming error to the registered onError callback. */
export function jestMockStreamError(error) {
  if (errorCallback) {
    errorCallback(error);
  }
}
