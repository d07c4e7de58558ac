/* global EventSource */
/**
 * `lightning/empApi` in Lightning Local: platform event channels over server-sent events from
 * Lightning Local's stream endpoint. Messages arrive in the platform's shape
 * (`{ channel, data: { schema, payload, event: { replayId } } }`). The browser reconnects on its
 * own and resumes after the last event it saw; onError callbacks run when a subscription fails for
 * good (the server refused it or the stream closed).
 */

const STREAM = '/lightning/stream';
const errorCallbacks = new Set();
let debug = false;
let lastSubscriptionId = 0;

function reportError(error) {
  errorCallbacks.forEach((callback) => callback(error));
}

export function isEmpEnabled() {
  return Promise.resolve(typeof EventSource !== 'undefined');
}

export function setDebugFlag(flag) {
  debug = !!flag;
  return Promise.resolve(true);
}

export function onError(callback) {
  if (typeof callback === 'function') {
    errorCallbacks.add(callback);
  }
}

export function subscribe(channel, replayId, onMessage) {
  return new Promise((resolve, reject) => {
    const query = new URLSearchParams({ channel, replayId: String(replayId === undefined ? -1 : replayId) });
    const source = new EventSource(`${STREAM}?${query}`);
    lastSubscriptionId += 1;
    const subscription = { id: `_${lastSubscriptionId}`, channel, replayId, source };
    let opened = false;
    // The server confirms the subscription on the stream (or refuses it), as CometD's subscribe reply does.
    source.addEventListener('subscribed', () => {
      if (!opened) {
        opened = true;
        resolve(subscription);
      }
    });
    source.addEventListener('refused', (message) => {
      source.close();
      const error = { channel, error: JSON.parse(message.data).error, subscription: subscription.id };
      reportError(error);
      if (!opened) {
        reject(error);
      }
    });
    source.addEventListener('event', (message) => {
      const data = JSON.parse(message.data);
      if (debug) {
        console.debug('empApi', channel, data);
      }
      onMessage({ channel, data });
    });
    source.addEventListener('error', () => {
      // CLOSED: the server refused or ended the stream; CONNECTING: the browser retries on its own.
      if (source.readyState !== EventSource.CLOSED) {
        return;
      }
      const error = { channel, error: 'The subscription ended', subscription: subscription.id };
      reportError(error);
      if (!opened) {
        reject(error);
      }
    });
  });
}

export function unsubscribe(subscription, callback) {
  if (subscription && subscription.source) {
    subscription.source.close();
  }
  const result = { successful: true, subscription: subscription && subscription.channel };
  if (typeof callback === 'function') {
    callback(result);
  }
  return Promise.resolve(true);
}
