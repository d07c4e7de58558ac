/* global document */
/** `@salesforce/i18n/timeZone` in Lightning Local: the signed-in user's time zone, which the page carries. */
export default document.documentElement.dataset.timeZone || 'UTC';
