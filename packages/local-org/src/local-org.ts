/**
 * The local org: an emulated Salesforce org that the middleware, the plugin and the tests talk
 * to over the real REST wire format. This class owns the schema, the records, sessions,
 * transactions, approval processes, platform events and request statistics; `rest-router.ts`
 * puts it on HTTP.
 */
import type { SentEmail } from './notify-api.ts';
import { randomBytes, createHash, verify } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ApprovalEngine, DEALDESK_APPROVAL_PROCESS, type ApprovalProcessDefinition } from './approvals.ts';
import { Dml, LOCK_MARKER, type DmlContext } from './dml.ts';
import { SalesforceApiError, sfError } from './errors.ts';
import { to18 } from './ids.ts';
import { SchemaRegistry } from './schema/registry.ts';
import { SoqlEngine, type QueryOutput, type RecordReader } from './soql/engine.ts';
import { OrgStore, type OrgTransaction, type RecordChange, type SObjectRecord } from './store.ts';
import { coerceFieldValue } from './values.ts';
import { mintId } from './ids.ts';
import { formatDateTime } from './values.ts';
import { ensureBaseline, seedRecords, type SeedResult } from './seed/seed-loader.ts';
import type { SeedRecord } from './seed/seed-types.ts';
import { loadPermissionSets } from './seed/permission-sets.ts';

/** The newest REST API version the local org serves; older ones down to 31.0 are accepted. */
export const LOCAL_ORG_API_VERSION = '65.0';
export const OLDEST_API_VERSION = 31;

/** The profile whose users administer the org (Modify All Data), as in every Salesforce org. */
const ADMIN_PROFILE = 'System Administrator';

export interface LocalOrgOptions {
  /** SQLite file, or ':memory:' for tests. */
  dbPath: string;
  /** The package's force-app folder: the source of the custom schema. */
  forceAppDir: string;
  /** Bearer token for the integration user; generated and persisted when absent. */
  token?: string;
  clock?: () => Date;
  approvalProcesses?: ApprovalProcessDefinition[];
  /** Connected apps that may log in with the JWT bearer flow: consumer key and certificate public key (PEM). */
  connectedApps?: { clientId: string; publicKey: string }[];
}

export class OAuthError extends Error {
  readonly error: string;
  constructor(error: string, description: string) {
    super(description);
    this.error = error;
  }
}

export interface PlatformEventMessage {
  type: string;
  replayId: number;
  payload: SObjectRecord;
}

export interface CommitEvent {
  changes: RecordChange[];
  userId: string;
}

export interface RequestStats {
  total: number;
  byResource: Record<string, number>;
  byOperation: Record<string, number>;
  since: string;
}

export class LocalOrg {
  readonly registry: SchemaRegistry;
  readonly store: OrgStore;
  readonly soql: SoqlEngine;
  readonly approvals: ApprovalEngine;
  readonly clock: () => Date;
  readonly token: string;
  /** Emails sent through the Simple Email action; the local org delivers nothing. */
  readonly outbox: SentEmail[] = [];
  private readonly sessions = new Map<string, string>();
  private readonly events = new EventEmitter();
  private readonly recentEvents: PlatformEventMessage[] = [];
  private stats: RequestStats;
  private readonly connectedApps: { clientId: string; publicKey: string }[];
  private readonly processDefinitionIds = new Map<string, string>();
  private readonly customMetadata: {
    byType: Map<string, SObjectRecord[]>;
    byId: Map<string, { type: string; fields: SObjectRecord }>;
  };

  constructor(options: LocalOrgOptions) {
    this.registry = SchemaRegistry.fromForceApp(options.forceAppDir);
    this.store = new OrgStore(options.dbPath);
    this.clock = options.clock ?? (() => new Date());
    this.soql = new SoqlEngine(this.registry);
    this.customMetadata = buildCustomMetadataRecords(this.registry);
    this.approvals = new ApprovalEngine(options.approvalProcesses ?? [DEALDESK_APPROVAL_PROCESS]);
    this.connectedApps = options.connectedApps ?? [];
    this.stats = emptyStats(this.clock());
    this.events.setMaxListeners(100);
    const baseline = ensureBaseline(this, this.approvals.list(), loadPermissionSets(options.forceAppDir));
    for (const [name, id] of baseline.processDefinitionIds) this.processDefinitionIds.set(name, id);
    this.token = options.token ?? this.store.getSetting('token') ?? this.generateToken();
    this.sessions.set(hashToken(this.token), baseline.integrationUserId);
    for (const [key, userId] of this.persistedSessions()) this.sessions.set(key, userId);
  }

  private generateToken(): string {
    const token = `00DDd0000000001!${randomBytes(24).toString('base64url')}`;
    this.store.setSetting('token', token);
    return token;
  }

  private persistedSessions(): [string, string][] {
    const raw = this.store.getSetting('sessions');
    return raw ? (JSON.parse(raw) as [string, string][]) : [];
  }

  /** The user a bearer token belongs to, or INVALID_SESSION_ID. */
  authenticate(authorization: string | undefined): string {
    const match = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(authorization ?? '');
    const userId = match ? this.sessions.get(hashToken(match[1]!.trim())) : undefined;
    if (!userId) throw sfError.invalidSession();
    const user = this.store.get(userId)?.fields;
    if (!user || user.IsActive !== true) throw sfError.invalidSession();
    return userId;
  }

  /** Issues an access token for a user (local mode's stand-in for a login flow). */
  createSession(username: string): { accessToken: string; userId: string } {
    const user = [...this.store.all('User')].find(
      (u) => String(u.Username).toLowerCase() === username.toLowerCase(),
    );
    if (!user) throw new SalesforceApiError('INVALID_LOGIN', `no such user: ${username}`, { status: 400 });
    if (user.IsActive !== true)
      throw new SalesforceApiError('INACTIVE_USER', `user is inactive: ${username}`, { status: 400 });
    const accessToken = `00DDd0000000001!${randomBytes(24).toString('base64url')}`;
    this.sessions.set(hashToken(accessToken), user.Id);
    this.store.setSetting(
      'sessions',
      JSON.stringify([...this.persistedSessions(), [hashToken(accessToken), user.Id]]),
    );
    return { accessToken, userId: user.Id };
  }

  /**
   * The JWT bearer flow's token endpoint: checks the assertion's signature against the
   * connected app's certificate, its audience, expiry and user, and opens a session.
   */
  jwtBearerLogin(assertion: string, audiences: string[]): { accessToken: string; userId: string } {
    const parts = assertion.split('.');
    if (parts.length !== 3) throw new OAuthError('invalid_grant', 'invalid assertion');
    const [h, c, sig] = parts as [string, string, string];
    let claims: { iss?: unknown; sub?: unknown; aud?: unknown; exp?: unknown };
    let header: { alg?: unknown };
    try {
      header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: unknown };
      claims = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      throw new OAuthError('invalid_grant', 'invalid assertion');
    }
    if (header.alg !== 'RS256')
      throw new OAuthError('invalid_grant', 'invalid assertion: only RS256 is accepted');
    const app = this.connectedApps.find((a) => a.clientId === claims.iss);
    if (!app) throw new OAuthError('invalid_client_id', 'client identifier invalid');
    if (!verify('RSA-SHA256', Buffer.from(`${h}.${c}`), app.publicKey, Buffer.from(sig, 'base64url'))) {
      throw new OAuthError(
        'invalid_grant',
        'invalid assertion: the signature does not match the connected app certificate',
      );
    }
    if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud.replace(/\/$/, '')))
      throw new OAuthError('invalid_grant', 'audience is invalid');
    const now = Math.floor(this.clock().getTime() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp < now || claims.exp > now + 300)
      throw new OAuthError('invalid_grant', 'expired authorization code');
    if (typeof claims.sub !== 'string')
      throw new OAuthError('invalid_grant', 'invalid assertion: no subject');
    try {
      return this.createSession(claims.sub);
    } catch {
      throw new OAuthError('invalid_grant', "user hasn't approved this consumer");
    }
  }

  /** Ends every session of a user except the org's own token (tests use it to expire tokens). */
  expireSessions(userId: string): void {
    const keep = hashToken(this.token);
    for (const [key, id] of this.sessions) if (id === userId && key !== keep) this.sessions.delete(key);
    this.store.setSetting(
      'sessions',
      JSON.stringify(this.persistedSessions().filter(([key, id]) => id !== userId || key === keep)),
    );
  }

  /**
   * A session for the org's administrator: the earliest active user with the System
   * Administrator profile, other than the integration user. It is what a person logs in with
   * (`sf org login access-token`), as an admin logs in to a real org; the org's own token stays
   * the integration user's, which the middleware uses. Kept across restarts like that token;
   * undefined while the org has no administrator (no demo company seeded).
   */
  adminSession(): { accessToken: string; userId: string; username: string } | undefined {
    const adminProfiles = new Set(
      [...this.store.all('Profile')].filter((p) => p.Name === ADMIN_PROFILE).map((p) => p.Id),
    );
    const admin = [...this.store.all('User')]
      .filter(
        (u) =>
          u.IsActive === true && adminProfiles.has(String(u.ProfileId)) && u.Id !== this.integrationUserId,
      )
      .sort(
        (a, b) => String(a.CreatedDate).localeCompare(String(b.CreatedDate)) || a.Id.localeCompare(b.Id),
      )[0];
    if (!admin) return undefined;
    const username = String(admin.Username);
    const kept = this.store.getSetting('admin-token');
    if (kept && this.sessions.get(hashToken(kept)) === admin.Id)
      return { accessToken: kept, userId: admin.Id, username };
    const session = this.createSession(username);
    this.store.setSetting('admin-token', session.accessToken);
    return { ...session, username };
  }

  get integrationUserId(): string {
    return this.sessions.get(hashToken(this.token))!;
  }

  /**
   * Runs `work` in one transaction as `userId`: all of it commits or none of it does. Committed
   * changes are announced after the fact, the way after-commit automation (Queueables,
   * platform events published after commit) sees them in a real org.
   */
  transact<T>(userId: string, work: (dml: Dml) => T, options: Partial<DmlContext> = {}): T {
    const tx = this.store.begin();
    const dml = new Dml(this.registry, this.store, tx, { userId, now: this.clock(), ...options });
    const result = work(dml);
    const changes = this.store.commit(tx, (type) => this.registry.get(type)?.def.kind === 'platformEvent');
    this.announce(changes, userId);
    return result;
  }

  /** A SOQL query over committed data (or a transaction's view of it). */
  query(soql: string, options: { tx?: OrgTransaction; apiVersion?: string } = {}): QueryOutput {
    const base = `/services/data/v${options.apiVersion ?? LOCAL_ORG_API_VERSION}`;
    return this.soql.execute(soql, this.reader(options.tx ?? this.store), this.clock(), base);
  }

  /**
   * Reads records, including custom metadata records, which come from the package source and
   * are not stored: a deploy, not a DML call, changes them.
   */
  reader(base: RecordReader): RecordReader {
    const mdt = this.customMetadata;
    return {
      get: (id) => base.get(id) ?? mdt.byId.get(id),
      all: (type) => mdt.byType.get(type) ?? base.all(type),
      byField: (type, field, value) =>
        mdt.byType.has(type) ? undefined : base.byField?.(type, field, value),
    };
  }

  get processDefinitions(): Map<string, string> {
    return this.processDefinitionIds;
  }

  private announce(changes: RecordChange[], userId: string): void {
    const persistent: RecordChange[] = [];
    for (const change of changes) {
      if (this.registry.get(change.type)?.def.kind === 'platformEvent' && change.after) {
        const replayId = this.store.next('replay:events');
        const payload = { ...change.after, ReplayId: String(replayId) };
        const message: PlatformEventMessage = { type: change.type, replayId, payload };
        this.recentEvents.push(message);
        if (this.recentEvents.length > 1000) this.recentEvents.shift();
        this.events.emit('platformEvent', message);
      } else {
        persistent.push(change);
      }
    }
    if (persistent.length > 0)
      this.events.emit('commit', { changes: persistent.map(stripHidden), userId } satisfies CommitEvent);
  }

  /** After-commit automation: the local stand-in for the package's Apex triggers. */
  onCommit(listener: (event: CommitEvent) => void): () => void {
    this.events.on('commit', listener);
    return () => this.events.off('commit', listener);
  }

  onPlatformEvent(listener: (message: PlatformEventMessage) => void): () => void {
    this.events.on('platformEvent', listener);
    return () => this.events.off('platformEvent', listener);
  }

  /** Platform events published after `afterReplayId` (the org keeps the last 1,000). */
  platformEventsSince(afterReplayId: number, type?: string): PlatformEventMessage[] {
    return this.recentEvents.filter((e) => e.replayId > afterReplayId && (!type || e.type === type));
  }

  /** Counts one REST API request, by resource (sobjects, query, composite, ...) and operation. */
  count(resource: string, operation: string): void {
    this.stats.total++;
    this.stats.byResource[resource] = (this.stats.byResource[resource] ?? 0) + 1;
    this.stats.byOperation[operation] = (this.stats.byOperation[operation] ?? 0) + 1;
  }

  requestStats(): RequestStats {
    return structuredClone(this.stats);
  }

  resetStats(): void {
    this.stats = emptyStats(this.clock());
  }

  seed(records: SeedRecord[]): SeedResult {
    return seedRecords(this, records);
  }

  isLocked(id: string): boolean {
    const id18 = to18(id);
    return id18 !== undefined && this.store.get(id18)?.fields[LOCK_MARKER] === true;
  }

  nowIso(): string {
    return formatDateTime(this.clock());
  }

  close(): void {
    this.events.removeAllListeners();
    this.store.close();
  }
}

function buildCustomMetadataRecords(registry: SchemaRegistry): {
  byType: Map<string, SObjectRecord[]>;
  byId: Map<string, { type: string; fields: SObjectRecord }>;
} {
  const byType = new Map<string, SObjectRecord[]>();
  const byId = new Map<string, { type: string; fields: SObjectRecord }>();
  for (const schema of registry.all()) {
    if (schema.def.kind !== 'customMetadata') continue;
    const source = [...(registry.customMetadata.get(schema.name) ?? [])].sort((a, b) =>
      String(a.DeveloperName).localeCompare(String(b.DeveloperName)),
    );
    const records = source.map((raw, i) => {
      // Ids follow the sorted record names so they are stable across restarts.
      const rec: SObjectRecord = { Id: mintId(schema.def.keyPrefix, i + 1) };
      for (const f of schema.def.fields) {
        if (f.name === 'Id') continue;
        const value = raw[f.name];
        rec[f.name] =
          value === undefined || value === null
            ? f.type === 'boolean'
              ? f.defaultValue === true
              : null
            : coerceFieldValue(f, value);
      }
      rec.Label = rec.MasterLabel ?? null;
      rec.QualifiedApiName = rec.DeveloperName ?? null;
      rec.Language = 'en_US';
      byId.set(rec.Id, { type: schema.name, fields: rec });
      return rec;
    });
    byType.set(schema.name, records);
  }
  return { byType, byId };
}

function emptyStats(now: Date): RequestStats {
  return { total: 0, byResource: {}, byOperation: {}, since: now.toISOString() };
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Records leave the org without internal markers. */
function stripHidden(change: RecordChange): RecordChange {
  const strip = (r: SObjectRecord | undefined) => {
    if (!r || !(LOCK_MARKER in r)) return r;
    const { [LOCK_MARKER]: _locked, ...rest } = r;
    return rest as SObjectRecord;
  };
  return { ...change, before: strip(change.before), after: strip(change.after) };
}
