/**
 * Mock of @salesforce/apex: refreshApex resolves and records its calls.
 */
export const refreshApex = jest.fn(() => Promise.resolve());

export const getSObjectValue = jest.fn((record, field) => record[field.fieldApiName]);
