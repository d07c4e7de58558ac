/* global fetch */
/**
 * `@salesforce/apex/Class.method` in Lightning Local: each import is a function that calls the
 * method imperatively and, through its `adapter`, a wire adapter, as on the platform. Calls go to
 * Lightning Local's Apex endpoint; errors reach components in the platform's shape
 * (`{ status, statusText, ok, headers, body: { message, exceptionType, isUserDefinedException } }`).
 */

const ENDPOINT = '/lightning/apex';

/** Wired values by the object the component received, so refreshApex can find their adapter. */
const wiredValues = new WeakMap();

function deepFreeze(value) {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    Object.values(value).forEach(deepFreeze);
  }
  return value;
}

function platformError(status, body) {
  return {
    status,
    statusText: status === 500 ? 'Server Error' : 'Error',
    ok: false,
    headers: {},
    body,
  };
}

async function invoke(classname, method, params) {
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ classname, method, params: params || {} }),
    });
  } catch (e) {
    throw platformError(0, { message: `Lightning Local is unreachable: ${e.message}` });
  }
  let payload;
  try {
    payload = await response.json();
  } catch {
    throw platformError(response.status, {
      message: `Unexpected answer from Lightning Local (${response.status})`,
    });
  }
  if (!response.ok) {
    throw platformError(response.status, payload.error || {});
  }
  if (payload.error) {
    // The platform reports every exception an Apex method throws as a server error.
    throw platformError(500, payload.error);
  }
  return payload.returnValue;
}

/**
 * One Apex method. The wire adapter provisions `{ data, error }` whenever its configuration
 * changes (not while a reactive parameter is still undefined); wired data is read-only, as on
 * the platform.
 */
export function apexMethod(classname, method) {
  const call = (params) => invoke(classname, method, params);

  call.adapter = class ApexWireAdapter {
    constructor(dataCallback) {
      this.dataCallback = dataCallback;
      this.config = undefined;
      this.connected = false;
      this.sequence = 0;
    }

    connect() {
      this.connected = true;
      if (this.config) {
        this.fetch();
      }
    }

    disconnect() {
      this.connected = false;
    }

    update(config) {
      const params = config || {};
      if (Object.values(params).some((value) => value === undefined)) {
        return;
      }
      this.config = params;
      if (this.connected) {
        this.fetch();
      }
    }

    fetch() {
      // A newer request wins: an answer that arrives late never overwrites a fresher one.
      const sequence = ++this.sequence;
      return invoke(classname, method, this.config).then(
        (data) => sequence === this.sequence && this.emit({ data: deepFreeze(data), error: undefined }),
        (error) => sequence === this.sequence && this.emit({ data: undefined, error }),
      );
    }

    emit(value) {
      wiredValues.set(value, this);
      this.dataCallback(value);
    }
  };

  return call;
}

/** refreshApex: fetches a wired value again and provisions the answer. */
export function refreshWired(value) {
  const adapter = wiredValues.get(value);
  if (!adapter || !adapter.config) {
    return Promise.resolve();
  }
  return adapter.fetch().then(() => undefined);
}
