/** The API's error shape: `{error: {code, message, details}}`. */
import type { Response } from 'express';
import type { ZodError } from 'zod';

export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
): void {
  res.status(status).json({ error: { code, message, details } });
}

export function validationDetails(error: ZodError): Record<string, unknown> {
  return {
    issues: error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message })),
  };
}
