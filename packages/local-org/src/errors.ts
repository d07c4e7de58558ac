/**
 * Errors in Salesforce's REST shape. Top-level responses carry `[{message, errorCode, fields}]`;
 * results inside sObject Collections and composite carry `statusCode` instead of `errorCode`
 * (see shared/vendor-samples/salesforce/SALESFORCE-shapes.md).
 */

export interface SalesforceErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

export class SalesforceApiError extends Error {
  readonly errorCode: string;
  readonly status: number;
  readonly fields: string[];
  /**
   * Whether the top-level body carries `fields`: record errors do (`"fields": []` when none),
   * request errors such as INVALID_SESSION_ID and NOT_FOUND do not, as Salesforce sends them.
   */
  private readonly bodyHasFields: boolean;

  constructor(
    errorCode: string,
    message: string,
    options: { status?: number; fields?: string[]; bodyHasFields?: boolean } = {},
  ) {
    super(message);
    this.name = 'SalesforceApiError';
    this.errorCode = errorCode;
    this.status = options.status ?? 400;
    this.fields = options.fields ?? [];
    this.bodyHasFields = options.bodyHasFields ?? true;
  }

  /** The top-level REST body. */
  toBody(): SalesforceErrorItem[] {
    return [
      this.bodyHasFields
        ? { message: this.message, errorCode: this.errorCode, fields: this.fields }
        : { message: this.message, errorCode: this.errorCode },
    ];
  }

  /** The error inside a SaveResult of a collection or composite subrequest. */
  toSaveError(): { statusCode: string; message: string; fields: string[] } {
    return { statusCode: this.errorCode, message: this.message, fields: this.fields };
  }
}

export const sfError = {
  invalidSession: () =>
    new SalesforceApiError('INVALID_SESSION_ID', 'Session expired or invalid', {
      status: 401,
      bodyHasFields: false,
    }),
  notFound: (message = 'The requested resource does not exist') =>
    new SalesforceApiError('NOT_FOUND', message, { status: 404 }),
  invalidField: (message: string, fields: string[] = []) =>
    new SalesforceApiError('INVALID_FIELD', message, { fields }),
  invalidType: (type: string) =>
    new SalesforceApiError(
      'INVALID_TYPE',
      `sObject type '${type}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    ),
  notFoundType: (type: string) =>
    new SalesforceApiError('NOT_FOUND', `The requested resource does not exist: sObject type '${type}'`, {
      status: 404,
    }),
  malformedQuery: (message: string) => new SalesforceApiError('MALFORMED_QUERY', message),
  jsonParser: (message: string) => new SalesforceApiError('JSON_PARSER_ERROR', message),
  requiredFieldMissing: (fields: string[]) =>
    new SalesforceApiError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${fields.join(', ')}]`, {
      fields,
    }),
  stringTooLong: (label: string, field: string, value: string, max: number) =>
    new SalesforceApiError(
      'STRING_TOO_LONG',
      `${label}: data value too large: ${value.length > 40 ? `${value.slice(0, 40)}...` : value} (max length=${max})`,
      { fields: [field] },
    ),
  entityIsLocked: () => new SalesforceApiError('ENTITY_IS_LOCKED', 'the entity is locked for editing'),
  methodNotAllowed: (method: string) =>
    new SalesforceApiError(
      'METHOD_NOT_ALLOWED',
      `HTTP Method '${method}' not allowed. Allowed are GET,PATCH,DELETE`,
      {
        status: 405,
      },
    ),
};
