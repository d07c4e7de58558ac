/**
 * Helpers shared by the dealdesk components.
 */

/**
 * Turns what Apex, Lightning Data Service or JavaScript threw into readable messages.
 * @param {unknown} errors one error or a list of them
 * @returns {string[]} the messages, without blanks
 */
export function reduceErrors(errors) {
  const list = Array.isArray(errors) ? errors : [errors];
  return list
    .filter((error) => !!error)
    .flatMap((error) => {
      if (Array.isArray(error.body)) {
        return error.body.map((entry) => entry.message);
      }
      if (error.body && typeof error.body.message === 'string') {
        return [error.body.message];
      }
      if (error.body && Array.isArray(error.body.pageErrors) && error.body.pageErrors.length > 0) {
        return error.body.pageErrors.map((entry) => entry.message);
      }
      if (typeof error.message === 'string') {
        return [error.message];
      }
      return [error.statusText || String(error)];
    })
    .filter((message) => !!message);
}

/**
 * One readable message for an error.
 * @param {unknown} error what was thrown
 * @returns {string} the messages joined, or a generic message
 */
export function errorMessage(error) {
  const messages = reduceErrors(error);
  return messages.length > 0 ? messages.join(' ') : 'Something went wrong.';
}

/**
 * A step duration for people: 850 ms, 4.2 s, 3 min 5 s, 2 h 10 min.
 * @param {number|null|undefined} ms milliseconds
 * @returns {string} the duration, or an empty string when unknown
 */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(Number(ms))) {
    return '';
  }
  const value = Math.max(0, Number(ms));
  if (value < 1000) {
    return `${Math.round(value)} ms`;
  }
  if (value < 60000) {
    return `${(value / 1000).toFixed(1)} s`;
  }
  const totalSeconds = Math.round(value / 1000);
  if (totalSeconds < 3600) {
    const minutes = Math.floor(totalSeconds / 60);
    const seconds = totalSeconds % 60;
    return seconds === 0 ? `${minutes} min` : `${minutes} min ${seconds} s`;
  }
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
}

/**
 * A 0-100 percentage for people: 87.5 → "87.5%".
 * @param {number|null|undefined} value the percentage
 * @returns {string} the label, or an empty string when unknown
 */
export function formatPercent(value) {
  if (value === null || value === undefined || Number.isNaN(Number(value))) {
    return '';
  }
  return `${Number(Number(value).toFixed(2))}%`;
}

/**
 * Whether two Salesforce Ids name the same record (15- and 18-character forms compare equal).
 * @param {string|null|undefined} a an Id
 * @param {string|null|undefined} b another Id
 * @returns {boolean} true for the same record
 */
export function sameRecordId(a, b) {
  if (!a || !b) {
    return false;
  }
  return a.substring(0, 15) === b.substring(0, 15);
}
