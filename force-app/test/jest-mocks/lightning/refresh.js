/**
 * Mock of lightning/refresh: RefreshEvent, and refresh handlers a test can fire with jestMockRefresh().
 */
export const RefreshEventName = 'lightning__refresh';

export class RefreshEvent extends CustomEvent {
  constructor() {
    super(RefreshEventName, { composed: true, cancelable: true, bubbles: true });
  }
}

const handlers = new Map();
let lastId = 0;

export const registerRefreshHandler = jest.fn((element, handler) => {
  lastId += 1;
  handlers.set(lastId, handler);
  return lastId;
});

export const unregisterRefreshHandler = jest.fn((id) => {
  handlers.delete(id);
});

/** Calls every registered refresh handler, as the page does on a RefreshEvent. */
export function jestMockRefresh() {
  return Promise.all([...handlers.values()].map((handler) => handler()));
}
