/* global CustomEvent */
/**
 * `lightning/refresh` in Lightning Local: a RefreshEvent refreshes every registered handler on the
 * page, as the platform's refresh view does (ll/boot listens for the event).
 */
export const REFRESH_EVENT = 'lightning__refresh';

export class RefreshEvent extends CustomEvent {
  constructor() {
    super(REFRESH_EVENT, { composed: true, cancelable: true, bubbles: true });
  }
}

const handlers = new Map();
let lastId = 0;

export function registerRefreshHandler(element, handler) {
  lastId += 1;
  handlers.set(lastId, handler.bind(element));
  return lastId;
}

export function unregisterRefreshHandler(id) {
  handlers.delete(id);
}

export function registerRefreshContainer(element, handler) {
  return registerRefreshHandler(element, handler);
}

export function unregisterRefreshContainer(id) {
  unregisterRefreshHandler(id);
}

/** Runs every handler; a failing one does not stop the others. */
export function refreshAll() {
  return Promise.allSettled([...handlers.values()].map((handler) => Promise.resolve().then(handler)));
}
