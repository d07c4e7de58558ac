/**
 * SQLite persistence for the local e-signature provider. Every state change and the events it
 * produces are written in one transaction, so a crash can lose neither half: an event recorded
 * is an event that will be delivered (see event-outbox.ts).
 *
 * All access is synchronous (node:sqlite), which means one request's read-check-write sequence
 * never interleaves with another's inside this process; `BEGIN IMMEDIATE` covers the case of
 * two processes sharing the file.
 */
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EsignEvent } from '../../ports/esign.ts';
import { preparedStatements, writeTransaction } from '@dealdesk/contracts/sqlite';

export type EnvelopeStatus = 'sent' | 'completed' | 'declined' | 'voided';
export type RecipientStatus = 'created' | 'sent' | 'signed' | 'declined';

export interface EnvelopeRow {
  envelopeId: string;
  idempotencyKey: string;
  subject: string;
  message: string;
  status: EnvelopeStatus;
  sentAt: string;
  completedAt: string | undefined;
  declinedAt: string | undefined;
  voidedAt: string | undefined;
  voidReason: string | undefined;
}

export interface RecipientRow {
  envelopeId: string;
  recipientKey: string;
  /** Input order, so listings are stable within one routing order. */
  position: number;
  name: string;
  email: string;
  role: string;
  routingOrder: number;
  status: RecipientStatus;
  /**
   * The raw signing token. Kept only so getEnvelope can rebuild the signing URL: this is the
   * local development provider and the token guards nothing of value beyond this database.
   * Lookups never use it; they go through `token_hash`.
   */
  token: string;
  signedAt: string | undefined;
  declinedAt: string | undefined;
  declineReason: string | undefined;
}

export interface DocumentRow {
  envelopeId: string;
  documentId: string;
  position: number;
  name: string;
  sha256: string;
  size: number;
}

export interface DocumentHash {
  documentId: string;
  name: string;
  sha256: string;
}

export interface SignatureRow {
  envelopeId: string;
  recipientKey: string;
  signerName: string;
  typedSignature: string;
  signedAt: string;
  ip: string;
  userAgent: string;
  /** The hashes of the original documents as they stood when this recipient signed. */
  documents: DocumentHash[];
}

export interface EventRow {
  seq: number;
  event: EsignEvent;
  deliveredAt: string | undefined;
}

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS envelopes (
  envelope_id TEXT PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  subject TEXT NOT NULL,
  message TEXT NOT NULL,
  status TEXT NOT NULL,
  sent_at TEXT NOT NULL,
  completed_at TEXT,
  declined_at TEXT,
  voided_at TEXT,
  void_reason TEXT
);
CREATE TABLE IF NOT EXISTS documents (
  envelope_id TEXT NOT NULL REFERENCES envelopes(envelope_id),
  document_id TEXT NOT NULL,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  pdf BLOB NOT NULL,
  PRIMARY KEY (envelope_id, document_id)
);
CREATE TABLE IF NOT EXISTS recipients (
  envelope_id TEXT NOT NULL REFERENCES envelopes(envelope_id),
  recipient_key TEXT NOT NULL,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  role TEXT NOT NULL,
  routing_order INTEGER NOT NULL,
  status TEXT NOT NULL,
  token TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  signed_at TEXT,
  declined_at TEXT,
  decline_reason TEXT,
  PRIMARY KEY (envelope_id, recipient_key)
);
CREATE TABLE IF NOT EXISTS signatures (
  envelope_id TEXT NOT NULL,
  recipient_key TEXT NOT NULL,
  signer_name TEXT NOT NULL,
  typed_signature TEXT NOT NULL,
  signed_at TEXT NOT NULL,
  ip TEXT NOT NULL,
  user_agent TEXT NOT NULL,
  documents TEXT NOT NULL,
  PRIMARY KEY (envelope_id, recipient_key),
  FOREIGN KEY (envelope_id, recipient_key) REFERENCES recipients(envelope_id, recipient_key)
);
CREATE TABLE IF NOT EXISTS events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL UNIQUE,
  envelope_id TEXT NOT NULL REFERENCES envelopes(envelope_id),
  kind TEXT NOT NULL,
  recipient_key TEXT,
  occurred_at TEXT NOT NULL,
  reason TEXT,
  delivered_at TEXT
);
CREATE INDEX IF NOT EXISTS events_pending ON events(delivered_at, seq);
`;

type Row = Record<string, SQLOutputValue>;

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`local-esign store: column ${column} is not text`);
  return value;
}

function optionalText(row: Row, column: string): string | undefined {
  const value = row[column];
  return typeof value === 'string' ? value : undefined;
}

function integer(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number' && typeof value !== 'bigint') {
    throw new Error(`local-esign store: column ${column} is not a number`);
  }
  return Number(value);
}

function toEnvelope(row: Row): EnvelopeRow {
  return {
    envelopeId: text(row, 'envelope_id'),
    idempotencyKey: text(row, 'idempotency_key'),
    subject: text(row, 'subject'),
    message: text(row, 'message'),
    status: text(row, 'status') as EnvelopeStatus,
    sentAt: text(row, 'sent_at'),
    completedAt: optionalText(row, 'completed_at'),
    declinedAt: optionalText(row, 'declined_at'),
    voidedAt: optionalText(row, 'voided_at'),
    voidReason: optionalText(row, 'void_reason'),
  };
}

function toRecipient(row: Row): RecipientRow {
  return {
    envelopeId: text(row, 'envelope_id'),
    recipientKey: text(row, 'recipient_key'),
    position: integer(row, 'position'),
    name: text(row, 'name'),
    email: text(row, 'email'),
    role: text(row, 'role'),
    routingOrder: integer(row, 'routing_order'),
    status: text(row, 'status') as RecipientStatus,
    token: text(row, 'token'),
    signedAt: optionalText(row, 'signed_at'),
    declinedAt: optionalText(row, 'declined_at'),
    declineReason: optionalText(row, 'decline_reason'),
  };
}

function toEvent(row: Row): EventRow {
  const recipientKey = optionalText(row, 'recipient_key');
  const reason = optionalText(row, 'reason');
  return {
    seq: integer(row, 'seq'),
    event: {
      eventId: text(row, 'event_id'),
      envelopeId: text(row, 'envelope_id'),
      kind: text(row, 'kind') as EsignEvent['kind'],
      ...(recipientKey !== undefined ? { recipientKey } : {}),
      occurredAt: text(row, 'occurred_at'),
      ...(reason !== undefined ? { reason } : {}),
    },
    deliveredAt: optionalText(row, 'delivered_at'),
  };
}

export interface NewEnvelope {
  envelope: Pick<EnvelopeRow, 'envelopeId' | 'idempotencyKey' | 'subject' | 'message' | 'sentAt'>;
  documents: { documentId: string; name: string; sha256: string; pdf: Uint8Array }[];
  recipients: Omit<RecipientRow, 'envelopeId' | 'signedAt' | 'declinedAt' | 'declineReason'>[];
  tokenHashes: string[];
}

export class EsignStore {
  private readonly db: DatabaseSync;
  private readonly stmt: (sql: string) => StatementSync;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    // busy_timeout: replicas on one machine may share this file (Postgres mode), so writers wait their turn.
    this.db.exec(
      'PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;',
    );
    this.db.exec(SCHEMA_SQL);
    this.stmt = preparedStatements(this.db);
  }

  private all(sql: string, ...params: SQLInputValue[]): Row[] {
    return this.stmt(sql).all(...params);
  }

  private one(sql: string, ...params: SQLInputValue[]): Row | undefined {
    return this.stmt(sql).get(...params);
  }

  private run(sql: string, ...params: SQLInputValue[]): number {
    return Number(this.stmt(sql).run(...params).changes);
  }

  /** Runs `fn` in one SQLite transaction; `fn` must be synchronous. */
  transaction<T>(fn: () => T): T {
    return writeTransaction(this.db, fn);
  }

  envelopeByIdempotencyKey(key: string): EnvelopeRow | undefined {
    const row = this.one('SELECT * FROM envelopes WHERE idempotency_key = ?', key);
    return row ? toEnvelope(row) : undefined;
  }

  envelope(envelopeId: string): EnvelopeRow | undefined {
    const row = this.one('SELECT * FROM envelopes WHERE envelope_id = ?', envelopeId);
    return row ? toEnvelope(row) : undefined;
  }

  insertEnvelope(input: NewEnvelope): void {
    const e = input.envelope;
    this.run(
      `INSERT INTO envelopes(envelope_id, idempotency_key, subject, message, status, sent_at)
       VALUES (?, ?, ?, ?, 'sent', ?)`,
      e.envelopeId,
      e.idempotencyKey,
      e.subject,
      e.message,
      e.sentAt,
    );
    input.documents.forEach((d, position) => {
      this.run(
        'INSERT INTO documents(envelope_id, document_id, position, name, sha256, pdf) VALUES (?, ?, ?, ?, ?, ?)',
        e.envelopeId,
        d.documentId,
        position,
        d.name,
        d.sha256,
        d.pdf,
      );
    });
    input.recipients.forEach((r, i) => {
      this.run(
        `INSERT INTO recipients(envelope_id, recipient_key, position, name, email, role, routing_order, status, token, token_hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        e.envelopeId,
        r.recipientKey,
        r.position,
        r.name,
        r.email,
        r.role,
        r.routingOrder,
        r.status,
        r.token,
        input.tokenHashes[i] ?? '',
      );
    });
  }

  updateEnvelopeStatus(envelopeId: string, status: EnvelopeStatus, at: string, voidReason?: string): void {
    const column = {
      sent: 'sent_at',
      completed: 'completed_at',
      declined: 'declined_at',
      voided: 'voided_at',
    }[status];
    this.run(
      `UPDATE envelopes SET status = ?, ${column} = ?, void_reason = COALESCE(?, void_reason) WHERE envelope_id = ?`,
      status,
      at,
      voidReason ?? null,
      envelopeId,
    );
  }

  recipients(envelopeId: string): RecipientRow[] {
    return this.all(
      'SELECT * FROM recipients WHERE envelope_id = ? ORDER BY routing_order, position',
      envelopeId,
    ).map(toRecipient);
  }

  recipientByTokenHash(tokenHash: string): RecipientRow | undefined {
    const row = this.one('SELECT * FROM recipients WHERE token_hash = ?', tokenHash);
    return row ? toRecipient(row) : undefined;
  }

  /** Moves recipients from `created` to `sent` (their turn came). */
  markRecipientsSent(envelopeId: string, recipientKeys: string[]): void {
    for (const key of recipientKeys) {
      this.run(
        "UPDATE recipients SET status = 'sent' WHERE envelope_id = ? AND recipient_key = ? AND status = 'created'",
        envelopeId,
        key,
      );
    }
  }

  markRecipientSigned(envelopeId: string, recipientKey: string, at: string): void {
    this.run(
      "UPDATE recipients SET status = 'signed', signed_at = ? WHERE envelope_id = ? AND recipient_key = ?",
      at,
      envelopeId,
      recipientKey,
    );
  }

  markRecipientDeclined(envelopeId: string, recipientKey: string, at: string, reason: string): void {
    this.run(
      "UPDATE recipients SET status = 'declined', declined_at = ?, decline_reason = ? WHERE envelope_id = ? AND recipient_key = ?",
      at,
      reason,
      envelopeId,
      recipientKey,
    );
  }

  documents(envelopeId: string): DocumentRow[] {
    return this.all(
      'SELECT envelope_id, document_id, position, name, sha256, length(pdf) AS size FROM documents WHERE envelope_id = ? ORDER BY position',
      envelopeId,
    ).map((row) => ({
      envelopeId: text(row, 'envelope_id'),
      documentId: text(row, 'document_id'),
      position: integer(row, 'position'),
      name: text(row, 'name'),
      sha256: text(row, 'sha256'),
      size: integer(row, 'size'),
    }));
  }

  documentPdf(envelopeId: string, documentId: string): Uint8Array | undefined {
    const row = this.one(
      'SELECT pdf FROM documents WHERE envelope_id = ? AND document_id = ?',
      envelopeId,
      documentId,
    );
    const pdf = row?.pdf;
    return pdf instanceof Uint8Array ? pdf : undefined;
  }

  insertSignature(s: SignatureRow): void {
    this.run(
      `INSERT INTO signatures(envelope_id, recipient_key, signer_name, typed_signature, signed_at, ip, user_agent, documents)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      s.envelopeId,
      s.recipientKey,
      s.signerName,
      s.typedSignature,
      s.signedAt,
      s.ip,
      s.userAgent,
      JSON.stringify(s.documents),
    );
  }

  signatures(envelopeId: string): SignatureRow[] {
    return this.all('SELECT * FROM signatures WHERE envelope_id = ? ORDER BY rowid', envelopeId).map(
      (row) => ({
        envelopeId: text(row, 'envelope_id'),
        recipientKey: text(row, 'recipient_key'),
        signerName: text(row, 'signer_name'),
        typedSignature: text(row, 'typed_signature'),
        signedAt: text(row, 'signed_at'),
        ip: text(row, 'ip'),
        userAgent: text(row, 'user_agent'),
        documents: JSON.parse(text(row, 'documents')) as DocumentHash[],
      }),
    );
  }

  /** Appends to the outbox; an event id already recorded is ignored, which keeps ids stable. */
  appendEvent(event: EsignEvent): void {
    this.run(
      `INSERT INTO events(event_id, envelope_id, kind, recipient_key, occurred_at, reason)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(event_id) DO NOTHING`,
      event.eventId,
      event.envelopeId,
      event.kind,
      event.recipientKey ?? null,
      event.occurredAt,
      event.reason ?? null,
    );
  }

  pendingEvents(): EventRow[] {
    return this.all('SELECT * FROM events WHERE delivered_at IS NULL ORDER BY seq').map(toEvent);
  }

  events(envelopeId: string): EventRow[] {
    return this.all('SELECT * FROM events WHERE envelope_id = ? ORDER BY seq', envelopeId).map(toEvent);
  }

  markEventDelivered(eventId: string, at: string): void {
    this.run('UPDATE events SET delivered_at = ? WHERE event_id = ? AND delivered_at IS NULL', at, eventId);
  }

  close(): void {
    this.db.close();
  }
}
