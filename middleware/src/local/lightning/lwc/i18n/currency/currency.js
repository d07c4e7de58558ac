/* global document */
/** `@salesforce/i18n/currency` in Lightning Local: the signed-in user's default currency, which the page carries. */
export default document.documentElement.dataset.currency || 'USD';
