/* global window */
/**
 * `lightning/navigation` in Lightning Local: page references map to Salesforce's URL scheme
 * (`/lightning/r/<Object>/<id>/view`, `/lightning/o/<Object>/list`, ...), which Lightning Local
 * serves, and CurrentPageReference reads the current URL back into a page reference.
 */

const Navigate = Symbol('Navigate');
const GenerateUrl = Symbol('GenerateUrl');

/** The URL of a page reference, or undefined for a type Lightning Local does not serve. */
export function urlOf(pageReference) {
  const { type, attributes = {}, state = {} } = pageReference || {};
  let path;
  switch (type) {
    case 'standard__recordPage':
      path = attributes.objectApiName
        ? `/lightning/r/${encodeURIComponent(attributes.objectApiName)}/${encodeURIComponent(attributes.recordId)}/${attributes.actionName || 'view'}`
        : `/lightning/r/${encodeURIComponent(attributes.recordId)}/${attributes.actionName || 'view'}`;
      break;
    case 'standard__objectPage':
      path = `/lightning/o/${encodeURIComponent(attributes.objectApiName)}/${attributes.actionName || 'list'}`;
      break;
    case 'standard__namedPage':
      path =
        attributes.pageName === 'home' ? '/lightning/page/home' : `/lightning/page/${attributes.pageName}`;
      break;
    case 'standard__webPage':
      return attributes.url;
    default:
      return undefined;
  }
  const query = new URLSearchParams(state).toString();
  return query ? `${path}?${query}` : path;
}

/** The page reference of a Lightning Local URL. */
export function pageReferenceOf(location) {
  const url = new URL(location, 'http://local');
  const state = Object.fromEntries(url.searchParams.entries());
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[1] === 'r' && parts.length >= 5) {
    return {
      type: 'standard__recordPage',
      attributes: { objectApiName: parts[2], recordId: parts[3], actionName: parts[4] },
      state,
    };
  }
  if (parts[1] === 'o' && parts.length >= 4) {
    return {
      type: 'standard__objectPage',
      attributes: { objectApiName: parts[2], actionName: parts[3] },
      state,
    };
  }
  return { type: 'standard__namedPage', attributes: { pageName: parts[2] || 'home' }, state };
}

export const NavigationMixin = (Base) =>
  class extends Base {
    [Navigate](pageReference, replace) {
      const url = urlOf(pageReference);
      if (!url) {
        throw new Error(`Lightning Local cannot navigate to a ${pageReference && pageReference.type} page`);
      }
      if (replace) {
        window.location.replace(url);
      } else {
        window.location.assign(url);
      }
    }

    [GenerateUrl](pageReference) {
      const url = urlOf(pageReference);
      return url
        ? Promise.resolve(url)
        : Promise.reject(new Error(`no URL for a ${pageReference && pageReference.type} page`));
    }
  };
NavigationMixin.Navigate = Navigate;
NavigationMixin.GenerateUrl = GenerateUrl;

/** Wire adapter: the page reference of the current page. */
export class CurrentPageReference {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }

  connect() {
    this.dataCallback(Object.freeze(pageReferenceOf(window.location.href)));
  }

  disconnect() {}

  update() {}
}
